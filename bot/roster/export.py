"""Exporting the roster in the same format staff import (audit-logged: it is personal data)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from bot import audit
from bot.models import Retiree
from bot.roster import fields as f
from bot.roster.groups import GROUP_FIELDS
from bot.roster.sheets import write_sheet

BATCH = 500  # people read at a time: a 20,000-person roster is never all in memory


def export_file(session: Session, path: Path, *, actor: str, now: datetime, target: str = "") -> int:
    """Write every retiree (anonymised ones excluded) to path; returns how many. The audit log
    names target (what staff downloaded) or else the file's full path."""
    kept = Retiree.anonymised_at.is_(None)
    count = session.scalar(sa.select(sa.func.count()).select_from(Retiree).where(kept)) or 0
    people = session.scalars(
        sa.select(Retiree).where(kept).order_by(Retiree.id)
        .options(selectinload(Retiree.groups), selectinload(Retiree.contacts))
        .execution_options(yield_per=BATCH))
    write_sheet(path, [c.title for c in f.COLUMNS],
                ([cell_value(r, c.field) for c in f.COLUMNS] for r in people))
    audit.record(session, actor=actor, action="roster.export", at=now, target=target or str(path.resolve()),
                 rows=count)
    return count


def cell_value(retiree: Retiree, name: str) -> Any:
    """One column of a person as the roster file writes it (and the edit form shows it)."""
    if name in GROUP_FIELDS:
        return "、".join(g.name for g in retiree.groups if g.kind == GROUP_FIELDS[name])
    if name.startswith("contact"):
        return _contact_cell(retiree, name)
    value = getattr(retiree, name, None)
    if name == "birth_date":
        return _date_text(value, retiree.birth_precision)
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


def _date_text(value: date, precision: str) -> str:
    if precision == "year":
        return f"{value.year}"
    if precision == "month":
        return f"{value.year}-{value.month:02d}"
    return value.isoformat()
