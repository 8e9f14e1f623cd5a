"""The /wechat endpoint's checks: only genuine, well-formed WeChat deliveries reach a handler."""

from __future__ import annotations

import io
import logging
from dataclasses import replace

import pytest
import sqlalchemy as sa

from bot import create_app
from bot.gateway.wire import parse_xml
from bot.models import InboundMessage
from bot.sandbox.wechat_side import WeChatSide
from bot.services import Services
from tests.helpers import OPENID, Chat


def inbound_count(services: Services) -> int:
    with services.sessions() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(InboundMessage)) or 0


def test_handshake_echoes_echostr_for_a_genuine_signature(client, wechat: WeChatSide) -> None:
    res = client.get("/wechat", query_string=wechat.handshake("echo-123"))
    assert res.status_code == 200
    assert res.text == "echo-123"


def test_handshake_with_a_wrong_signature_is_forbidden(client, wechat: WeChatSide) -> None:
    params = wechat.handshake("echo-123") | {"signature": "0" * 40}
    assert client.get("/wechat", query_string=params).status_code == 403


def test_safe_mode_reply_is_encrypted_and_readable(chat: Chat, wechat: WeChatSide) -> None:
    res = chat.send(wechat.text(OPENID, "菜单"))
    assert "<Encrypt>" in res.text and "菜单" not in res.text
    assert "回复 1" in wechat.open_reply(res.text)["Content"]


@pytest.mark.parametrize("mode,encrypted", [("plain", False), ("compat", False), ("compat", True)])
def test_plain_and_compat_modes(services: Services, wechat: WeChatSide, mode: str,
                                encrypted: bool) -> None:
    services.settings = replace(services.settings,
                                wechat=replace(services.settings.wechat, mode=mode))
    chat = Chat(create_app(services=services).test_client(), wechat)
    res = chat.send(wechat.text(OPENID, "联系我们"), encrypted=encrypted)
    assert res.status_code == 200
    assert ("<Encrypt>" in res.text) is encrypted
    assert "电话" in wechat.open_reply(res.text)["Content"]


def test_safe_mode_rejects_an_unencrypted_delivery(chat: Chat, wechat: WeChatSide,
                                                   services: Services) -> None:
    assert chat.send(wechat.text(OPENID, "菜单"), encrypted=False).status_code == 403
    assert inbound_count(services) == 0


def _tamper(params: dict[str, str], **changes: str | None) -> dict[str, str]:
    out = dict(params)
    for key, value in changes.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


@pytest.mark.parametrize("changes", [
    {"signature": None},
    {"signature": "f" * 40},
    {"msg_signature": None},
    {"msg_signature": "f" * 40},
    {"timestamp": None},
    {"nonce": "another-nonce"},
], ids=["no-signature", "wrong-signature", "no-msg-signature", "wrong-msg-signature",
        "no-timestamp", "nonce-changed"])
def test_forged_requests_are_forbidden_and_change_nothing(chat: Chat, wechat: WeChatSide,
                                                          services: Services, changes) -> None:
    delivery = wechat.deliver(wechat.text(OPENID, "菜单"))
    res = chat.client.post("/wechat", query_string=_tamper(delivery.params, **changes),
                           data=delivery.body)
    assert res.status_code == 403
    assert inbound_count(services) == 0


@pytest.mark.parametrize("minutes,status", [(-6, 403), (6, 403), (-4, 200), (4, 200)])
def test_timestamp_more_than_five_minutes_off_is_forbidden(chat: Chat, wechat: WeChatSide,
                                                           clock, minutes: int, status: int) -> None:
    sender = WeChatSide(wechat.settings, now=lambda: clock.now().timestamp() + minutes * 60)
    assert chat.post(sender.deliver(sender.text(OPENID, "菜单"))).status_code == status


def test_body_over_64_kib_is_rejected(chat: Chat, wechat: WeChatSide, services: Services) -> None:
    res = chat.send(wechat.text(OPENID, "长" * 30_000), encrypted=False)
    assert res.status_code == 413
    assert inbound_count(services) == 0


def test_a_streamed_body_over_64_kib_is_rejected_too(chat: Chat, wechat: WeChatSide,
                                                      services: Services) -> None:
    delivery = wechat.deliver(wechat.text(OPENID, "长" * 30_000), encrypted=False)
    res = chat.client.post("/wechat", query_string=delivery.params,  # chunked: no length given
                           input_stream=io.BytesIO(delivery.body),
                           environ_overrides={"wsgi.input_terminated": True})
    assert res.status_code == 413
    assert inbound_count(services) == 0


def test_a_streamed_body_within_the_limit_is_read(chat: Chat, wechat: WeChatSide) -> None:
    delivery = wechat.deliver(wechat.text(OPENID, "菜单"))
    res = chat.client.post("/wechat", query_string=delivery.params,
                           input_stream=io.BytesIO(delivery.body),
                           environ_overrides={"wsgi.input_terminated": True})
    assert res.status_code == 200
    assert "回复" in wechat.open_reply(res.text)["Content"]  # the menu


def test_other_methods_are_not_allowed(client) -> None:
    res = client.put("/wechat", data=b"<xml/>")
    assert (res.status_code, res.headers["Allow"]) == (405, "GET, POST")


BAD_XML = {
    "not-xml": b"hello, this is not xml",
    "truncated": b"<xml><ToUserName><![CDATA[gh]]></ToUserName><MsgType>",
    "doctype": b'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY e "x">]><xml><Encrypt>&e;</Encrypt></xml>',
    "external-entity": b'<!DOCTYPE xml [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml>&e;</xml>',
    "billion-laughs": b'<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><xml>&b;</xml>',
}


@pytest.mark.parametrize("body", BAD_XML.values(), ids=BAD_XML.keys())
def test_malformed_or_dtd_xml_is_a_bad_request(chat: Chat, wechat: WeChatSide, services: Services,
                                                body: bytes) -> None:
    delivery = wechat.deliver(wechat.text(OPENID, "x"), encrypted=False)
    assert chat.client.post("/wechat", query_string=delivery.params, data=body).status_code == 400
    assert inbound_count(services) == 0


def test_encrypted_payload_with_a_doctype_inside_is_a_bad_request(chat: Chat,
                                                                   wechat: WeChatSide) -> None:
    inner = '<!DOCTYPE xml [<!ENTITY e "x">]>' + wechat.text(OPENID, "菜单")
    assert chat.send(inner, encrypted=True).status_code == 400


def test_message_encrypted_for_another_account_is_forbidden(chat: Chat,
                                                            wechat: WeChatSide) -> None:
    other = WeChatSide(replace(wechat.settings, appid="wx_somebody_else"), now=wechat.now)
    assert chat.post(other.deliver(other.text(OPENID, "菜单"))).status_code == 403


@pytest.mark.parametrize("xml", [
    "<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime>"
    "<MsgType>hologram</MsgType><MsgId>77</MsgId></xml>",
    "<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime>"
    "<MsgType>event</MsgType><Event>some_future_event</Event></xml>",
], ids=["unknown-message-type", "unknown-event"])
def test_unknown_types_get_success_are_recorded_and_reach_no_handler(chat: Chat, services: Services,
                                                                     xml: str) -> None:
    res = chat.send(xml)
    assert res.status_code == 200 and res.text == "success"
    with services.sessions() as session:
        record = session.scalars(sa.select(InboundMessage)).one()
    assert record.route == "ignored" and "unknown" in (record.msg_type + (record.event or ""))


def test_rejections_are_logged_once_with_the_reason(chat: Chat, wechat: WeChatSide,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    delivery = wechat.deliver(wechat.text(OPENID, "菜单"))
    with caplog.at_level(logging.WARNING):
        chat.client.post("/wechat", query_string=delivery.params | {"signature": "0" * 40},
                         data=delivery.body)
    rejected = [r.getMessage() for r in caplog.records if "rejected" in r.getMessage()]
    assert len(rejected) == 1 and "wrong signature" in rejected[0]


def _signed_plain(chat: Chat, wechat: WeChatSide, body: str):
    delivery = wechat.deliver(wechat.text(OPENID, "x"), encrypted=False)
    return chat.client.post("/wechat", query_string=delivery.params, data=body.encode())


MALFORMED = {
    "create-time-text": "<CreateTime>abc</CreateTime>",
    "create-time-huge": "<CreateTime>99999999999999999999</CreateTime>",
    "msg-id-text": "<CreateTime>1</CreateTime><MsgId>abc</MsgId>",
    "nested-content": "<CreateTime>1</CreateTime><Content><a>b</a></Content>",
    "no-sender": None,
}


@pytest.mark.parametrize("inner", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_signed_but_malformed_message_is_a_bad_request(services: Services, wechat: WeChatSide,
                                                         inner: str | None) -> None:
    chat = Chat(create_app(services=_plain(services)).test_client(), wechat)
    sender = "" if inner is None else f"<FromUserName>{OPENID}</FromUserName>"
    body = (f"<xml><ToUserName>gh</ToUserName>{sender}<MsgType>text</MsgType>"
            f"{inner or '<CreateTime>1</CreateTime><Content>菜单</Content>'}</xml>")
    if "<Content>" not in body:
        body = body.replace("</xml>", "<Content>菜单</Content></xml>")
    assert _signed_plain(chat, wechat, body).status_code == 400
    assert inbound_count(services) == 0


def _plain(services: Services, mode: str = "plain") -> Services:
    services.settings = replace(services.settings,
                                wechat=replace(services.settings.wechat, mode=mode))
    return services


def test_compat_mode_cannot_be_downgraded_by_dropping_encrypt_type(services: Services,
                                                                    wechat: WeChatSide) -> None:
    chat = Chat(create_app(services=_plain(services, "compat")).test_client(), wechat)
    genuine = wechat.deliver(wechat.text(OPENID, "菜单"), encrypted=True)
    forged_plain = wechat.text("o_someone_else_01", "菜单")
    body = genuine.body.decode().replace("</xml>", forged_plain[5:-6] + "</xml>")
    params = {k: v for k, v in genuine.params.items() if k not in ("encrypt_type",)}
    res = chat.client.post("/wechat", query_string=params, data=body.encode())
    assert res.status_code == 200
    with services.sessions() as session:
        senders = session.scalars(sa.select(InboundMessage.openid)).all()
    assert senders == [OPENID]  # the encrypted, signed sender; not the plain fields beside it


def test_menu_link_taps_are_recorded_with_the_page_each_opened(chat: Chat, wechat: WeChatSide,
                                                              services: Services) -> None:
    """A tap on a menu link (VIEW) or a scan carries its page or scene in EventKey: the record
    keeps it, and two links tapped in one second are two taps, not a retry of one."""
    at = int(wechat.now())
    for key in ("https://example.invalid/study", "https://example.invalid/notices"):
        assert chat.send(wechat.event(OPENID, "VIEW", key=key, at=at)).status_code == 200
    assert chat.send(wechat.event(OPENID, "SCAN", key="office_desk", at=at)).status_code == 200
    with services.sessions() as session:
        kept = session.execute(sa.select(InboundMessage.event, InboundMessage.text)
                               .order_by(InboundMessage.id)).all()
    assert [tuple(row) for row in kept] == [("view", "https://example.invalid/study"),
                                           ("view", "https://example.invalid/notices"),
                                           ("scan", "office_desk")]


def test_fields_are_read_as_wechatpy_reads_them() -> None:
    """Leaves as text (CDATA, entities and comments read through), nested elements as fields of
    their own, a repeated tag as a list; what lies between elements is not a field."""
    body = (b"<xml>\n <A><![CDATA[x<y]]></A><B>a&amp;b<!-- note -->c</B><C/>\n"
            b"<D><E>1</E><E><F>2</F></E></D><?pi ignored?></xml>")
    assert parse_xml(body) == {"A": "x<y", "B": "a&bc", "C": "", "D": {"E": ["1", {"F": "2"}]}}


def test_a_mass_send_report_is_recorded_under_its_msgid(chat: Chat, services: Services) -> None:
    """WeChat's report on a mass send names the send by MsgID (not MsgId): the record keeps it."""
    xml = ("<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime>"
           "<MsgType>event</MsgType><Event>MASSSENDJOBFINISH</Event><MsgID>1000001625</MsgID>"
           "<Status>send success</Status></xml>")
    assert chat.send(xml).status_code == 200
    with services.sessions() as session:
        kept = session.execute(sa.select(InboundMessage.event, InboundMessage.msg_id)).one()
    assert tuple(kept) == ("masssendjobfinish", "1000001625")
