"""WeChat's delivery reports (TEMPLATESENDJOBFINISH): kept by the gateway, and used to settle
template messages whose sender died mid-call — sent if WeChat reports them, sent again once if
WeChat reported the messages after them but never them, left for staff otherwise."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from bot.clock import FixedClock
from bot.config import DeliverySettings
from bot.db.engine import transaction
from bot.delivery import outbox
from bot.models import Channel, DeliveryReport, InboundMessage, OutboxMessage, OutboxStatus
from bot.sandbox.wechat_side import WeChatSide
from bot.services import Services
from bot.standin import StandinServer
from tests.helpers import OPENID, Chat, reporting_standin

TEMPLATE = "cgi-bin/message/template/send"
OTHER = "o_other_person_0001"
LEASE = DeliverySettings().send_lease
WAIT = DeliverySettings().report_wait


def queue(services: Services, key: str, to: str = OPENID) -> None:
    with transaction(services.sessions) as session:
        outbox.enqueue(session, recipient=to, dedupe_key=key, text="明天上午九点集中学习。",
                       now=services.clock.now(), kind="notice")


def left_mid_call(services: Services, key: str, channel: Channel = Channel.TEMPLATE) -> None:
    """A message as a sender killed during its call leaves it."""
    queue(services, key)
    with transaction(services.sessions) as session:
        session.execute(sa.update(OutboxMessage).where(OutboxMessage.dedupe_key == key).values(
            status=OutboxStatus.SENDING, channel=channel, attempts=1,
            due_at=services.clock.now() + timedelta(seconds=LEASE)))


def left_then_another_sent(services: Services, clock: FixedClock) -> None:
    """notice:1 left mid-call to OPENID, then notice:2 sent to OTHER five seconds later."""
    left_mid_call(services, "notice:1")
    clock.advance(seconds=5)
    queue(services, "notice:2", to=OTHER)
    assert outbox.drain(services) == 1


def row(services: Services, key: str) -> OutboxMessage:
    with services.sessions() as session:
        return session.scalars(sa.select(OutboxMessage).where(OutboxMessage.dedupe_key == key)).one()


def report(chat: Chat, openid: str, msgid: int | str, status: str = "success") -> None:
    """WeChat posts its report on one template message."""
    answer = chat.send(chat.wechat.template_finished(openid, int(msgid), status))
    assert (answer.status_code, answer.text) == (200, "success")


def test_a_report_is_kept_once_and_is_not_taken_for_a_retirees_message(
        chat: Chat, services: Services) -> None:
    report(chat, OPENID, 200001)
    report(chat, OPENID, 200001)  # WeChat retries when our answer is slow
    with services.sessions() as session:
        kept = session.scalars(sa.select(DeliveryReport)).all()
        inbound = session.scalars(sa.select(InboundMessage)).all()
    assert [(r.msgid, r.openid, r.status) for r in kept] == [("200001", OPENID, "success")]
    assert inbound == []  # the person did nothing: no 48-hour window opens


def test_a_report_without_its_msgid_is_answered_and_nothing_is_kept(chat: Chat,
                                                                     services: Services) -> None:
    xml = chat.wechat.template_finished(OPENID, 200001).replace("<MsgID>200001</MsgID>", "")
    answer = chat.send(xml)
    assert (answer.status_code, answer.text) == (200, "success")
    with services.sessions() as session:
        assert session.scalars(sa.select(DeliveryReport)).all() == []


def test_a_report_that_cannot_be_kept_gets_an_error_so_wechat_tries_again(
        chat: Chat, services: Services, settings, caplog: pytest.LogCaptureFixture) -> None:
    if "postgresql" in settings.database_url:
        pytest.skip("the table is taken away on this test's own SQLite copy only")
    with services.engine.begin() as conn:  # as if the database failed under the gateway
        conn.execute(sa.text("ALTER TABLE delivery_reports RENAME TO gone"))
    answer = chat.send(chat.wechat.template_finished(OPENID, 200001))
    assert (answer.status_code, answer.text) == (500, "internal error")
    assert OPENID not in caplog.text  # the query string's openid is not logged


def test_a_template_message_keeps_the_msgid_wechat_gave_it(templated: Services,
                                                          standin: StandinServer) -> None:
    queue(templated, "notice:1")
    assert outbox.drain(templated) == 1
    [call] = standin.calls(path=TEMPLATE)
    assert row(templated, "notice:1").msgid == str(call.response["msgid"])


def test_a_message_wechat_reports_is_settled_as_sent_without_sending_it_again(
        templated: Services, chat: Chat, standin: StandinServer, clock: FixedClock) -> None:
    left_mid_call(templated, "notice:1")
    clock.advance(seconds=1)
    report(chat, OPENID, 209999)  # WeChat had it: the answer never reached the dead sender
    clock.advance(seconds=LEASE + 1)
    outbox.drain(templated)
    settled = row(templated, "notice:1")
    assert (settled.status, settled.msgid) == (OutboxStatus.SENT, "209999")
    assert standin.calls(path=TEMPLATE) == []


def test_a_report_that_it_could_not_be_delivered_makes_it_dead_for_staff(
        templated: Services, chat: Chat, clock: FixedClock) -> None:
    left_mid_call(templated, "notice:1")
    report(chat, OPENID, 209999, status="failed:user block")
    clock.advance(seconds=LEASE + 1)
    outbox.drain(templated)
    settled = row(templated, "notice:1")
    assert settled.status == OutboxStatus.DEAD and "failed:user block" in settled.last_error


def test_a_message_never_reported_while_later_ones_were_is_sent_again_once(
        templated: Services, chat: Chat, standin: StandinServer, clock: FixedClock) -> None:
    left_then_another_sent(templated, clock)
    report(chat, OTHER, row(templated, "notice:2").msgid)
    clock.advance(seconds=LEASE + 1)
    outbox.drain(templated)
    assert row(templated, "notice:1").status == OutboxStatus.UNCERTAIN  # WeChat may yet report it
    clock.advance(seconds=WAIT)
    assert outbox.drain(templated) == 1
    assert [c.body["touser"] for c in standin.calls(path=TEMPLATE)] == [OTHER, OPENID]
    assert row(templated, "notice:1").status == OutboxStatus.SENT
    clock.advance(seconds=WAIT)
    assert outbox.drain(templated) == 0  # once


def test_no_report_kept_while_its_own_would_have_come_means_no_second_send(
        templated: Services, chat: Chat, standin: StandinServer, clock: FixedClock) -> None:
    left_then_another_sent(templated, clock)
    clock.advance(seconds=LEASE)  # the gateway or its database was down until now:
    report(chat, OTHER, row(templated, "notice:2").msgid)  # this report came in late
    clock.advance(seconds=WAIT)
    outbox.drain(templated)
    assert row(templated, "notice:1").status == OutboxStatus.UNCERTAIN  # its own may have been lost
    assert [c.body["touser"] for c in standin.calls(path=TEMPLATE)] == [OTHER]


def test_two_uncertain_messages_for_one_person_are_left_for_staff(
        templated: Services, chat: Chat, clock: FixedClock) -> None:
    left_mid_call(templated, "notice:1")
    left_mid_call(templated, "notice:2")
    report(chat, OPENID, 209999)  # for one of them, but which?
    clock.advance(seconds=LEASE + WAIT + 1)
    outbox.drain(templated)
    assert {row(templated, k).status for k in ("notice:1", "notice:2")} == {OutboxStatus.UNCERTAIN}


def test_without_reports_an_uncertain_message_stays_for_staff(
        templated: Services, standin: StandinServer, clock: FixedClock) -> None:
    left_then_another_sent(templated, clock)
    clock.advance(seconds=LEASE + WAIT + 1)
    outbox.drain(templated)
    assert row(templated, "notice:1").status == OutboxStatus.UNCERTAIN
    assert [c.body["touser"] for c in standin.calls(path=TEMPLATE)] == [OTHER]


def test_a_report_too_fresh_to_be_matched_holds_back_a_second_send(
        templated: Services, chat: Chat, standin: StandinServer, clock: FixedClock) -> None:
    left_then_another_sent(templated, clock)
    report(chat, OTHER, row(templated, "notice:2").msgid)
    clock.advance(seconds=WAIT - 6)
    report(chat, OPENID, 209999)  # a late report, possibly for it: not sent a second time
    clock.advance(seconds=2)  # the wait is over, but this report is too fresh to be matched yet
    outbox.drain(templated)
    assert row(templated, "notice:1").status == OutboxStatus.UNCERTAIN
    clock.advance(seconds=LEASE + 1)
    outbox.drain(templated)
    assert row(templated, "notice:1").status == OutboxStatus.SENT
    assert [c.body["touser"] for c in standin.calls(path=TEMPLATE)] == [OTHER]


def test_a_report_from_before_it_was_taken_is_not_for_it(templated: Services, chat: Chat,
                                                         clock: FixedClock) -> None:
    report(chat, OPENID, 209998)  # for some earlier message
    clock.advance(seconds=5)
    left_mid_call(templated, "notice:1")
    clock.advance(seconds=LEASE + 1)
    outbox.drain(templated)
    assert row(templated, "notice:1").status == OutboxStatus.UNCERTAIN


def test_a_report_long_after_its_send_could_have_ended_is_not_for_it(
        templated: Services, chat: Chat, clock: FixedClock) -> None:
    left_mid_call(templated, "notice:1")
    clock.advance(seconds=LEASE + WAIT + 1)
    report(chat, OPENID, 209998)  # for something sent later, by some other means
    clock.advance(seconds=LEASE + 1)
    outbox.drain(templated)
    assert row(templated, "notice:1").status == OutboxStatus.UNCERTAIN


def test_a_customer_service_message_left_mid_call_is_not_settled_by_reports(
        templated: Services, chat: Chat, clock: FixedClock) -> None:
    left_mid_call(templated, "notice:1", channel=Channel.CUSTOM)
    report(chat, OPENID, 209999)  # some template message's report: says nothing of this one
    clock.advance(seconds=LEASE + WAIT + 1)
    outbox.drain(templated)
    assert row(templated, "notice:1").status == OutboxStatus.UNCERTAIN


def test_the_stand_in_reports_each_template_message_to_the_server_url(
        templated: Services, clock: FixedClock, wechat: WeChatSide) -> None:
    with reporting_standin(templated, clock) as (_platform, sender):
        queue(sender, "notice:1")
        assert outbox.drain(sender) == 1
        msgid = row(sender, "notice:1").msgid
        assert msgid and _wait_for_report(sender, msgid)


def _wait_for_report(services: Services, msgid: str, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with services.sessions() as session:
            if session.scalars(sa.select(DeliveryReport).where(DeliveryReport.msgid == msgid)).first():
                return True
        time.sleep(0.05)
    return False
