"""The mini-program's own app, over real HTTP to the stand-in (playing it as an app apart from
the account): phone numbers, content checks, its token shared by every process under a key of
its own, and the account's unionids."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace

import pytest
from wechatpy.exceptions import WeChatClientException

from bot.clock import FixedClock
from bot.config import MiniProgramSettings, Settings
from bot.services import Services, build_services
from bot.standin import StandinServer, StandinSettings, routes
from bot.standin.errors import ok
from bot.standin.protocol import ApiRequest, Reply
from bot.standin.state import StandinState
from bot.wechat_api.client import unionids
from bot.wechat_api.miniprogram import code_to_session, content_check, phone_number

MINI = MiniProgramSettings(appid="wx_test_mini", secret="test_mini_secret")
OPENID = "o_mini_daughter"
PHONE = "13800001234"
TOKEN = "cgi-bin/stable_token"
SEC_CHECK = "wxa/msg_sec_check"


@pytest.fixture
def platform(settings: Settings, clock: FixedClock) -> Iterator[StandinServer]:
    """The stand-in with the account and the mini-program as two apps."""
    with StandinServer(StandinSettings(
            appid=settings.wechat.appid, secret=settings.wechat.secret, mini_appid=MINI.appid,
            mini_secret=MINI.secret, now=lambda: clock.now().timestamp())) as server:
        yield server


@pytest.fixture
def office(settings: Settings, clock: FixedClock, platform: StandinServer) -> Iterator[Services]:
    """One process's services, talking to that stand-in, with the mini-program configured."""
    wired = replace(settings, wechat=replace(settings.wechat, api_base_url=platform.base_url),
                    miniprogram=MINI)
    built = build_services(wired, clock=clock)
    yield built
    built.close()


def token_calls(platform: StandinServer) -> list[str]:
    """The appid of each token request."""
    return [call.body["appid"] for call in platform.calls(path=TOKEN)]


def test_a_phone_code_gives_the_number_once(office: Services, platform: StandinServer) -> None:
    code = platform.mint_phone_code(PHONE)
    assert phone_number(office.settings, office.store, code) == PHONE
    with pytest.raises(WeChatClientException) as used:
        phone_number(office.settings, office.store, code)
    assert used.value.errcode == 40029
    with pytest.raises(WeChatClientException) as unknown:
        phone_number(office.settings, office.store, "never-minted")
    assert unknown.value.errcode == 40029
    assert token_calls(platform) == [MINI.appid]  # the mini-program's token, fetched once


def test_content_checks_pass_review_and_risky(office: Services, platform: StandinServer) -> None:
    platform.set_sec_words({"转账": "review", "赌博": "risky"})

    def verdict(text: str) -> str:
        return content_check(office.settings, office.store, OPENID, text)

    assert [verdict("请问体检几号开始？"), verdict("能帮我转账吗"), verdict("一起去赌博")] == [
        "pass", "review", "risky"]
    [first, *_] = platform.calls(path=SEC_CHECK)
    assert first.body == {"content": "请问体检几号开始？", "version": 2, "scene": 2, "openid": OPENID}


def test_the_token_is_fetched_once_and_shared_by_every_process(
        office: Services, platform: StandinServer, clock: FixedClock,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    other = build_services(office.settings, clock=clock)  # another process, the same store
    try:
        content_check(office.settings, office.store, OPENID, "您好")
        phone_number(other.settings, other.store, platform.mint_phone_code(PHONE))
    finally:
        other.close()
    assert token_calls(platform) == [MINI.appid]
    [check] = platform.calls(path=SEC_CHECK)
    [phone] = platform.calls(path="wxa/business/getuserphonenumber")
    assert check.errcode == phone.errcode == 0
    assert MINI.secret not in caplog.text  # the token request's address is never logged


def test_the_account_and_the_mini_program_keep_their_own_tokens(
        office: Services, platform: StandinServer) -> None:
    platform.open_window("o_chat_grandpa")
    office.wechat.message.send_text("o_chat_grandpa", "您好")
    content_check(office.settings, office.store, OPENID, "您好")
    office.wechat.message.send_text("o_chat_grandpa", "再见")
    assert token_calls(platform) == [office.settings.wechat.appid, MINI.appid]
    account = office.store.get(f"wechat:{office.settings.wechat.appid}_access_token")
    mini = office.store.get(f"wechat:miniprogram:{MINI.appid}_access_token")
    assert account and mini and account != mini
    assert all(call.errcode == 0 for call in platform.calls())


def test_an_expired_mini_program_token_is_refreshed_once(office: Services,
                                                         platform: StandinServer) -> None:
    content_check(office.settings, office.store, OPENID, "您好")
    platform.expire_tokens()
    assert content_check(office.settings, office.store, OPENID, "再问一次") == "pass"
    assert [c.errcode for c in platform.calls(path=SEC_CHECK)] == [0, 42001, 0]
    assert token_calls(platform) == [MINI.appid, MINI.appid]


def test_long_text_is_checked_in_pieces_the_gravest_verdict_wins(
        office: Services, platform: StandinServer) -> None:
    platform.set_sec_words({"赌博": "risky"})
    text = "家" * 2500 + "赌博"
    assert content_check(office.settings, office.store, OPENID, text) == "risky"
    assert [len(c.body["content"]) for c in platform.calls(path=SEC_CHECK)] == [2500, 2]
    assert content_check(office.settings, office.store, OPENID, "  ") == "pass"  # nothing asked
    assert len(platform.calls(path=SEC_CHECK)) == 2


def test_wechats_refusal_of_a_check_reaches_the_caller(settings: Settings, clock: FixedClock) -> None:
    strict = StandinSettings(appid=settings.wechat.appid, secret=settings.wechat.secret,
                             mini_appid=MINI.appid, mini_secret=MINI.secret, wxa_visit_window=7200,
                             now=lambda: clock.now().timestamp())
    with StandinServer(strict) as server:
        wired = replace(settings, wechat=replace(settings.wechat, api_base_url=server.base_url),
                        miniprogram=MINI)
        services = build_services(wired, clock=clock)
        try:
            with pytest.raises(WeChatClientException) as stale:
                content_check(services.settings, services.store, OPENID, "您好")
            assert stale.value.errcode == 61010  # not in the mini-program these two hours
            server.visit_wxa(OPENID)
            assert content_check(services.settings, services.store, OPENID, "您好") == "pass"
        finally:
            services.close()


def test_a_verdict_we_cannot_read_is_held_for_review(office: Services, platform: StandinServer,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    def odd(state: StandinState, req: ApiRequest) -> Reply:
        return Reply(ok(result={"suggest": "block", "label": 21000}, detail=[], trace_id="t"))

    monkeypatch.setitem(routes.ROUTES, SEC_CHECK, routes.Route("POST", odd, app=routes.MINI))
    assert content_check(office.settings, office.store, OPENID, "您好") == "review"


def test_an_unreachable_wechat_is_a_refusal_without_errcode_or_secret(
        settings: Settings, clock: FixedClock, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    # settings' api_base_url is 127.0.0.1:9, where nothing listens
    services = build_services(replace(settings, miniprogram=MINI), clock=clock)
    try:
        for call in (lambda: phone_number(services.settings, services.store, "code"),
                     lambda: content_check(services.settings, services.store, OPENID, "您好"),
                     lambda: code_to_session(services.settings, "code")):
            with pytest.raises(WeChatClientException) as down:
                call()
            assert down.value.errcode is None
            assert down.value.__cause__ is None and down.value.__suppress_context__
            assert MINI.secret not in str(down.value)
    finally:
        services.close()
    assert MINI.secret not in caplog.text


def test_code_to_session_gives_the_unionid_when_the_user_has_one(office: Services,
                                                                 platform: StandinServer) -> None:
    platform.link_unionid("o_mini_son", "u_zhang_family")
    found = code_to_session(office.settings, platform.mint_wxa_code("o_mini_son"))
    assert (found["openid"], found["unionid"]) == ("o_mini_son", "u_zhang_family")
    assert "unionid" not in code_to_session(office.settings, platform.mint_wxa_code("o_mini_other"))


def test_unionids_are_asked_100_at_a_time(office: Services, platform: StandinServer) -> None:
    followers = [f"o_chat_{i:03}" for i in range(150)]
    for openid in followers:
        platform.open_window(openid)
    platform.link_unionid("o_chat_007", "u_seven")
    platform.link_unionid("o_chat_120", "u_hundred_twenty")
    found = unionids(office.wechat, [*followers, "o_chat_007", "o_not_following"])
    assert found == {"o_chat_007": "u_seven", "o_chat_120": "u_hundred_twenty"}
    batches = platform.calls(path="cgi-bin/user/info/batchget")
    assert [len(c.body["user_list"]) for c in batches] == [100, 51]
    assert batches[0].body["user_list"][0] == {"openid": "o_chat_000", "lang": "zh_CN"}
    assert token_calls(platform) == [office.settings.wechat.appid]  # the account's own token
    assert unionids(office.wechat, []) == {}
