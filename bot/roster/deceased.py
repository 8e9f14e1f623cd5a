"""What a recorded death stops within the roster's reach: the greetings and study pushes already
queued to the person. Recording it by hand (bot.roster.edit) and by an import do the same."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.models import OutboxMessage, OutboxStatus

# What a death stops that is already queued: greetings and study pushes to them.
STOPPED_BY_DEATH = ("greeting", "study")


def stop_queued(session: Session, retiree_ids: list[int]) -> None:
    """Cancel the greetings and study pushes still waiting to go to these people."""
    session.execute(sa.update(OutboxMessage).where(
        OutboxMessage.retiree_id.in_(retiree_ids), OutboxMessage.kind.in_(STOPPED_BY_DEATH),
        OutboxMessage.status.in_((OutboxStatus.PENDING, OutboxStatus.MAILBOX)),
    ).values(status=OutboxStatus.CANCELLED, last_error="recipient died"))
