"""Anonymising a retiree on request (个人信息保护法), keeping only what statistics count."""

from __future__ import annotations

import hashlib
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot import audit
from bot.models import (
    Binding,
    ConversationState,
    InboundMessage,
    OutboxMessage,
    OutboxStatus,
    PolicyQuestion,
    Retiree,
)

# Kept, because statistics count them and they identify nobody once the rest is gone:
# gender, 离休/退休, birth year, party membership, branch and class memberships, year of death.
_CLEARED = ("number", "address", "phone", "former_unit", "rank", "relocated_to", "notes",
            "work_start", "party_join_date", "health")
_FLAGS = ("lives_alone", "hardship", "relocated")
_IDENTIFYING_GROUPS = ("居住片区",)  # where someone lives narrows them down too far


def forgotten_key(name: str, birth_date: date) -> str:
    """The digest kept of a forgotten person: enough to recognise a re-import, nothing more."""
    return hashlib.sha256(f"{name}|{birth_date.isoformat()}".encode()).hexdigest()


class ForgetError(ValueError):
    """The record cannot be anonymised as asked."""


def forget(session: Session, retiree_id: int, *, actor: str, now: datetime) -> Retiree:
    """Anonymise one retiree: identifying details cleared, bindings ended, the act audited."""
    retiree = session.get(Retiree, retiree_id)
    if retiree is None:
        raise ForgetError(f"没有这个人（内部序号 {retiree_id}）。")
    if retiree.anonymised_at is not None:
        raise ForgetError(f"记录 {retiree_id} 已在 {retiree.anonymised_at:%Y-%m-%d} 匿名化。")
    retiree.forgotten_key = forgotten_key(retiree.name, retiree.birth_date)
    for name in _CLEARED:
        setattr(retiree, name, None)
    for name in _FLAGS:
        setattr(retiree, name, False)
    retiree.groups = [g for g in retiree.groups if g.kind not in _IDENTIFYING_GROUPS]
    retiree.name = f"已匿名{retiree.id}"
    retiree.birth_date, retiree.birth_precision = date(retiree.birth_date.year, 1, 1), "year"
    if retiree.died_on is not None:
        retiree.died_on = date(retiree.died_on.year, 1, 1)
    retiree.contacts = []
    retiree.anonymised_at = retiree.updated_at = now
    openids = set(session.scalars(sa.select(Binding.openid).where(Binding.retiree_id == retiree_id)))
    session.execute(sa.update(Binding).where(Binding.retiree_id == retiree_id,
                                             Binding.unbound_at.is_(None)).values(unbound_at=now))
    _erase_conversations(session, retiree_id, openids)
    audit.record(session, actor=actor, action="roster.forget", at=now, target=f"retiree:{retiree_id}")
    return retiree


def _erase_conversations(session: Session, retiree_id: int, openids: set[str]) -> None:
    """What they (or family for them) wrote, what the bot said back, what waits to be sent."""
    spoke = (InboundMessage.retiree_id == retiree_id) | InboundMessage.openid.in_(openids)
    session.execute(sa.update(InboundMessage).where(spoke).values(text=None, reply_text=None))
    session.execute(sa.delete(ConversationState).where(ConversationState.openid.in_(openids)))
    session.execute(sa.delete(PolicyQuestion).where(PolicyQuestion.openid.in_(openids)))
    session.execute(sa.update(OutboxMessage).where(
        OutboxMessage.recipient.in_(openids), OutboxMessage.status == OutboxStatus.PENDING,
    ).values(status=OutboxStatus.DEAD, payload={}, last_error="recipient forgotten on request"))
