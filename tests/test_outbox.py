"""The outbox: each message queued once, delivered through the stand-in, retried, or dead."""

from __future__ import annotations

import time
from dataclasses import replace

import sqlalchemy as sa

from bot import create_app, outbox
from bot.db import transaction
from bot.models import OutboxMessage, OutboxStatus
from bot.replies import Text, as_custom_message
from bot.sandbox.wechat_side import WeChatSide
from bot.services import Services, build_services
from bot.standin import StandinServer
from tests.gateway.test_retries import SLOW_ANSWER, SlowCapability
from tests.helpers import OPENID, Chat


def queue(services: Services, text: str, key: str) -> bool:
    with transaction(services.sessions) as session:
        return outbox.enqueue(session, recipient=OPENID, dedupe_key=key,
                              payload=as_custom_message(Text(text), OPENID),
                              now=services.clock.now())


def rows(services: Services) -> list[OutboxMessage]:
    with services.sessions() as session:
        return list(session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def test_a_second_enqueue_with_the_same_key_is_a_no_op(api_services: Services) -> None:
    assert queue(api_services, "您好", "notice:1") is True
    assert queue(api_services, "您好", "notice:1") is False
    assert len(rows(api_services)) == 1


def test_drain_delivers_due_messages_once(api_services: Services, standin: StandinServer) -> None:
    standin.open_window(OPENID)
    queue(api_services, "第一条", "k1")
    queue(api_services, "第二条", "k2")
    assert outbox.drain(api_services) == 2
    assert outbox.drain(api_services) == 0
    sent = standin.calls(path="cgi-bin/message/custom/send")
    assert [c.body["text"]["content"] for c in sent] == ["第一条", "第二条"]
    assert {r.status for r in rows(api_services)} == {OutboxStatus.SENT}


def test_a_failed_send_is_retried_later_with_backoff(api_services: Services,
                                                     standin: StandinServer, clock) -> None:
    queue(api_services, "窗口外", "k1")  # the user has not written: 45015
    assert outbox.drain(api_services) == 0
    [row] = rows(api_services)
    assert row.status == OutboxStatus.PENDING and row.attempts == 1
    assert "45015" in row.last_error and row.due_at > clock.now()
    assert outbox.drain(api_services) == 0  # not due yet: no second call
    assert len(standin.calls(path="cgi-bin/message/custom/send")) == 1
    standin.open_window(OPENID)
    clock.advance(minutes=1)
    assert outbox.drain(api_services) == 1


def test_after_the_last_attempt_a_message_is_dead_and_kept(api_services: Services,
                                                           clock) -> None:
    queue(api_services, "总是失败", "k1")
    for _ in range(outbox.MAX_ATTEMPTS):
        outbox.drain(api_services)
        clock.advance(hours=2)
    [row] = rows(api_services)
    assert row.status == OutboxStatus.DEAD and row.attempts == outbox.MAX_ATTEMPTS


def test_a_slow_reply_reaches_the_user_as_a_customer_service_message(
        settings, clock, wechat: WeChatSide, standin: StandinServer) -> None:
    wired = replace(settings, wechat=replace(settings.wechat, api_base_url=standin.base_url,
                                             reply_budget=0.3))
    services = build_services(wired, clock=clock, router=SlowCapability(delay=1.0).router())
    try:
        chat = Chat(create_app(services=services).test_client(), wechat)
        standin.open_window(OPENID)  # the user just wrote, as WeChat knows
        assert chat.send(wechat.text(OPENID, "慢")).text == "success"
        deadline = time.monotonic() + 5
        while not rows(services) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert outbox.drain(services) == 1
        [call] = standin.calls(path="cgi-bin/message/custom/send")
        assert call.body == {"touser": OPENID, "msgtype": "text", "text": {"content": SLOW_ANSWER}}
    finally:
        services.close()


def test_an_unreachable_wechat_leaves_no_secret_in_the_error(services: Services, clock) -> None:
    # `services` points at a closed port: the token request itself fails to connect.
    queue(services, "您好", "k1")
    assert outbox.drain(services) == 0
    [row] = rows(services)
    assert "ConnectionError" in row.last_error
    assert services.settings.wechat.secret not in row.last_error
    assert "secret=" not in row.last_error and "access_token=" not in row.last_error


def test_one_broken_message_does_not_stop_the_others(api_services: Services,
                                                     standin: StandinServer) -> None:
    standin.open_window(OPENID)
    with transaction(api_services.sessions) as session:
        outbox.enqueue(session, recipient=OPENID, dedupe_key="odd", channel="pigeon",
                       payload={"text": "?"}, now=api_services.clock.now())
    queue(api_services, "正常的一条", "k2")
    assert outbox.drain(api_services) == 1
    odd, normal = rows(api_services)
    assert "pigeon" in odd.last_error and odd.status == OutboxStatus.PENDING
    assert normal.status == OutboxStatus.SENT


def test_two_senders_at_once_deliver_each_message_exactly_once(api_services: Services,
                                                               standin: StandinServer,
                                                               clock) -> None:
    import threading

    standin.open_window(OPENID)
    for n in range(5):  # the stand-in allows 5 customer-service messages per window
        queue(api_services, f"第{n}条", f"k{n}")
    other = build_services(api_services.settings, clock=clock)
    try:
        threads = [threading.Thread(target=outbox.drain, args=(s,)) for s in (api_services, other)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        other.close()
    sent = [c.body["text"]["content"] for c in standin.calls(path="cgi-bin/message/custom/send")]
    assert sorted(sent) == [f"第{n}条" for n in range(5)]
    assert {r.status for r in rows(api_services)} == {OutboxStatus.SENT}
