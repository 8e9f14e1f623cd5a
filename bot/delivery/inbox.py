"""What the bot has sent a person, as their 我的通知 lists it: messages to this account (its
mailbox included) and those sent to any account of the retiree it speaks for since it began to
speak for them (family who bind today do not read last month's greetings; the retiree reads
all that was sent to them) — one copy each,
newest first."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.models import Binding, OutboxMessage, OutboxStatus

# The kinds a person keeps: not the chat's replies (said in the chat), not staff alerts.
KINDS = ("notice", "activity", "event", "ticket", "greeting", "study")
# About the retiree, whichever account it went to; a ticket reply is for whoever wrote.
SHARED_KINDS = ("notice", "activity", "event", "greeting", "study")
# Reached them, or waits for them in the mailbox (an interrupted send may have reached them).
DELIVERED = (OutboxStatus.SENT, OutboxStatus.MAILBOX, OutboxStatus.SHOWN, OutboxStatus.UNCERTAIN)


def messages_for(session: Session, *, openid: str, binding: Binding | None,
                 limit: int = 100) -> list[OutboxMessage]:
    """The messages this account has had, and those about the retiree it is bound to since it
    was bound, one copy of each."""
    mine = OutboxMessage.recipient == openid
    rows = session.scalars(sa.select(OutboxMessage).where(
        sa.or_(mine, _about(binding)) if binding is not None else mine,
        OutboxMessage.kind.in_(KINDS), OutboxMessage.status.in_(DELIVERED))
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()).limit(limit * 3))
    seen: set[Any] = set()
    found = []
    for row in rows:  # a notice goes to each account of a retiree: one copy is enough
        key = row.notice_id or (row.kind, row.payload.get("text"), row.created_at)  # copies: one moment
        if key not in seen:
            seen.add(key)
            found.append(row)
    return found[:limit]


def shown_in_app(session: Session, message: OutboxMessage, openid: str) -> None:
    """The person read a message in the mini-program: one waiting in their own mailbox is shown."""
    if message.recipient == openid and message.status == OutboxStatus.MAILBOX:
        message.status = OutboxStatus.SHOWN


def belongs(message: OutboxMessage, *, openid: str, binding: Binding | None) -> bool:
    """Whether messages_for would list this message for the account (the same rule, one row)."""
    if message.kind not in KINDS or message.status not in DELIVERED:
        return False
    return message.recipient == openid or (
        binding is not None and message.retiree_id == binding.retiree_id and message.kind in SHARED_KINDS
        and (not binding.is_agent or message.created_at >= binding.bound_at))


def _about(binding: Binding) -> sa.ColumnElement[bool]:
    about = sa.and_(OutboxMessage.retiree_id == binding.retiree_id, OutboxMessage.kind.in_(SHARED_KINDS))
    return sa.and_(about, OutboxMessage.created_at >= binding.bound_at) if binding.is_agent else about
