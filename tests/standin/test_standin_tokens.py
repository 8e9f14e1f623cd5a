"""access_token: issuing, expiry, superseding, and the checks on every call."""

from __future__ import annotations

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
