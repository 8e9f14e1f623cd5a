"""The mailbox: what no channel could deliver is shown at the top of the person's next reply."""

from __future__ import annotations

import sqlalchemy as sa

from bot.db.engine import transaction
from bot.delivery import outbox
from bot.models import OutboxMessage, OutboxStatus
from bot.services import Services
from tests.helpers import OPENID, Chat


def park(services: Services, text: str, key: str, title: str | None = None) -> None:
    """Queue a notice to the test user and let the sender put it in the mailbox."""
    with transaction(services.sessions) as session:
        outbox.enqueue(session, recipient=OPENID, dedupe_key=key, text=text, title=title,
                       now=services.clock.now(), kind="notice")
    outbox.drain(services)  # no window, no template: into the mailbox, no call made


def statuses(services: Services) -> list[str]:
    """The status of every outbox row, in order."""
    with services.sessions() as session:
        return list(session.scalars(sa.select(OutboxMessage.status).order_by(OutboxMessage.id)))


def test_waiting_notices_come_before_the_reply_once(chat: Chat, services: Services) -> None:
    park(services, "12 月 5 日上午九点集中学习。", "n1", title="学习通知")
    park(services, "下周二上午体检，请空腹。", "n2")
    assert statuses(services) == [OutboxStatus.MAILBOX, OutboxStatus.MAILBOX]
    reply = chat.say("联系我们")
    assert reply is not None
    assert reply.startswith("您有 2 条新通知：\n"
                            "1. 【学习通知】12 月 5 日上午九点集中学习。\n2. 下周二上午体检")
    assert "办公时间" in reply  # the answer to what they asked is still there
    assert statuses(services) == [OutboxStatus.SHOWN, OutboxStatus.SHOWN]
    again = chat.say("联系我们")
    assert again is not None and "新通知" not in again


def test_what_does_not_fit_in_one_message_waits_for_next_time(chat: Chat, services: Services) -> None:
    for n in range(8):
        park(services, f"第{n + 1}条通知：" + "请各位老同志注意保暖，按时服药，有事及时联系。" * 4, f"n{n}")
    first = chat.say("联系我们")
    assert first is not None and first.startswith("您有 8 条新通知：")
    assert "其余" in first and len(first.encode()) <= 2000
    shown_first = statuses(services).count(OutboxStatus.SHOWN)
    assert 0 < shown_first < 8
    second = chat.say("联系我们")
    assert second is not None and second.startswith(f"您有 {8 - shown_first} 条新通知：")


def test_a_retry_of_the_same_message_shows_the_same_reply(chat: Chat, services: Services) -> None:
    park(services, "明天停水，请提前储水。", "n1")
    delivery = chat.wechat.deliver(chat.wechat.text(OPENID, "联系我们"))
    first, retry = (chat.wechat.open_reply(chat.post(delivery).text)["Content"] for _ in range(2))
    assert first.startswith("您有 1 条新通知") and retry == first  # the stored answer, again
