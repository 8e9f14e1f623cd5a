"""Messages that did not get through: every attempt failed, or a sender died mid-call.

Staff see them with `python -m bot outbox problems` and hear of new ones in the daily alert,
so nobody is left unreached without anyone knowing; `outbox resend` queues one again once
the cause is gone (or, for an uncertain one, once staff know it did not arrive).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot import audit
from bot.clock import SHANGHAI
from bot.logs import mask
from bot.models import OutboxMessage, OutboxStatus, Retiree

PROBLEMS = (OutboxStatus.DEAD, OutboxStatus.UNCERTAIN)
LABELS = {OutboxStatus.DEAD: "发送失败", OutboxStatus.UNCERTAIN: "发送中断，未确认是否送达"}


@dataclass(frozen=True)
class Problem:
    """One message that did not get through, and whom to call about it."""

    message: OutboxMessage
    retiree: Retiree | None

    def describe(self) -> str:
        """One line for staff: number, when queued, what, who (with phone), why."""
        m, who = self.message, self.retiree
        person = f"{who.name} {who.phone or '无电话'}" if who else f"账号 {mask(m.recipient)}"
        return (f"{m.id}\t{m.created_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}\t{m.kind}\t{person}\t"
                f"{LABELS[OutboxStatus(m.status)]}：{m.last_error or ''}")


def undelivered(session: Session, since: datetime | None = None) -> list[Problem]:
    """Dead and uncertain messages (last tried since `since`, if given), oldest first."""
    query = (sa.select(OutboxMessage, Retiree).outerjoin(Retiree, Retiree.id == OutboxMessage.retiree_id)
             .where(OutboxMessage.status.in_(PROBLEMS)).order_by(OutboxMessage.id))
    if since is not None:
        query = query.where(OutboxMessage.due_at >= since)  # when it was last tried
    return [Problem(message, retiree) for message, retiree in session.execute(query)]


@dataclass(frozen=True)
class Resent:
    """What `resend` did: the messages queued again, and the numbers it could not take."""

    queued: dict[int, OutboxStatus]  # number → what it was
    refused: dict[int, str]  # number → why not


def resend(session: Session, ids: list[int], *, actor: str, now: datetime) -> Resent:
    """Queue dead or uncertain messages again, as if new (all of them, or none if any is refused).

    They go one by one even if they were part of a mass send; each is audit-logged.
    """
    found = {m.id: m for m in session.scalars(sa.select(OutboxMessage).where(OutboxMessage.id.in_(ids)))}
    refused = {n: why for n in ids if (why := _why_not(found.get(n)))}
    if refused:
        return Resent({}, refused)
    queued = {n: OutboxStatus(found[n].status) for n in ids}
    for message in found.values():
        audit.record(session, actor=actor, action="outbox.resend", at=now, target=f"outbox:{message.id}",
                     was=message.status, error=message.last_error)
        message.status, message.attempts, message.due_at = OutboxStatus.PENDING, 0, now
        message.channel = message.last_error = message.batch = message.mass_id = None
    return Resent(queued, {})


def _why_not(message: OutboxMessage | None) -> str | None:
    if message is None:
        return "没有这个编号"
    if message.status not in PROBLEMS:
        return f"状态是 {message.status}，不是发送失败或中断的消息"
    return None
