"""msg_sec_check version 2: verdicts by configured words, and the documented refusals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests
from standin_helpers import Api, FakeClock

from bot.standin import StandinServer

PATH = "wxa/msg_sec_check"
LOGIN = "sns/jscode2session"
OPENID = "o_mini_daughter"


def check(content: str, **overrides: Any) -> dict[str, Any]:
    return {"content": content, "version": 2, "scene": 2, "openid": OPENID, **overrides}


def test_text_without_the_words_passes(api: Api) -> None:
    answer = api.post(PATH, check("请问重阳节活动几点开始？"), api.token())
    assert answer["errcode"] == 0 and answer["result"] == {"suggest": "pass", "label": 100}
    assert [d["strategy"] for d in answer["detail"]] == ["content_model"]
    assert answer["detail"][0]["suggest"] == "pass" and answer["trace_id"]


def test_the_words_decide_review_and_risky_and_the_gravest_wins(api: Api,
                                                                 server: StandinServer) -> None:
    server.set_sec_words({"转账": "review", "赌博": "risky", "你好": "pass"})
    token = api.token()

    def suggest(content: str) -> str:
        return str(api.post(PATH, check(content), token)["result"]["suggest"])

    assert suggest("你好，需要转账吗") == "review"
    assert suggest("转账去赌博") == "risky"
    assert suggest("你好") == "pass"
    answer = api.post(PATH, check("转账去赌博"), token)
    assert answer["result"]["label"] == 21000
    assert {(d["keyword"], d["suggest"]) for d in answer["detail"] if d["strategy"] == "keyword"} == {
        ("转账", "review"), ("赌博", "risky")}


def test_the_title_and_nickname_are_checked_too(api: Api, server: StandinServer) -> None:
    server.set_sec_words({"赌博": "risky"})
    token = api.token()
    assert api.post(PATH, check("正文", title="赌博"), token)["result"]["suggest"] == "risky"
    assert api.post(PATH, check("正文", nickname="赌博"), token)["result"]["suggest"] == "risky"
    # a signature only counts in the profile scene
    assert api.post(PATH, check("正文", signature="赌博"), token)["result"]["suggest"] == "pass"
    assert api.post(PATH, check("正文", signature="赌博", scene=1), token)["result"][
        "suggest"] == "risky"


def test_a_malformed_request_gets_the_documented_codes(api: Api) -> None:
    token = api.token()
    assert api.post(PATH, check("x", version=1), token)["errcode"] == 47001
    assert api.post(PATH, {"content": "x", "scene": 2, "openid": OPENID}, token)["errcode"] == 47001
    assert api.post(PATH, check("x", openid=""), token)["errcode"] == 40003
    assert api.post(PATH, {"content": "x", "version": 2, "scene": 2}, token)["errcode"] == 40003
    for scene in (0, 5, "2", True):
        assert api.post(PATH, check("x", scene=scene), token)["errcode"] == 40129
    assert api.post(PATH, {"version": 2, "scene": 2, "openid": OPENID}, token)["errcode"] == 47001
    assert api.post(PATH, b"", token)["errcode"] == 44002


def test_the_words_are_set_over_http(api: Api, http: requests.Session,
                                     server: StandinServer) -> None:
    url = server.base_url + "_standin/sec-words"
    assert http.put(url, json={"words": {"赌博": "risky"}}, timeout=5).status_code == 200
    assert http.get(url, timeout=5).json() == {"words": {"赌博": "risky"}}
    assert api.post(PATH, check("赌博"), api.token())["result"]["suggest"] == "risky"
    assert http.put(url, json={"words": {"赌博": "block"}}, timeout=5).status_code == 400
    assert http.put(url, json={}, timeout=5).status_code == 400
    assert server.state.sec_words == {"赌博": "risky"}  # a refused set changes nothing
    server.reset()
    assert server.state.sec_words == {}


def test_the_two_hour_visit_rule_when_asked_for(make_api: Callable[..., Api], clock: FakeClock,
                                                http: requests.Session) -> None:
    api = make_api(wxa_visit_window=7200)
    token = api.token()
    assert api.post(PATH, check("x"), token)["errcode"] == 61010  # never seen
    api.get(LOGIN, appid="wx_sandbox_appid", secret="sandbox_secret", grant_type="authorization_code",
            js_code=api.server.mint_wxa_code(OPENID))  # logging in is a visit
    clock.advance(7199)
    assert api.post(PATH, check("x"), token)["errcode"] == 0
    clock.advance(1)
    assert api.post(PATH, check("x"), api.token())["errcode"] == 61010
    http.post(api.server.base_url + "_standin/wxa-visits", json={"openid": OPENID}, timeout=5)
    assert api.post(PATH, check("x"), api.token())["errcode"] == 0


def test_only_the_mini_programs_token_is_taken_when_it_is_its_own_app(
        make_api: Callable[..., Api]) -> None:
    api = make_api(mini_appid="wx_mini", mini_secret="mini_secret")
    assert api.post(PATH, check("x"), api.token())["errcode"] == 48001
    assert api.post(PATH, check("x"), api.token("wx_mini", "mini_secret"))["errcode"] == 0


def test_checks_are_logged_with_the_openid(api: Api, server: StandinServer) -> None:
    api.post(PATH, check("你好"), api.token())
    [call] = server.calls(PATH, openid=OPENID)
    assert call.body["content"] == "你好" and call.response["result"]["suggest"] == "pass"
