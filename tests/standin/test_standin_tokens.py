"""access_token: issuing, expiry, superseding, and the checks on every call."""

from __future__ import annotations

from collections.abc import Callable

from standin_helpers import Api, FakeClock, SandboxClient

from bot.standin import StandinServer

SEND = "cgi-bin/tags/get"


def test_token_has_the_real_shape(api: Api) -> None:
    answer = api.fetch_token("wx_sandbox_appid", "sandbox_secret")
    assert set(answer) == {"access_token", "expires_in"}
    assert answer["expires_in"] == 7200


def test_wrong_credentials_get_the_real_codes(api: Api) -> None:
    assert api.fetch_token("wx_other", "sandbox_secret")["errcode"] == 40013
    assert api.fetch_token("wx_sandbox_appid", "wrong")["errcode"] == 40125
    assert api.fetch_token("wx_sandbox_appid", "sandbox_secret", "password")["errcode"] == 40002


def test_calls_without_a_token_get_41001(api: Api) -> None:
    assert api.get(SEND)["errcode"] == 41001


def test_an_unknown_token_gets_40001(api: Api) -> None:
    assert api.get(SEND, access_token="made-up")["errcode"] == 40001


def test_a_token_works_until_its_ttl_then_gets_42001(api: Api, clock: FakeClock) -> None:
    token = api.token()
    clock.advance(7199)
    assert "tags" in api.get(SEND, access_token=token)
    clock.advance(1)
    assert api.get(SEND, access_token=token)["errcode"] == 42001


def test_a_superseded_token_works_through_the_overlap_then_gets_40001(
        api: Api, clock: FakeClock) -> None:
    old = api.token()
    new = api.token()
    clock.advance(299)
    assert "tags" in api.get(SEND, access_token=old)
    clock.advance(1)
    assert api.get(SEND, access_token=old)["errcode"] == 40001
    assert "tags" in api.get(SEND, access_token=new)


def test_expire_tokens_makes_live_tokens_42001(api: Api, server: StandinServer) -> None:
    token = api.token()
    server.expire_tokens()
    assert api.get(SEND, access_token=token)["errcode"] == 42001
    assert "tags" in api.get(SEND, access_token=api.token())


def test_wechatpy_refreshes_after_42001_and_the_retry_is_logged(
        wechat: SandboxClient, server: StandinServer) -> None:
    wechat.tag.create("老干部")
    server.expire_tokens()
    wechat.tag.create("退休教师")
    codes = [(call.path, call.errcode) for call in server.calls()]
    assert codes == [("cgi-bin/token", 0), ("cgi-bin/tags/create", 0),
                     ("cgi-bin/tags/create", 42001), ("cgi-bin/token", 0),
                     ("cgi-bin/tags/create", 0)]


def test_the_mini_program_gets_tokens_as_its_own_app(make_api: Callable[..., Api],
                                                     clock: FakeClock) -> None:
    api = make_api(mini_appid="wx_mini", mini_secret="mini_secret")
    account = api.token()
    mini = api.token("wx_mini", "mini_secret")
    api.token("wx_mini", "mini_secret")  # supersedes the mini-program's first token only
    clock.advance(300)
    assert "tags" in api.get(SEND, access_token=account)
    assert api.get(SEND, access_token=mini)["errcode"] == 40001
    assert api.fetch_token("wx_mini", "sandbox_secret")["errcode"] == 40125
    assert api.fetch_token("wx_unknown", "mini_secret")["errcode"] == 40013


def test_jscode2session_takes_the_mini_programs_own_credentials(make_api: Callable[..., Api]) -> None:
    api = make_api(mini_appid="wx_mini", mini_secret="mini_secret")

    def login(appid: str, secret: str) -> dict[str, object]:
        return api.get("sns/jscode2session", appid=appid, secret=secret, grant_type="authorization_code",
                       js_code=api.server.mint_wxa_code("o_mini"))

    assert login("wx_sandbox_appid", "sandbox_secret")["errcode"] == 40013  # the account's app
    assert login("wx_mini", "mini_secret")["openid"] == "o_mini"
