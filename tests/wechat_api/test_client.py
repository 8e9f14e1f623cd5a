"""The WeChat API client, over real HTTP to the stand-in: one shared token, refreshed once."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest
import requests
from wechatpy.exceptions import WeChatClientException

from bot.services import Services, build_services
from bot.standin import StandinServer, StandinSettings
from bot.wechat_api.client import WeChatApi

OPENID = "o_api_user_0001"


def send_text(api: WeChatApi, text: str = "您好") -> dict:
    return api.message.send_text(OPENID, text)


def token_calls(standin: StandinServer) -> int:
    return len(standin.calls(path="cgi-bin/stable_token"))


def test_messages_reach_the_stand_in_with_their_content(api_services: Services,
                                                        standin: StandinServer) -> None:
    standin.open_window(OPENID)
    send_text(api_services.wechat, "明天是集中学习日")
    sent = standin.calls(path="cgi-bin/message/custom/send")
    assert [c.body["text"]["content"] for c in sent] == ["明天是集中学习日"]


def test_the_token_is_fetched_once_and_shared_by_every_worker(api_services: Services,
                                                              standin: StandinServer,
                                                              settings, clock) -> None:
    standin.open_window(OPENID)
    other = build_services(api_services.settings, clock=clock)  # another process's services
    try:
        for api in (api_services.wechat, other.wechat, api_services.wechat):
            send_text(api)
    finally:
        other.close()
    assert token_calls(standin) == 1


def test_concurrent_first_calls_fetch_one_token(api_services: Services,
                                                standin: StandinServer, clock) -> None:
    standin.open_window(OPENID)
    workers = [build_services(api_services.settings, clock=clock) for _ in range(4)]
    try:
        threads = [threading.Thread(target=send_text, args=(w.wechat,)) for w in workers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        for w in workers:
            w.close()
    assert token_calls(standin) == 1
    assert len(standin.calls(path="cgi-bin/message/custom/send")) == 4


def test_an_expired_token_is_refreshed_once_and_the_call_retried(api_services: Services,
                                                                 standin: StandinServer) -> None:
    standin.open_window(OPENID)
    send_text(api_services.wechat)
    standin.expire_tokens()  # WeChat now answers 42001 to the stored token
    send_text(api_services.wechat, "第二条")
    sends = standin.calls(path="cgi-bin/message/custom/send")
    assert [c.errcode for c in sends] == [0, 42001, 0]
    assert sends[-1].body["text"]["content"] == "第二条"
    assert token_calls(standin) == 2


def test_a_rejected_token_is_not_retried_forever(api_services: Services,
                                                 standin: StandinServer) -> None:
    standin.open_window(OPENID)
    api_services.store.set(f"wechat:{api_services.settings.wechat.appid}_access_token",
                           "forged-token", 3600)
    standin.state.settings.secret = "rotated"  # our secret no longer fetches a token
    with pytest.raises(WeChatClientException) as failure:
        send_text(api_services.wechat)
    assert failure.value.errcode == 40125
    assert len(standin.calls(path="cgi-bin/message/custom/send")) == 1


def test_outside_the_48_hour_window_the_error_reaches_the_caller(api_services: Services,
                                                                 standin: StandinServer) -> None:
    with pytest.raises(WeChatClientException) as failure:
        send_text(api_services.wechat)
    assert failure.value.errcode == 45015


def test_a_hanging_wechat_server_times_out_instead_of_blocking(settings, clock) -> None:
    slow = StandinSettings(appid=settings.wechat.appid, secret=settings.wechat.secret, latency=2)
    with StandinServer(slow) as server:
        wired = replace(settings, wechat=replace(settings.wechat, api_base_url=server.base_url,
                                                 timeout=0.3))
        services = build_services(wired, clock=clock)
        try:
            started = time.monotonic()
            with pytest.raises(requests.Timeout):
                send_text(services.wechat)
            assert time.monotonic() - started < 1.5
        finally:
            services.close()


def test_another_system_fetching_tokens_does_not_cut_ours_short(api_services: Services,
                                                                standin: StandinServer, clock) -> None:
    standin.open_window(OPENID)
    send_text(api_services.wechat)
    wechat = api_services.settings.wechat
    for _ in range(2):  # the office's other system, on the ordinary cgi-bin/token
        requests.get(standin.base_url + "cgi-bin/token", timeout=5, params={
            "grant_type": "client_credential", "appid": wechat.appid, "secret": wechat.secret})
    clock.advance(seconds=301)  # past the five minutes a superseded ordinary token still works
    send_text(api_services.wechat)
    sends = standin.calls(path="cgi-bin/message/custom/send")
    assert [call.errcode for call in sends] == [0, 0] and token_calls(standin) == 1  # no 40001, no refetch
