"""Recording that someone has read the month's material, once, however it is said."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.db.engine import upsert
from bot.models import Retiree, StudyReading


def record_reading(session: Session, retiree_id: int, month: str, now: datetime, *, via: str,
                   by_agent: bool = False) -> bool:
    """Record the reading; True the first time, False when it was recorded already (or the
    person has died: see may_study)."""
    if not may_study(session, retiree_id):
        return False
    conn = session.connection()
    row = {"retiree_id": retiree_id, "month": month, "read_at": now, "via": via, "by_agent": by_agent}
    statement = upsert(StudyReading.__table__, conn.dialect.name, ("retiree_id", "month"), (), returning="id")
    return conn.execute(statement, row).first() is not None


# Asked by each 学习 / 学完了 / 答题: one column, not the whole person through the ORM (~6x the CPU).
_DIED_ON = sa.select(Retiree.died_on).where(Retiree.id == sa.bindparam("retiree_id"))


def may_study(session: Session, retiree_id: int) -> bool:
    """Whether readings are kept for this person: not once staff have recorded their death
    (family bound to a late retiree may still ask about pensions, not study for them)."""
    row = session.connection().execute(_DIED_ON, {"retiree_id": retiree_id}).first()
    return row is not None and row.died_on is None


def quiz_answered(session: Session, retiree_id: int, month: str, number: int, count: int, now: datetime, *,
                  via: str, by_agent: bool = False) -> bool:
    """Question number of count answered: the last one answered, the month counts as studied (in
    the chat and the mini-program alike). True when that recorded the reading just now."""
    return number == count and record_reading(session, retiree_id, month, now, via=via, by_agent=by_agent)


def readers(session: Session, month: str) -> set[int]:
    """The retirees who have read the month's material."""
    return set(session.scalars(sa.select(StudyReading.retiree_id).where(StudyReading.month == month)))


def read_months(session: Session, retiree_id: int) -> set[str]:
    """The months whose material this retiree has read."""
    return set(session.scalars(sa.select(StudyReading.month).where(StudyReading.retiree_id == retiree_id)))
