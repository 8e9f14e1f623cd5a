"""Tickets (留言) for staff: which wait for an answer, and answering one."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot import audit
from bot.clock import SHANGHAI
from bot.delivery import outbox
from bot.language.texts import Texts
from bot.models import InboundMessage, Retiree, Ticket

MAX_ANSWER = outbox.STAFF_TEXT_LIMIT  # an answer goes as one message


class TicketError(ValueError):
    """A staff command about a ticket cannot be done; the message says why."""


def left_by(session: Session, openid: str, limit: int = 5) -> list[Ticket]:
    """The tickets one WeChat user left, newest first (「我的留言」)."""
    return list(session.scalars(sa.select(Ticket).where(Ticket.openid == openid)
                                .order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(limit)))


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


CONVERSATION = 30                # messages shown around a 留言
CONVERSATION_BEFORE = timedelta(days=7)


def conversation(session: Session, ticket: Ticket) -> list[InboundMessage]:
    """What whoever left the 留言 said to the bot (and what it answered) from a week before it
    on, oldest first: the words around it often explain it."""
    return list(reversed(session.scalars(
        sa.select(InboundMessage).where(InboundMessage.openid == ticket.openid,
                                        InboundMessage.received_at >= ticket.created_at - CONVERSATION_BEFORE,
                                        InboundMessage.text.is_not(None))
        .order_by(InboundMessage.received_at.desc(), InboundMessage.id.desc()).limit(CONVERSATION)).all()))


def overdue_since(now: datetime, hours: int) -> datetime:
    """The moment before which an unanswered ticket counts as overdue."""
    return now - timedelta(hours=hours)


def overdue(tickets: list[Ticket], now: datetime, hours: int) -> list[Ticket]:
    """Those of the tickets left more than `hours` ago (as `ticket list --overdue` counts them)."""
    since = overdue_since(now, hours)
    return [t for t in tickets if t.created_at < since]


def answer(session: Session, texts: Texts, number: int, text: str, *, actor: str,
           now: datetime) -> Ticket:
    """Record staff's answer and queue it to whoever left the ticket; once per ticket."""
    ticket = _still_open(session, number)
    if not text.strip():
        raise TicketError("回复内容是空的。")
    if len(text.strip()) > MAX_ANSWER:
        raise TicketError(f"回复太长（{len(text.strip())} 字），请控制在 {MAX_ANSWER} 字以内。")
    ticket.answer, ticket.answered_at = text.strip(), now
    content = texts.get("ticket.reply", number=number, answer=ticket.answer)
    outbox.enqueue(session, recipient=ticket.openid, now=now, dedupe_key=f"ticket-reply:{number}",
                   text=content, kind="ticket", retiree_id=ticket.retiree_id,
                   title=f"您的留言 {number} 有回复了")
    audit.record(session, actor=actor, action="ticket.reply", at=now, target=f"ticket:{number}")
    return ticket


def handle_without_reply(session: Session, number: int, note: str, *, actor: str,
                         now: datetime) -> Ticket:
    """Close the ticket with staff's note of how it was handled (a phone call); nothing is sent."""
    ticket = _still_open(session, number)
    if not note.strip():
        raise TicketError("请写明是怎么处理的，如「已电话联系，明天上门」。")
    ticket.answer, ticket.answered_at, ticket.replied = note.strip(), now, False
    audit.record(session, actor=actor, action="ticket.handled", at=now, target=f"ticket:{number}")
    return ticket


def _still_open(session: Session, number: int) -> Ticket:
    """The ticket, if there is one and nobody has answered or handled it yet."""
    ticket = session.get(Ticket, number)
    if ticket is None:
        raise TicketError(f"没有编号为 {number} 的留言。")
    if ticket.answered_at is not None:
        when = ticket.answered_at.astimezone(SHANGHAI)
        done = "回复过" if ticket.replied else "处理过"
        raise TicketError(f"留言 {number} 已于 {when:%Y-%m-%d %H:%M} {done}，不再重复。")
    return ticket


def describe(ticket: Ticket, person: Retiree | None) -> str:
    """One line for staff: number, time (Beijing), who left it (name, party branch, phone), text."""
    when = ticket.created_at.astimezone(SHANGHAI)
    branch = "、".join(g.name for g in person.groups if g.kind == "党支部") if person else ""
    who = (f"{person.name}（{branch + '，' if branch else ''}{person.phone or '无电话'}）" if person
           else "未绑定的微信用户")
    by_family = "，家属代留" if ticket.by_agent else ""
    return f"{ticket.id}\t{when:%Y-%m-%d %H:%M}\t{who}{by_family}\t{ticket.text}"
