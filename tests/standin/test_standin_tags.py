"""User tags: management, batch tagging and its limits, paging a tag's users."""

from __future__ import annotations

from collections.abc import Callable

from standin_helpers import Api, SandboxClient

from bot.standin import StandinServer

TAGGING = "cgi-bin/tags/members/batchtagging"


def test_create_list_rename_delete(wechat: SandboxClient, server: StandinServer) -> None:
    tag = wechat.tag.create("老干部")
    wechat.tag.tag_user(tag["id"], ["o1", "o2"])
    assert wechat.tag.get() == [{"id": tag["id"], "name": "老干部", "count": 2}]
    wechat.tag.update(tag["id"], "离休干部")
    assert [t["name"] for t in wechat.tag.get()] == ["离休干部"]
    wechat.tag.delete(tag["id"])
    assert wechat.tag.get() == []
    assert server.state.tags_of("o1") == []


def test_tag_names_are_checked(api: Api) -> None:
    token = api.token()
    assert "tag" in api.post("cgi-bin/tags/create", {"tag": {"name": "老干部"}}, token)
    assert api.post("cgi-bin/tags/create", {"tag": {"name": "老干部"}}, token)[
        "errcode"] == 45157
    assert api.post("cgi-bin/tags/create", {"tag": {"name": "长" * 31}}, token)[
        "errcode"] == 45158


def test_an_account_has_at_most_max_tags(make_api: Callable[..., Api]) -> None:
    api = make_api(max_tags=2)
    token = api.token()
    codes = [api.post("cgi-bin/tags/create", {"tag": {"name": f"t{i}"}}, token).get("errcode", 0)
             for i in range(3)]
    assert codes == [0, 0, 45056]


def test_batchtagging_more_than_50_openids_gets_40032(api: Api) -> None:
    token = api.token()
    tag_id = api.post("cgi-bin/tags/create", {"tag": {"name": "t"}}, token)["tag"]["id"]
    openids = [f"o{i}" for i in range(51)]
    assert api.post(TAGGING, {"tagid": tag_id, "openid_list": openids}, token)[
        "errcode"] == 40032
    assert api.post(TAGGING, {"tagid": tag_id, "openid_list": openids[:50]}, token)[
        "errcode"] == 0


def test_tagging_with_an_unknown_tag_gets_45159(api: Api) -> None:
    assert api.post(TAGGING, {"tagid": 4242, "openid_list": ["o1"]}, api.token())[
        "errcode"] == 45159


def test_a_user_carries_at_most_20_tags(api: Api, server: StandinServer) -> None:
    token = api.token()
    ids = [api.post("cgi-bin/tags/create", {"tag": {"name": f"t{i}"}}, token)["tag"]["id"]
           for i in range(21)]
    for tag_id in ids[:20]:
        assert api.post(TAGGING, {"tagid": tag_id, "openid_list": ["o_full"]}, token)[
            "errcode"] == 0
    answer = api.post(TAGGING, {"tagid": ids[20], "openid_list": ["o_new", "o_full"]}, token)
    assert answer["errcode"] == 45059
    assert server.state.tags_of("o_new") == []  # all or nothing


def test_getidlist_and_untagging(wechat: SandboxClient) -> None:
    first = wechat.tag.create("a")["id"]
    second = wechat.tag.create("b")["id"]
    wechat.tag.tag_user(first, "o1")
    wechat.tag.tag_user(second, ["o1", "o2"])
    assert wechat.tag.get_user_tag("o1") == [first, second]
    wechat.tag.untag_user(second, "o1")
    assert wechat.tag.get_user_tag("o1") == [first]


def test_a_tags_users_come_in_pages(start_server: Callable[..., StandinServer]) -> None:
    server = start_server(tag_page_size=2)
    wechat = SandboxClient(server)
    try:
        tag_id = wechat.tag.create("t")["id"]
        wechat.tag.tag_user(tag_id, ["o1", "o2", "o3"])
        first = wechat.tag.get_tag_users(tag_id)
        assert first["data"]["openid"] == ["o1", "o2"] and first["next_openid"] == "o2"
        assert list(wechat.tag.iter_tag_users(tag_id)) == ["o1", "o2", "o3"]
    finally:
        wechat._http.close()
