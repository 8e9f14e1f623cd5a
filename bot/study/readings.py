"""Recording that someone has read the month's material, once, however it is said."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.db.engine import upsert
from bot.models import Retiree, StudyReading

# A session, or the connection of one (the chat's message has its connection open, and asks these
# without opening an ORM session: most 学习 / 学完了 / 答题 messages need no object loaded).
Bind = Session | sa.Connection


def record_reading(bind: Bind, retiree_id: int, month: str, now: datetime, *, via: str,
                   by_agent: bool = False, may: bool | None = None) -> bool:
    """Record the reading; True the first time, False when it was recorded already (or the
    person has died: see may_study). may: what may_study said earlier in this transaction, not
    asked again (None: asked here)."""
    conn = _connection(bind)
    if not (may_study(conn, retiree_id) if may is None else may):
        return False
    row = {"retiree_id": retiree_id, "month": month, "read_at": now, "via": via, "by_agent": by_agent}
    statement = upsert(StudyReading.__table__, conn.dialect.name, ("retiree_id", "month"), (), returning="id")
    return conn.execute(statement, row).first() is not None


# Asked by each 学习 / 学完了 / 答题: one column, not the whole person through the ORM (~6x the CPU).
_DIED_ON = sa.select(Retiree.died_on).where(Retiree.id == sa.bindparam("retiree_id"))
_NAME = sa.select(Retiree.name).where(Retiree.id == sa.bindparam("retiree_id"))


def may_study(bind: Bind, retiree_id: int) -> bool:
    """Whether readings are kept for this person: not once staff have recorded their death
    (family bound to a late retiree may still ask about pensions, not study for them)."""
    row = _connection(bind).execute(_DIED_ON, {"retiree_id": retiree_id}).first()
    return row is not None and row.died_on is None


def retiree_name(bind: Bind, retiree_id: int) -> str:
    """The person's name, one column read (family are told whose reading was recorded)."""
    return _connection(bind).execute(_NAME, {"retiree_id": retiree_id}).scalar_one()


def quiz_answered(bind: Bind, retiree_id: int, month: str, number: int, count: int, now: datetime, *,
                  via: str, by_agent: bool = False) -> bool:
    """Question number of count answered: the last one answered, the month counts as studied (in
    the chat and the mini-program alike). True when that recorded the reading just now."""
    return number == count and record_reading(bind, retiree_id, month, now, via=via, by_agent=by_agent)


_READ = sa.select(StudyReading.id).where(StudyReading.retiree_id == sa.bindparam("retiree_id"),
                                         StudyReading.month == sa.bindparam("month"))


def has_read(bind: Bind, retiree_id: int, month: str) -> bool:
    """Whether the month's material is recorded as read for this person (学完了, the quiz's end, the
    reading page)."""
    return _connection(bind).execute(_READ, {"retiree_id": retiree_id, "month": month}).first() is not None


def _connection(bind: Bind) -> sa.Connection:
    return bind.connection() if isinstance(bind, Session) else bind


def readers(session: Session, month: str) -> set[int]:
    """The retirees who have read the month's material."""
    return set(session.scalars(sa.select(StudyReading.retiree_id).where(StudyReading.month == month)))


def read_months(session: Session, retiree_id: int) -> set[str]:
    """The months whose material this retiree has read."""
    return set(session.scalars(sa.select(StudyReading.month).where(StudyReading.retiree_id == retiree_id)))
