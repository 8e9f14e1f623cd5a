"""What an attacker found at /wechat: each is refused with a 4xx, changes nothing, logs no trace."""

from __future__ import annotations

import base64
import logging
import os
import re
from dataclasses import replace

import pytest
import sqlalchemy as sa

from bot import create_app
from bot.gateway.wire import sign
from bot.models import InboundMessage
from bot.sandbox.wechat_side import ACCOUNT, WeChatSide
from bot.services import Services
from tests.helpers import OPENID, Chat


def records(services: Services) -> list[InboundMessage]:
    with services.sessions() as session:
        return list(session.scalars(sa.select(InboundMessage).order_by(InboundMessage.id)))


def plain_chat(services: Services, wechat: WeChatSide) -> Chat:
    services.settings = replace(services.settings, wechat=replace(services.settings.wechat, mode="plain"))
    return Chat(create_app(services=services).test_client(), wechat)


def test_an_unknown_xml_encoding_is_a_bad_request(services: Services, wechat: WeChatSide,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    chat = plain_chat(services, wechat)
    delivery = wechat.deliver(wechat.text(OPENID, "菜单"), encrypted=False)
    body = b"<?xml version='1.0' encoding='bogus-enc'?>" + delivery.body
    res = chat.client.post("/wechat", query_string=delivery.params, data=body)
    assert res.status_code == 400 and records(services) == []
    assert "Traceback" not in caplog.text


def test_ciphertext_that_does_not_decrypt_is_a_bad_request(chat: Chat, wechat: WeChatSide,
                                                           services: Services,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    statuses = set()
    for size in (16, 32, 48, 64, 80, 96, 112, 128):
        encrypt = base64.b64encode(os.urandom(size)).decode()  # any bytes, correctly signed
        delivery = wechat.deliver(wechat.text(OPENID, "菜单"))
        timestamp, nonce = delivery.params["timestamp"], delivery.params["nonce"]
        params = delivery.params | {"msg_signature": sign(wechat.settings.token, timestamp, nonce, encrypt)}
        body = f"<xml><ToUserName>{ACCOUNT}</ToUserName><Encrypt>{encrypt}</Encrypt></xml>".encode()
        statuses.add(chat.client.post("/wechat", query_string=params, data=body).status_code)
    assert statuses <= {400, 403} and records(services) == []
    assert "Traceback" not in caplog.text and "internal error" not in caplog.text


def test_a_signed_query_string_cannot_carry_another_body(services: Services, wechat: WeChatSide) -> None:
    """In plain mode the query's signature does not cover the body: a query string seen once is
    refused with any other body for as long as its timestamp is fresh."""
    chat = plain_chat(services, wechat)
    genuine = wechat.deliver(wechat.text(OPENID, "联系我们"), encrypted=False)
    assert chat.post(genuine).status_code == 200
    forged = wechat.text("o_somebody_else_0001", "解绑")
    res = chat.client.post("/wechat", query_string=genuine.params, data=forged.encode())
    assert res.status_code == 403
    assert [r.openid for r in records(services)] == [OPENID]


def test_a_retry_with_the_same_query_and_body_is_still_answered(services: Services,
                                                                 wechat: WeChatSide) -> None:
    chat = plain_chat(services, wechat)
    genuine = wechat.deliver(wechat.text(OPENID, "联系我们"), encrypted=False)
    first, second = chat.post(genuine), chat.post(genuine)
    assert first.status_code == second.status_code == 200 and first.text == second.text
    assert len(records(services)) == 1


def test_one_users_msg_id_never_gives_another_their_reply(chat: Chat, wechat: WeChatSide,
                                                          services: Services) -> None:
    mine = chat.reply_to(wechat.text(OPENID, "联系我们", msg_id=424242))
    theirs = chat.reply_to(wechat.text("o_other_user_0002", "菜单", msg_id=424242))
    assert "电话" in mine and "回复 1" in theirs  # answered as themselves, not with mine
    assert [(r.openid, r.text) for r in records(services)] == [(OPENID, "联系我们"),
                                                               ("o_other_user_0002", "菜单")]
    follow = chat.reply_to(wechat.event("o_other_user_0002", "subscribe"))
    assert follow is not None and "欢迎关注" in follow


@pytest.mark.parametrize("field", ["FromUserName", "ToUserName"])
def test_an_overlong_id_is_a_bad_request_on_every_database(chat: Chat, wechat: WeChatSide,
                                                           services: Services, field: str) -> None:
    xml = wechat.text(OPENID, "菜单").replace(OPENID if field == "FromUserName" else ACCOUNT, "o" * 65)
    assert chat.send(xml).status_code == 400 and records(services) == []


def test_cdata_end_in_any_text_cannot_break_the_reply(services: Services, wechat: WeChatSide,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    from bot.config import StaffSettings

    services.settings = replace(services.settings, staff=StaffSettings(openids=("o_staff_member_01",)))
    chat = Chat(create_app(services=services).test_client(), wechat)
    hostile = "开会]]><MsgType><![CDATA[news]]></MsgType><Content>"
    with caplog.at_level(logging.WARNING):
        reply = chat.say(f"通知 {hostile} 开会", openid="o_staff_member_01")
    assert reply is not None and hostile in reply  # echoed whole (no such group), as text


def test_a_delivery_reports_query_string_cannot_carry_another_body(services: Services,
                                                                   wechat: WeChatSide) -> None:
    from bot.models import DeliveryReport

    chat = plain_chat(services, wechat)
    genuine = wechat.deliver(wechat.template_finished(OPENID, 1001), encrypted=False)
    assert chat.post(genuine).status_code == 200
    assert chat.post(genuine).status_code == 200  # WeChat's retry of the same report
    forged = wechat.template_finished("o_somebody_else_0001", 2002, status="failed:user block")
    assert chat.client.post("/wechat", query_string=genuine.params, data=forged.encode()).status_code == 403
    with services.sessions() as session:
        assert session.scalars(sa.select(DeliveryReport.msgid)).all() == ["1001"]


def test_an_overlong_nonce_is_refused(chat: Chat, wechat: WeChatSide, services: Services) -> None:
    delivery = wechat.deliver(wechat.text(OPENID, "菜单"))
    nonce = "n" * 200
    params = delivery.params | {"nonce": nonce,
                                "signature": sign(wechat.settings.token, delivery.params["timestamp"], nonce)}
    assert chat.client.post("/wechat", query_string=params, data=delivery.body).status_code == 403
    assert records(services) == []


def test_a_field_nested_thousands_deep_is_read_without_a_traceback(services: Services, wechat: WeChatSide,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    """Elements nested thousands deep, well within 64 KiB, are read without recursion: an extra
    field leaves the message answered like any other (it was a 500 and a traceback); in a field
    the message is read by (its text, its time, its id), it is a 400: not text."""
    chat = plain_chat(services, wechat)
    nested = b"<a>" * 3000 + b"</a>" * 3000
    for field, status in (("Extra", 200), ("Content", 400), ("CreateTime", 400), ("MsgId", 400)):
        delivery = wechat.deliver(wechat.text(OPENID, "菜单"), encrypted=False)
        body = re.sub(f"<{field}>.*?</{field}>".encode(), b"", delivery.body)
        body = body.replace(b"</xml>", f"<{field}>".encode() + nested + f"</{field}></xml>".encode())
        assert chat.client.post("/wechat", query_string=delivery.params, data=body).status_code == status
    assert len(records(services)) == 1
    assert "Traceback" not in caplog.text
