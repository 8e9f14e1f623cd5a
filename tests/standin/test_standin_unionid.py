"""unionids: in jscode2session when the user has one, and in cgi-bin/user/info/batchget."""

from __future__ import annotations

from collections.abc import Callable

import requests
from standin_helpers import Api, FakeClock, SandboxClient

from bot.standin import StandinServer

LOGIN = "sns/jscode2session"
BATCH = "cgi-bin/user/info/batchget"


def login(api: Api, openid: str) -> dict[str, object]:
    return api.get(LOGIN, appid="wx_sandbox_appid", secret="sandbox_secret",
                   js_code=api.server.mint_wxa_code(openid), grant_type="authorization_code")


def users(*openids: str) -> dict[str, object]:
    return {"user_list": [{"openid": openid, "lang": "zh_CN"} for openid in openids]}


def test_jscode2session_gives_the_unionid_only_when_linked(api: Api, server: StandinServer) -> None:
    assert "unionid" not in login(api, "o_mini_son")
    server.link_unionid("o_mini_son", "u_zhang_family")
    assert login(api, "o_mini_son")["unionid"] == "u_zhang_family"


def test_batchget_gives_followers_their_unionid_in_order(
        api: Api, server: StandinServer, wechat: SandboxClient, clock: FakeClock) -> None:
    server.open_window("o_grandpa")
    followed_at = int(clock.now)
    clock.advance(60)
    tag_id = wechat.tag.create("老干部")["id"]
    wechat.tag.tag_user(tag_id, ["o_grandma"])  # tagging makes her a follower now
    server.link_unionid("o_grandpa", "u_grandpa")
    answer = api.post(BATCH, users("o_grandma", "o_stranger", "o_grandpa"), api.token())
    grandma, stranger, grandpa = answer["user_info_list"]
    assert grandpa["subscribe"] == 1 and grandpa["unionid"] == "u_grandpa"
    assert grandpa["subscribe_time"] == followed_at and grandpa["tagid_list"] == []
    assert grandma["subscribe"] == 1 and "unionid" not in grandma
    assert grandma["tagid_list"] == [tag_id] and grandma["subscribe_time"] == followed_at + 60
    assert stranger == {"subscribe": 0, "openid": "o_stranger"}  # not following: nothing more
    assert server.calls(BATCH)[0].openids == ["o_grandma", "o_stranger", "o_grandpa"]


def test_batchget_takes_1_to_100_users(api: Api) -> None:
    token = api.token()
    assert len(api.post(BATCH, users(*(f"o{i}" for i in range(100))), token)["user_info_list"]) == 100
    assert api.post(BATCH, users(*(f"o{i}" for i in range(101))), token)["errcode"] == 40032
    assert api.post(BATCH, {"user_list": []}, token)["errcode"] == 40032
    assert api.post(BATCH, {}, token)["errcode"] == 40032
    assert api.post(BATCH, {"user_list": [{"lang": "zh_CN"}]}, token)["errcode"] == 40003
    assert api.post(BATCH, {"user_list": ["o1"]}, token)["errcode"] == 40003


def test_batchget_takes_only_the_accounts_token_when_apps_differ(make_api: Callable[..., Api]) -> None:
    api = make_api(mini_appid="wx_mini", mini_secret="mini_secret")
    assert api.post(BATCH, users("o1"), api.token("wx_mini", "mini_secret"))["errcode"] == 48001
    assert "user_info_list" in api.post(BATCH, users("o1"), api.token())


def test_unionids_are_linked_over_http(api: Api, http: requests.Session, server: StandinServer) -> None:
    url = server.base_url + "_standin/unionids"
    assert http.post(url, json={"openid": "o_mini_son", "unionid": "u1"}, timeout=5).status_code == 200
    assert http.post(url, json={"openid": "o_mini_son"}, timeout=5).status_code == 400
    assert login(api, "o_mini_son")["unionid"] == "u1"
    server.reset()
    assert server.state.unionids == {}
