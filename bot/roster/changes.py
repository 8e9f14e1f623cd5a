"""Changing one person on file from a read row — by an import or an edit in the console — and
seeing what changed, column by column, as staff name the columns."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from bot.clock import SHANGHAI
from bot.models import EmergencyContact, Group, Retiree
from bot.roster import fields as f
from bot.roster.groups import GROUP_FIELDS
from bot.roster.rows import RowRecord

TITLES = {c.field: c.title for c in f.COLUMNS}
_COMPARED = [c.key for c in Retiree.__table__.columns
             if c.key not in ("id", "updated_at", "created_at", "birth_precision", "name_initials")]


def update_person(retiree: Retiree, record: RowRecord, groups: dict[tuple[str, str], Group],
                  now: datetime) -> list[str]:
    """Apply one row to a known person; the titles of what changed (empty when nothing did)."""
    before = snapshot(retiree)
    for name, value in record.values.items():
        setattr(retiree, name, value)
    _set_links(retiree, record, groups)
    after = snapshot(retiree)
    changed = [title for title, value in after.items() if before.get(title) != value]
    if changed:
        retiree.updated_at = now
    return changed


def snapshot(retiree: Retiree) -> dict[str, Any]:
    """What staff see of a person, by column title."""
    values = {TITLES.get(key, key): getattr(retiree, key) for key in _COMPARED}
    for kind in GROUP_FIELDS.values():
        values[kind] = sorted(g.name for g in retiree.groups if g.kind == kind)
    values["紧急联系人"] = [(c.name, c.relation, c.phone) for c in retiree.contacts]
    return values


def changed(before: dict[str, Any], after: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Each column title whose value differs between two snapshots, with both values."""
    return {title: (before.get(title), value) for title, value in after.items() if before.get(title) != value}


def as_read(value: Any) -> Any:
    """A value as staff read it (and the audit log keeps it, as JSON): dates written out, 是/否,
    lists joined."""
    if isinstance(value, datetime):  # an activity's time: as clerks write it, in Beijing time
        return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(" ".join(p for p in item if p) if isinstance(item, tuple) else str(item)
                        for item in value)
    return value


def as_logged(changes: dict[str, tuple[Any, Any]]) -> dict[str, list[Any]]:
    """Changes as the audit log keeps them: each column's value before and after, as read."""
    return {title: [as_read(old), as_read(new)] for title, (old, new) in changes.items()}


def change_lines(changes: dict[str, tuple[Any, Any]]) -> str:
    """「联系电话 13900000000 → 13911112222；党支部 第一支部 → 第二支部」."""
    return "；".join(f"{title} {as_read(old) or '（空）'} → {as_read(new) or '（空）'}"
                    for title, (old, new) in changes.items())


def _set_links(retiree: Retiree, record: RowRecord, groups: dict[tuple[str, str], Group]) -> None:
    """Memberships of the kinds the row has columns for, and contacts if it lists them."""
    if record.groups:
        kept = [g for g in retiree.groups if g.kind not in record.groups]
        chosen = [groups[(kind, n)] for kind, names in record.groups.items() for n in names]
        if sorted(g.id or 0 for g in retiree.groups) != sorted(g.id or 0 for g in kept + chosen):
            retiree.groups = kept + chosen
    if record.contacts:
        slots = {c.position: (c.name, c.relation, c.phone) for c in retiree.contacts}
        wanted = {k: v for k, v in {**slots, **record.contacts}.items() if v is not None}
        if wanted != slots:
            retiree.contacts = [EmergencyContact(position=k, name=n, relation=r, phone=p)
                                for k, (n, r, p) in sorted(wanted.items())]
