"""The mini-program's 消息推送 at /wxa/events: WeChat's handshake, what a person chose in a
subscribe panel (one entry or several, encrypted), the same panel reported by the client and by
WeChat counting once, a template turned off ending its grants; anything not signed with the
mini-program's Token refused."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
from flask.testing import FlaskClient

from bot import create_app
from bot.clock import FixedClock
from bot.config import WeChatSettings
from bot.sandbox.wechat_side import WeChatSide
from bot.services import Services, build_services
from tests.api import log_in

KEY = "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut"
Headers = Callable[..., dict[str, str]]


@pytest.fixture
def pushed(mini: Services, clock: FixedClock) -> Iterator[Services]:
    """The office's services with the mini-program's 消息推送 configured (安全模式)."""
    built = build_services(replace(mini.settings, miniprogram=replace(
        mini.settings.miniprogram, token="mini_push_token", encoding_aes_key=KEY)), clock=clock)
    yield built
    built.close()


@pytest.fixture
def app_client(pushed: Services) -> FlaskClient:
    return create_app(services=pushed).test_client()


@pytest.fixture
def wechat(pushed: Services, clock: FixedClock) -> WeChatSide:
    """WeChat's side of the mini-program's pushes, signed with its Token and AppID."""
    mini = pushed.settings.miniprogram
    return WeChatSide(WeChatSettings(appid=mini.appid, token=mini.token, encoding_aes_key=KEY, mode="safe"),
                      now=lambda: clock.now().timestamp())


def popup(openid: str, *entries: tuple[str, str], event: str = "subscribe_msg_popup_event",
          holder: str = "SubscribeMsgPopupEvent") -> str:
    items = "".join(f"<List><TemplateId><![CDATA[{t}]]></TemplateId><SubscribeStatusString><![CDATA[{s}]]>"
                    f"</SubscribeStatusString><PopupScene>0</PopupScene></List>" for t, s in entries)
    return (f"<xml><ToUserName><![CDATA[gh_mini]]></ToUserName>"
            f"<FromUserName><![CDATA[{openid}]]></FromUserName><CreateTime>1795000000</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            f"<Event><![CDATA[{event}]]></Event><{holder}>{items}</{holder}></xml>")


def push(client: FlaskClient, wechat: WeChatSide, xml: str) -> int:
    delivery = wechat.deliver(xml)
    return client.post("/wxa/events", query_string=delivery.params, data=delivery.body).status_code


def test_the_panels_choices_pushed_by_wechat_become_grants_counted_once(
        app_client: FlaskClient, wechat: WeChatSide, standin) -> None:
    handshake = app_client.get("/wxa/events", query_string=wechat.handshake("hello"))
    assert handshake.get_data(as_text=True) == "hello"
    token = log_in(app_client, standin, "o_mini_grants")
    me = {"Authorization": f"Bearer {token}"}
    chose = popup("o_mini_grants", ("TPL_NOTICE", "accept"), ("TPL_EVENT", "reject"))
    assert push(app_client, wechat, chose) == 200
    reported = app_client.post("/api/v1/me/subscriptions", headers=me,  # the same panel, from the client
                               json={"results": {"TPL_NOTICE": "accept", "TPL_EVENT": "reject"}})
    assert reported.get_json() == {"grants": {"TPL_NOTICE": 1}}
    assert push(app_client, wechat, popup("o_mini_grants", ("TPL_NOTICE", "accept"))) == 200  # a new panel
    assert app_client.post("/api/v1/me/subscriptions", headers=me, json={"results": {}}).get_json() == {
        "grants": {"TPL_NOTICE": 2}}
    off = popup("o_mini_grants", ("TPL_NOTICE", "reject"), event="subscribe_msg_change_event",
                holder="SubscribeMsgChangeEvent")
    assert push(app_client, wechat, off) == 200
    assert app_client.post("/api/v1/me/subscriptions", headers=me, json={"results": {}}).get_json() == {
        "grants": {}}


def test_a_push_not_signed_with_the_mini_programs_token_changes_nothing(
        app_client: FlaskClient, wechat: WeChatSide, pushed: Services, standin) -> None:
    token = log_in(app_client, standin, "o_mini_forged")
    forger = WeChatSide(replace(wechat.settings, token="guessed"), now=wechat.now)
    assert push(app_client, forger, popup("o_mini_forged", ("TPL_NOTICE", "accept"))) == 403
    grants = app_client.post("/api/v1/me/subscriptions", headers={"Authorization": f"Bearer {token}"},
                             json={"results": {}}).get_json()
    assert grants == {"grants": {}}
    assert push(app_client, wechat, popup("o_never_logged_in", ("TPL_NOTICE", "accept"))) == 200


def test_without_a_token_configured_there_is_no_push_address(client: FlaskClient) -> None:
    assert client.get("/wxa/events").status_code == 404


def test_wechats_retry_of_a_push_counts_once_and_odd_xml_is_no_error(
        app_client: FlaskClient, wechat: WeChatSide, standin) -> None:
    token = log_in(app_client, standin, "o_mini_retried")
    delivery = wechat.deliver(popup("o_mini_retried", ("TPL_NOTICE", "accept")))
    for _ in range(3):  # WeChat tries again when our answer is slow
        sent = app_client.post("/wxa/events", query_string=delivery.params, data=delivery.body)
        assert sent.status_code == 200
    grants = app_client.post("/api/v1/me/subscriptions", headers={"Authorization": f"Bearer {token}"},
                             json={"results": {}}).get_json()
    assert grants == {"grants": {"TPL_NOTICE": 1}}
    doubled = ("<xml><FromUserName>o_mini_retried</FromUserName><Event>a</Event><Event>b</Event>"
               "<MsgType>event</MsgType></xml>")
    assert push(app_client, wechat, doubled) == 200  # not ours to keep; never a 500
