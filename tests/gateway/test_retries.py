"""WeChat's retries and the 5-second rule: one run per delivery, an answer in time, nothing lost."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from bot.models import Follower, InboundMessage, OutboxMessage
from bot.sandbox.wechat_side import WeChatSide
from bot.services import Services
from tests.gateway.slow import (
    SLOW_ANSWER,
    SlowCapability,
    close_when_idle,
    retry_while_running,
    tuned_services,
)
from tests.helpers import OPENID, Chat


@pytest.fixture
def slow() -> SlowCapability:
    return SlowCapability(delay=0.5)


@pytest.fixture
def two_workers(settings, clock, slow: SlowCapability) -> Iterator[tuple[Services, Services]]:
    """Two workers (separate apps, engines and pools) on one database."""
    pair = (tuned_services(settings, clock), tuned_services(settings, clock))
    yield pair
    for s in pair:
        s.close()


def _count(services: Services, model: type) -> int:
    with services.sessions() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def test_a_retry_gets_the_same_reply_without_running_the_handler_again(
        two_workers, wechat: WeChatSide, slow: SlowCapability) -> None:
    first, second = (Chat(slow.client(s), wechat) for s in two_workers)
    delivery = wechat.deliver(wechat.text(OPENID, "慢"))
    replies = [first.post(delivery).text, second.post(delivery).text]
    assert [wechat.open_reply(r)["Content"] for r in replies] == [SLOW_ANSWER, SLOW_ANSWER]
    assert len(slow.runs) == 1
    assert _count(two_workers[0], InboundMessage) == 1


def test_a_retry_arriving_while_the_first_is_running_waits_for_its_answer(
        two_workers, wechat: WeChatSide, slow: SlowCapability) -> None:
    first, second = (Chat(slow.client(s), wechat) for s in two_workers)
    assert retry_while_running(first, second, wechat) == {SLOW_ANSWER}
    assert len(slow.runs) == 1


def test_a_new_message_with_the_same_text_is_answered_again(chat: Chat, services: Services) -> None:
    assert chat.say("联系我们") == chat.say("联系我们")
    assert _count(services, InboundMessage) == 2  # two MsgIds: two messages, not a retry


def test_an_event_retried_by_wechat_runs_once(chat: Chat, wechat: WeChatSide,
                                              services: Services) -> None:
    delivery = wechat.deliver(wechat.event(OPENID, "CLICK", key="CONTACT"))
    first, retry = chat.post(delivery).text, chat.post(delivery).text
    assert wechat.open_reply(first)["Content"] == wechat.open_reply(retry)["Content"]
    assert _count(services, InboundMessage) == 1


def test_a_slow_handler_gets_success_in_time_and_its_reply_goes_to_the_outbox(
        settings, clock, wechat: WeChatSide) -> None:
    slow = SlowCapability(delay=1.0)
    services = tuned_services(settings, clock, budget=0.3)
    try:
        chat = Chat(slow.client(services), wechat)
        delivery = wechat.deliver(wechat.text(OPENID, "慢"))
        started = time.monotonic()
        res = chat.post(delivery)
        assert res.text == "success"
        assert time.monotonic() - started < 0.9  # answered at the budget, not after the handler
        assert chat.post(delivery).text == "success"  # WeChat's retry: same answer, no second run
        _wait_for(lambda: _count(services, OutboxMessage) == 1)
        with services.sessions() as session:
            row = session.scalars(sa.select(OutboxMessage)).one()
        assert row.recipient == OPENID and row.status == "pending"  # its channel is chosen when sent
        assert row.payload["text"] == SLOW_ANSWER
        assert len(slow.runs) == 1
    finally:
        close_when_idle(services)


def test_a_handler_bug_gets_a_kind_apology_and_the_message_is_kept(
        settings, clock, wechat: WeChatSide) -> None:
    slow = SlowCapability(delay=0)
    services = tuned_services(settings, clock)
    try:
        reply = Chat(slow.client(services), wechat).say("出错")
        assert "抱歉" in reply and "回复 0" in reply
        assert "Traceback" not in reply and "Error" not in reply
        with services.sessions() as session:
            kept = session.scalars(sa.select(InboundMessage)).one()
        assert (kept.text, kept.route) == ("出错", "error")
    finally:
        services.close()


def test_what_a_failing_handler_wrote_is_undone_with_it(settings, clock, wechat: WeChatSide) -> None:
    slow = SlowCapability(delay=0)
    services = tuned_services(settings, clock)
    try:
        chat = Chat(slow.client(services), wechat)
        chat.say("你好")
        assert "抱歉" in chat.say("改了再出错")
        with services.sessions() as session:
            assert session.get(Follower, OPENID).bind_failures == 0
            routes = session.scalars(sa.select(InboundMessage.route).order_by(InboundMessage.id))
            assert list(routes)[-1] == "error"
    finally:
        services.close()


def _wait_for(condition, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)
