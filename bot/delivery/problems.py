"""Messages that did not get through: every attempt failed, or a sender died mid-call.

Staff see them with `python -m bot outbox problems` and hear of new ones in the daily alert,
so nobody is left unreached without anyone knowing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

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
