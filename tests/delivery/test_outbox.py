"""The outbox sender: each message queued once, sent once, by the channel WeChat allows now."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import date, timedelta

import sqlalchemy as sa

from bot.clock import FixedClock
from bot.config import DeliverySettings, Settings
from bot.db.engine import transaction
from bot.delivery import outbox
from bot.models import Channel, Follower, OutboxMessage, OutboxStatus, Retiree
from bot.sandbox.wechat_side import WeChatSide
from bot.services import Services, build_services
from bot.standin import StandinServer
from tests.gateway.slow import SLOW_ANSWER, SlowCapability, close_when_idle
from tests.helpers import OPENID, Chat, user_wrote

CUSTOM = "cgi-bin/message/custom/send"
TEMPLATE = "cgi-bin/message/template/send"


def queue(services: Services, text: str, key: str, kind: str = "notice", **extra: object) -> bool:
    """Enqueue text for the test user."""
    with transaction(services.sessions) as session:
        return outbox.enqueue(session, recipient=OPENID, dedupe_key=key, text=text,
                              now=services.clock.now(), kind=kind, **extra)


def rows(services: Services) -> list[OutboxMessage]:
    """Every outbox row, in order."""
    with services.sessions() as session:
        return list(session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def open_window(services: Services, standin: StandinServer, openid: str = OPENID) -> None:
    """The user writes: both WeChat (the stand-in) and we know the window is open."""
    standin.open_window(openid)
    user_wrote(services, openid)


def test_a_second_enqueue_with_the_same_key_is_a_no_op(api_services: Services) -> None:
    assert queue(api_services, "您好", "notice:1") is True
    assert queue(api_services, "您好", "notice:1") is False
    assert len(rows(api_services)) == 1


def test_inside_the_window_messages_go_as_customer_service_messages_once(
        api_services: Services, standin: StandinServer) -> None:
    open_window(api_services, standin)
    queue(api_services, "第一条", "k1")
    queue(api_services, "第二条", "k2")
    assert outbox.drain(api_services) == 2
    assert outbox.drain(api_services) == 0
    assert [c.body["text"]["content"] for c in standin.calls(path=CUSTOM)] == ["第一条", "第二条"]
    assert {(r.status, r.channel) for r in rows(api_services)} == {(OutboxStatus.SENT, Channel.CUSTOM)}


def test_one_persons_messages_arrive_in_the_order_they_were_queued(
        api_services: Services, standin: StandinServer) -> None:
    open_window(api_services, standin)
    texts = [f"第{n}条" for n in range(1, 6)]  # the window's whole allowance, sent in parallel
    for n, text in enumerate(texts):
        queue(api_services, text, f"k{n}")
    assert outbox.drain(api_services) == len(texts)
    assert [c.body["text"]["content"] for c in standin.calls(path=CUSTOM)] == texts


def test_outside_the_window_without_a_template_a_message_waits_in_the_mailbox(
        api_services: Services, standin: StandinServer) -> None:
    user_wrote(api_services, minutes_ago=49 * 60)  # two days ago: the window has shut
    queue(api_services, "下周三体检", "k1")
    assert outbox.drain(api_services) == 0
    assert standin.calls(path=CUSTOM) == [] and standin.calls(path=TEMPLATE) == []
    [row] = rows(api_services)
    assert (row.status, row.channel) == (OutboxStatus.MAILBOX, Channel.MAILBOX)


def test_outside_the_window_a_configured_template_is_used(templated: Services,
                                                          standin: StandinServer) -> None:
    queue(templated, "12 月 5 日上午九点在老干部活动中心集中学习，请准时参加。", "k1",
          title="学习通知")
    assert outbox.drain(templated) == 1
    [call] = standin.calls(path=TEMPLATE)
    assert call.body["template_id"] == "TPL_NOTICE" and call.body["touser"] == OPENID
    data = call.body["data"]  # an id alone: an old-library template, without first and remark
    assert set(data) == {"keyword1", "keyword2"} and data["keyword2"]["value"] == "2026年11月22日"
    assert data["keyword1"]["value"] == "12 月 5 日上午九点在老干部活动中…"  # 20 characters, cut readably
    assert rows(templated)[0].channel == Channel.TEMPLATE


def test_when_the_allowance_is_used_up_the_next_channel_is_chosen(templated: Services,
                                                                   standin: StandinServer) -> None:
    open_window(templated, standin)
    for n in range(6):  # five customer-service messages fit in one window
        queue(templated, f"第{n}条", f"k{n}")
    assert outbox.drain(templated) == 6
    assert len(standin.calls(path=CUSTOM)) == 5 and len(standin.calls(path=TEMPLATE)) == 1


def test_wechat_saying_the_window_is_shut_moves_on_to_the_next_channel(
        api_services: Services, standin: StandinServer) -> None:
    user_wrote(api_services)  # we think the window is open, but WeChat answers 45015
    queue(api_services, "您好", "k1")
    assert outbox.drain(api_services) == 0
    [call] = standin.calls(path=CUSTOM)
    assert call.errcode == 45015
    assert rows(api_services)[0].status == OutboxStatus.MAILBOX


def test_network_failures_are_retried_with_backoff_then_dead(services: Services,
                                                             clock: FixedClock) -> None:
    # `services` points at a closed port: every call fails to connect.
    user_wrote(services)
    queue(services, "您好", "k1")
    assert outbox.drain(services) == 0
    [row] = rows(services)
    assert row.status == OutboxStatus.PENDING and row.attempts == 1 and row.due_at > clock.now()
    assert "ConnectionError" in row.last_error
    assert services.settings.wechat.secret not in row.last_error and "access_token=" not in row.last_error
    assert outbox.drain(services) == 0 and rows(services)[0].attempts == 1  # not due yet
    for _ in range(outbox.MAX_ATTEMPTS):
        clock.advance(hours=2)
        user_wrote(services)
        outbox.drain(services)
    [row] = rows(services)
    assert row.status == OutboxStatus.DEAD and row.attempts == outbox.MAX_ATTEMPTS


def test_a_rate_limit_answer_backs_off_for_a_minute(api_services: Services, standin: StandinServer,
                                                    clock: FixedClock) -> None:
    open_window(api_services, standin)
    standin.state.settings.minute_limits[CUSTOM] = 0  # WeChat answers 45011 to every call
    queue(api_services, "您好", "k1")
    assert outbox.drain(api_services) == 0
    [row] = rows(api_services)
    assert row.status == OutboxStatus.PENDING and row.due_at >= clock.now() + timedelta(seconds=59)


def test_the_deceased_and_those_who_unfollowed_are_skipped_not_failed(
        api_services: Services, standin: StandinServer) -> None:
    open_window(api_services, standin)
    now = api_services.clock.now()
    with transaction(api_services.sessions) as session:
        person = Retiree(name="王建国", birth_date=date(1930, 1, 1), status="离休",
                         died_on=date(2026, 11, 1), created_at=now, updated_at=now)
        session.add(person)
        session.add(Follower(openid="o_gone", active=False, first_seen_at=now))
        session.flush()
        late = person.id
    queue(api_services, "给去世的人", "k1", retiree_id=late)
    with transaction(api_services.sessions) as session:
        outbox.enqueue(session, recipient="o_gone", dedupe_key="k2", text="给取消关注的人",
                       now=api_services.clock.now())
    assert outbox.drain(api_services) == 0
    assert standin.calls(path=CUSTOM) == []
    assert [(r.status, r.last_error) for r in rows(api_services)] == [
        (OutboxStatus.CANCELLED, "skipped: the retiree has died"),
        (OutboxStatus.CANCELLED, "skipped: no longer follows the account")]


def test_a_message_whose_sender_died_mid_call_is_never_sent_again(api_services: Services,
                                                                   standin: StandinServer,
                                                                   clock: FixedClock) -> None:
    open_window(api_services, standin)
    queue(api_services, "您好", "k1")
    with transaction(api_services.sessions) as session:  # as a sender leaves it when killed
        session.execute(sa.update(OutboxMessage).values(
            status=OutboxStatus.SENDING, attempts=1, due_at=clock.now() + timedelta(seconds=60)))
    clock.advance(minutes=2)
    assert outbox.drain(api_services) == 0
    assert standin.calls(path=CUSTOM) == []
    assert rows(api_services)[0].status == OutboxStatus.UNCERTAIN


def test_the_per_minute_limit_holds_the_rest_back(api_services: Services, standin: StandinServer,
                                                  clock: FixedClock) -> None:
    settings = replace(api_services.settings, delivery=DeliverySettings(sends_per_minute=2))
    paced = build_services(settings, clock=clock)
    try:
        open_window(paced, standin)
        for n in range(4):
            queue(paced, f"第{n}条", f"k{n}")
        assert outbox.drain(paced) == 2
        assert outbox.drain(paced) == 0
        assert [r.status for r in rows(paced)].count(OutboxStatus.PENDING) == 2
    finally:
        paced.close()


def test_a_slow_reply_reaches_the_user_as_a_customer_service_message(
        settings: Settings, clock: FixedClock, wechat: WeChatSide, standin: StandinServer) -> None:
    wired = replace(settings, wechat=replace(settings.wechat, api_base_url=standin.base_url,
                                             reply_budget=0.3))
    services = build_services(wired, clock=clock)
    try:
        chat = Chat(SlowCapability(delay=1.0).client(services), wechat)
        standin.open_window(OPENID)  # the user just wrote, as WeChat knows
        assert chat.send(wechat.text(OPENID, "慢")).text == "success"
        deadline = time.monotonic() + 5
        while not rows(services) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert outbox.drain(services) == 1
        [call] = standin.calls(path=CUSTOM)
        assert call.body == {"touser": OPENID, "msgtype": "text", "text": {"content": SLOW_ANSWER}}
    finally:
        close_when_idle(services)


def test_two_senders_at_once_deliver_each_message_exactly_once(api_services: Services,
                                                               standin: StandinServer,
                                                               clock: FixedClock) -> None:
    open_window(api_services, standin)
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
    sent = [c.body["text"]["content"] for c in standin.calls(path=CUSTOM)]
    assert sorted(sent) == [f"第{n}条" for n in range(5)]
    assert {r.status for r in rows(api_services)} == {OutboxStatus.SENT}


def test_a_send_whose_answer_never_came_is_left_uncertain_and_never_sent_again(
        api_services: Services, standin: StandinServer, clock: FixedClock) -> None:
    slow = build_services(replace(api_services.settings, wechat=replace(api_services.settings.wechat,
                                                                        timeout=0.3)), clock=clock)
    try:
        open_window(slow, standin)
        queue(slow, "明天体检", "k1")
        assert slow.wechat.access_token
        standin.state.settings.latency = 0.6  # WeChat takes it, but answers after we stop waiting
        assert outbox.drain(slow) == 0
        standin.state.settings.latency = 0.0
        clock.advance(hours=1)
        outbox.drain(slow)
    finally:
        slow.close()
    time.sleep(0.5)  # the stand-in finishes the first call
    assert len(standin.calls(path=CUSTOM)) == 1
    [row] = rows(api_services)
    assert row.status == OutboxStatus.UNCERTAIN and "no clear answer" in row.last_error


def test_a_sender_whose_claim_lapsed_does_not_overwrite_what_another_sender_did(
        templated: Services, standin: StandinServer, clock: FixedClock) -> None:
    from bot.delivery.attempt import send_claimed
    from bot.delivery.book import DeliveryBook

    queue(templated, "下周三体检", "k1")
    stale = outbox._claim(templated, 10)  # the first sender claims, then stalls
    clock.advance(seconds=templated.settings.delivery.claim_lease + 1)
    assert outbox.drain(templated) == 1  # another sender takes it over and sends it
    with templated.sessions() as session:
        book = DeliveryBook.load(session, replace(templated.settings.delivery, templates={}), stale,
                                 clock.now())  # the first sender would have put it in the mailbox
    assert send_claimed(templated, stale, book) == 0
    [row] = rows(templated)
    assert (row.status, row.channel) == (OutboxStatus.SENT, Channel.TEMPLATE)
    assert len(standin.calls(path=TEMPLATE)) == 1
