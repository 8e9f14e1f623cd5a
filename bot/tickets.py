"""Tickets (留言) for staff: which are still waiting for an answer."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.clock import SHANGHAI
from bot.models import Ticket


def unanswered(session: Session) -> list[Ticket]:
    """Tickets with no answer yet, oldest first."""
    return list(session.scalars(sa.select(Ticket).where(Ticket.answered_at.is_(None))
                                .order_by(Ticket.created_at, Ticket.id)))


def describe(ticket: Ticket) -> str:
    """One line for staff: number, time (Beijing), retiree id, text."""
    when = ticket.created_at.astimezone(SHANGHAI)
    return f"{ticket.id}\t{when:%Y-%m-%d %H:%M}\tretiree={ticket.retiree_id or '-'}\t{ticket.text}"
