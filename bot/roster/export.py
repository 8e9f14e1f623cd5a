"""Exporting the roster in the same format staff import (audit-logged: it is personal data)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload, sessionmaker

from bot import audit
from bot.db.engine import transaction
from bot.models import Retiree
from bot.roster import fields as f
from bot.roster.groups import GROUP_FIELDS
from bot.roster.sheets import write_sheet

BATCH = 500  # people read at a time: a 20,000-person roster is never all in memory


def export_file(sessions: sessionmaker[Session], path: Path, *, actor: str, now: datetime,
                target: str = "") -> int:
    """Write every retiree (anonymised ones excluded) to path; returns how many. The audit log
    names target (what staff downloaded) or else the file's full path."""
    write_sheet(path, [c.title for c in f.COLUMNS], _rows(sessions))
    with transaction(sessions) as session:
        count = session.scalar(sa.select(sa.func.count()).select_from(Retiree).where(KEPT)) or 0
        audit.record(session, actor=actor, action="roster.export", at=now,
                     target=target or str(path.resolve()), rows=count)
    return count


KEPT = Retiree.anonymised_at.is_(None)


def _rows(sessions: sessionmaker[Session]) -> Iterator[list[Any]]:
    """Every kept retiree's cells, BATCH people at a time, by id, each batch read in a short
    session of its own: on SQLite a transaction holds the database's lock, and writing 20,000
    rows to Excel takes seconds that the chat must not wait."""
    last = 0
    while True:
        with sessions() as session:
            people = session.scalars(
                sa.select(Retiree).where(KEPT, Retiree.id > last).order_by(Retiree.id).limit(BATCH)
                .options(selectinload(Retiree.groups), selectinload(Retiree.contacts))).all()
            rows = [[cell_value(r, c.field) for c in f.COLUMNS] for r in people]
        if not people:
            return
        last = people[-1].id
        yield from rows


def cell_value(retiree: Retiree, name: str) -> Any:
    """One column of a person as the roster file writes it (and the edit form shows it)."""
    if name in GROUP_FIELDS:
        return "、".join(g.name for g in retiree.groups if g.kind == GROUP_FIELDS[name])
    if name.startswith("contact"):
        return _contact_cell(retiree, name)
    value = getattr(retiree, name, None)
    if name == "birth_date":
        return f.date_text(value, retiree.birth_precision)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, date):
        return value.isoformat()
    return value if value is not None else ""


def _contact_cell(retiree: Retiree, name: str) -> str:
    slot, _, part = name.partition("_")
    index = int(slot[-1]) - 1
    if index >= len(retiree.contacts):
        return ""
    return getattr(retiree.contacts[index], part) or ""
