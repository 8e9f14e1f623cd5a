"""WeChat's retries and the 5-second rule: one run per delivery, an answer in time, nothing lost."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest
import sqlalchemy as sa

from bot import create_app
from bot.context import Context
from bot.inbound import Inbound
from bot.models import Follower, InboundMessage, OutboxMessage
from bot.replies import Reply, Text
from bot.router import Router
from bot.sandbox.wechat_side import WeChatSide
from bot.services import Services, build_services
from handlers import build_router
from tests.helpers import OPENID, Chat

SLOW_ANSWER = "慢慢来，这是回复。"


class SlowCapability:
    """A capability that takes its time (like a slow database) and counts its runs."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.runs: list[str] = []

    def router(self) -> Router:
        router = build_router()
        router.matcher("slow")(self.answer)
        return router

    def answer(self, msg: Inbound, ctx: Context) -> Reply | None:
        if msg.text == "慢":
            self.runs.append(msg.msg_id)
            time.sleep(self.delay)
            return Text(SLOW_ANSWER)
        if msg.text == "出错":
            raise RuntimeError("a bug in a handler")
        if msg.text == "改了再出错":  # written through the session, then a bug
            ctx.follower.bind_failures = 3
            ctx.session.flush()
            raise RuntimeError("a bug after a write")
        return None


def _services(settings, clock, capability: SlowCapability, budget: float = 2.0) -> Services:
    tuned = replace(settings, wechat=replace(settings.wechat, reply_budget=budget))
    return build_services(tuned, clock=clock, router=capability.router())


@pytest.fixture
def slow() -> SlowCapability:
    return SlowCapability(delay=0.5)


@pytest.fixture
def two_workers(settings, clock, slow: SlowCapability) -> Iterator[tuple[Services, Services]]:
    """Two workers (separate apps, engines and pools) on one database."""
    pair = (_services(settings, clock, slow), _services(settings, clock, slow))
    yield pair
    for s in pair:
        s.close()


def _count(services: Services, model: type) -> int:
    with services.sessions() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def test_a_retry_gets_the_same_reply_without_running_the_handler_again(
        two_workers, wechat: WeChatSide, slow: SlowCapability) -> None:
    first, second = (Chat(create_app(services=s).test_client(), wechat) for s in two_workers)
    delivery = wechat.deliver(wechat.text(OPENID, "慢"))
    replies = [first.post(delivery).text, second.post(delivery).text]
    assert [wechat.open_reply(r)["Content"] for r in replies] == [SLOW_ANSWER, SLOW_ANSWER]
    assert len(slow.runs) == 1
    assert _count(two_workers[0], InboundMessage) == 1


def test_a_retry_arriving_while_the_first_is_running_waits_for_its_answer(
        two_workers, wechat: WeChatSide, slow: SlowCapability) -> None:
    first, second = (Chat(create_app(services=s).test_client(), wechat) for s in two_workers)
    assert retry_while_running(first, second, wechat) == {SLOW_ANSWER}
    assert len(slow.runs) == 1


def retry_while_running(first: Chat, second: Chat, wechat: WeChatSide) -> set[str]:
    """What the two deliveries of one 「慢」 got: the first at first, WeChat's retry at second
    while the first worker's handler is still running."""
    delivery = wechat.deliver(wechat.text(OPENID, "慢"))
    bodies: dict[str, str] = {}
    worker = threading.Thread(target=lambda: bodies.update(a=first.post(delivery).text))
    worker.start()
    time.sleep(0.15)  # the retry lands while the first worker's handler is still running
    bodies["b"] = second.post(delivery).text
    worker.join()
    return {wechat.open_reply(b)["Content"] for b in bodies.values()}


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
    services = _services(settings, clock, slow, budget=0.3)
    try:
        chat = Chat(create_app(services=services).test_client(), wechat)
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
        services.close()


def test_a_handler_bug_gets_a_kind_apology_and_the_message_is_kept(
        settings, clock, wechat: WeChatSide) -> None:
    services = _services(settings, clock, SlowCapability(delay=0))
    try:
        reply = Chat(create_app(services=services).test_client(), wechat).say("出错")
        assert "抱歉" in reply and "回复 0" in reply
        assert "Traceback" not in reply and "Error" not in reply
        with services.sessions() as session:
            kept = session.scalars(sa.select(InboundMessage)).one()
        assert (kept.text, kept.route) == ("出错", "error")
    finally:
        services.close()


def test_what_a_failing_handler_wrote_is_undone_with_it(settings, clock, wechat: WeChatSide) -> None:
    services = _services(settings, clock, SlowCapability(delay=0))
    try:
        chat = Chat(create_app(services=services).test_client(), wechat)
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
