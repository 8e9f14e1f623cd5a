"""Anonymising a retiree on request (个人信息保护法), keeping only what statistics count."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot import audit
from bot.models import Binding, Retiree

# Kept, because statistics count them and they identify nobody once the rest is gone:
# gender, 离休/退休, birth year, party membership, group memberships, the year of death.
_CLEARED = ("number", "address", "phone", "former_unit", "rank", "relocated_to", "notes",
            "work_start", "party_join_date", "health")


class ForgetError(ValueError):
    """The record cannot be anonymised as asked."""


def forget(session: Session, retiree_id: int, *, actor: str, now: datetime) -> Retiree:
    """Anonymise one retiree: identifying details cleared, bindings ended, the act audited."""
    retiree = session.get(Retiree, retiree_id)
    if retiree is None:
        raise ForgetError(f"没有这个人（内部序号 {retiree_id}）。")
    if retiree.anonymised_at is not None:
        raise ForgetError(f"记录 {retiree_id} 已在 {retiree.anonymised_at:%Y-%m-%d} 匿名化。")
    for name in _CLEARED:
        setattr(retiree, name, None)
    retiree.name = f"已匿名{retiree.id}"
    retiree.birth_date, retiree.birth_precision = date(retiree.birth_date.year, 1, 1), "year"
    if retiree.died_on is not None:
        retiree.died_on = date(retiree.died_on.year, 1, 1)
    retiree.contacts = []
    retiree.anonymised_at = retiree.updated_at = now
    session.execute(sa.update(Binding).where(Binding.retiree_id == retiree_id,
                                             Binding.unbound_at.is_(None)).values(unbound_at=now))
    audit.record(session, actor=actor, action="roster.forget", at=now, target=f"retiree:{retiree_id}")
    return retiree
