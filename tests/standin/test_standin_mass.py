"""Mass messages: targets, clientmsgid, the monthly cap per user, and per-minute limits."""

from __future__ import annotations

from collections.abc import Callable

from standin_helpers import Api, FakeClock, SandboxClient

from bot.standin import StandinServer

SENDALL = "cgi-bin/message/mass/sendall"
SEND = "cgi-bin/message/mass/send"


def to_tag(tag_id: int, clientmsgid: str | None = None) -> dict[str, object]:
    body: dict[str, object] = {"filter": {"is_to_all": False, "tag_id": tag_id},
                               "msgtype": "text", "text": {"content": "通知"}}
    return {**body, "clientmsgid": clientmsgid} if clientmsgid else body


def to_list(*openids: str) -> dict[str, object]:
    return {"touser": list(openids), "msgtype": "text", "text": {"content": "通知"}}


def tagged(wechat: SandboxClient, *openids: str) -> int:
    tag_id = wechat.tag.create("党支部")["id"]
    wechat.tag.tag_user(tag_id, list(openids))
    return tag_id


def test_sendall_reaches_the_tag_members(wechat: SandboxClient, server: StandinServer) -> None:
    tag_id = tagged(wechat, "o1", "o2")
    server.open_window("o3")  # a follower without the tag
    answer = wechat.message.send_mass_text(tag_id, "重阳节活动通知")
    assert answer["errcode"] == 0 and answer["msg_id"] and answer["msg_data_id"]
    [call] = server.calls(SENDALL)
    assert call.delivered == ["o1", "o2"] and call.openids == ["o1", "o2"]
    assert call.body["text"] == {"content": "重阳节活动通知"}


def test_sendall_to_all_reaches_every_follower(api: Api, server: StandinServer) -> None:
    for openid in ("o1", "o2", "o3"):
        server.open_window(openid)
    body = {"filter": {"is_to_all": True}, "msgtype": "text", "text": {"content": "通知"}}
    assert api.post(SENDALL, body, api.token())["errcode"] == 0
    assert server.calls(SENDALL)[0].delivered == ["o1", "o2", "o3"]


def test_sendall_to_an_unknown_tag_gets_45159(api: Api) -> None:
    assert api.post(SENDALL, to_tag(999), api.token())["errcode"] == 45159


def test_a_repeated_clientmsgid_gets_45065_with_the_first_msg_id(
        api: Api, wechat: SandboxClient, server: StandinServer) -> None:
    tag_id = tagged(wechat, "o1")
    token = api.token()
    first = api.post(SENDALL, to_tag(tag_id, "notice-2024-05"), token)
    again = api.post(SENDALL, to_tag(tag_id, "notice-2024-05"), token)
    assert first["errcode"] == 0
    assert again["errcode"] == 45065 and again["msg_id"] == first["msg_id"]
    assert server.state.mass_count("o1") == 1


def test_send_to_a_list_needs_two_openids(api: Api) -> None:
    token = api.token()
    assert api.post(SEND, to_list("o1"), token)["errcode"] == 40130
    assert api.post(SEND, to_list("o1", "o2"), token)["errcode"] == 0


def test_a_user_gets_at_most_4_mass_messages_a_month(
        api: Api, server: StandinServer, clock: FakeClock) -> None:
    token = api.token()
    for _ in range(4):
        api.post(SEND, to_list("o_busy", f"o_other{_}"), token)
    answer = api.post(SEND, to_list("o_busy", "o_fresh"), token)
    assert answer["errcode"] == 0  # the platform accepts the job; the capped user just misses it
    assert server.calls(SEND)[-1].delivered == ["o_fresh"]
    assert server.state.mass_count("o_busy") == 4 and server.state.mass_count("o_fresh") == 1
    clock.advance(31 * 24 * 3600)  # 2024-05-10 -> 2024-06-10
    api.post(SEND, to_list("o_busy", "o_fresh"), api.token())
    assert server.calls(SEND)[-1].delivered == ["o_busy", "o_fresh"]
    assert server.state.mass_count("o_busy", "2024-05") == 4


def test_mass_send_is_limited_per_minute(make_api: Callable[..., Api],
                                         clock: FakeClock) -> None:
    api = make_api(minute_limits={SEND: 2})
    token = api.token()
    answers = [api.post(SEND, to_list("o1", "o2"), token)["errcode"] for _ in range(3)]
    assert answers == [0, 0, 45011]
    clock.advance(60)
    assert api.post(SEND, to_list("o1", "o2"), token)["errcode"] == 0


def test_the_default_minute_limit_applies_to_other_paths(
        make_api: Callable[..., Api]) -> None:
    api = make_api(default_minute_limit=1)
    token = api.token()
    assert "tags" in api.get("cgi-bin/tags/get", access_token=token)
    assert api.get("cgi-bin/tags/get", access_token=token)["errcode"] == 45011
    assert api.post(SEND, to_list("o1", "o2"), token)["errcode"] == 0  # mass paths keep 60
