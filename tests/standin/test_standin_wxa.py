"""Mini-program login: jscode2session with minted one-time codes."""

from __future__ import annotations

from standin_helpers import Api, FakeClock

from bot.standin import StandinServer

PATH = "sns/jscode2session"


def login(api: Api, code: str, secret: str = "sandbox_secret") -> dict[str, object]:
    return api.get(PATH, appid="wx_sandbox_appid", secret=secret, js_code=code,
                   grant_type="authorization_code")


def test_a_minted_code_logs_in_once(api: Api, server: StandinServer) -> None:
    code = server.mint_wxa_code("o_grandpa")
    answer = login(api, code)
    assert answer["openid"] == "o_grandpa" and answer["session_key"]
    assert login(api, code)["errcode"] == 40163
    assert [c.openids for c in server.calls(PATH)] == [["o_grandpa"], []]


def test_an_unknown_code_gets_40029(api: Api) -> None:
    assert login(api, "never-minted")["errcode"] == 40029


def test_a_stale_code_gets_40029(api: Api, server: StandinServer, clock: FakeClock) -> None:
    code = server.mint_wxa_code("o1")
    clock.advance(300)
    assert login(api, code)["errcode"] == 40029


def test_jscode2session_checks_the_app_secret(api: Api, server: StandinServer) -> None:
    assert login(api, server.mint_wxa_code("o1"), secret="wrong")["errcode"] == 40125


def test_codes_can_be_minted_over_http(api: Api) -> None:
    code = api.get("_standin/wxa-code", openid="o_remote")["code"]
    assert login(api, code)["openid"] == "o_remote"
