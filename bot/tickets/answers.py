"""Tickets (留言) for staff: which wait for an answer, and answering one."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot import audit
from bot.clock import SHANGHAI
from bot.delivery import outbox
from bot.language.texts import Texts
from bot.models import Retiree, Ticket


class TicketError(ValueError):
    """A staff command about a ticket cannot be done; the message says why."""


def unanswered(session: Session, older_than: datetime | None = None) -> list[Ticket]:
    """Tickets with no answer yet (only those left before older_than, if given), oldest first."""
    query = sa.select(Ticket).where(Ticket.answered_at.is_(None))
    if older_than is not None:
        query = query.where(Ticket.created_at < older_than)
    return list(session.scalars(query.order_by(Ticket.created_at, Ticket.id)))


def answered(session: Session, limit: int) -> list[Ticket]:
    """The tickets answered last, newest answer first."""
    return list(session.scalars(sa.select(Ticket).where(Ticket.answered_at.is_not(None))
                                .order_by(Ticket.answered_at.desc(), Ticket.id.desc()).limit(limit)))


def overdue_since(now: datetime, hours: int) -> datetime:
    """The moment before which an unanswered ticket counts as overdue."""
    return now - timedelta(hours=hours)


def answer(session: Session, texts: Texts, number: int, text: str, *, actor: str,
           now: datetime) -> Ticket:
    """Record staff's answer and queue it to whoever left the ticket; once per ticket."""
    ticket = session.get(Ticket, number)
    if ticket is None:
        raise TicketError(f"没有编号为 {number} 的留言。")
    if ticket.answered_at is not None:
        when = ticket.answered_at.astimezone(SHANGHAI)
        raise TicketError(f"留言 {number} 已于 {when:%Y-%m-%d %H:%M} 回复过，不再重复发送。")
    if not text.strip():
        raise TicketError("回复内容是空的。")
    ticket.answer, ticket.answered_at = text.strip(), now
    content = texts.get("ticket.reply", number=number, answer=ticket.answer)
    outbox.enqueue(session, recipient=ticket.openid, now=now, dedupe_key=f"ticket-reply:{number}",
                   text=content, kind="ticket", retiree_id=ticket.retiree_id,
                   title=f"您的留言 {number} 有回复了")
    audit.record(session, actor=actor, action="ticket.reply", at=now, target=f"ticket:{number}")
    return ticket


def describe(ticket: Ticket, person: Retiree | None) -> str:
    """One line for staff: number, time (Beijing), who left it and their phone, text."""
    when = ticket.created_at.astimezone(SHANGHAI)
    who = f"{person.name}（{person.phone or '无电话'}）" if person else "未绑定的微信用户"
    by_family = "，家属代留" if ticket.by_agent else ""
    return f"{ticket.id}\t{when:%Y-%m-%d %H:%M}\t{who}{by_family}\t{ticket.text}"
