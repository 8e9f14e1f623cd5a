"""Importing the roster: all or nothing, every problem reported, re-imports update in place."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from bot import audit
from bot.models import EmergencyContact, Group, GroupMember, Retiree
from bot.roster import fields as f
from bot.roster.groups import groups_by_kind
from bot.roster.rows import Problem, RowRecord, read_row
from bot.roster.sheets import Sheet, SheetError, read_sheet

_PEOPLE = Retiree.__table__


@dataclass
class ImportPlan:
    """What an import would do, or why it cannot."""

    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    creates: list[RowRecord] = field(default_factory=list)
    updates: list[tuple[int, RowRecord]] = field(default_factory=list)
    unchanged: int = 0

    @property
    def updated(self) -> int:
        """How many existing people the file changes."""
        return len(self.updates) - self.unchanged

    @property
    def ok(self) -> bool:
        """True when the file can be imported as it is."""
        return not self.problems


def plan_import(session: Session, sheet: Sheet, today: date) -> ImportPlan:
    """Read every row and decide, without changing anything, what importing would do."""
    columns, header_errors = f.match_headers(sheet.headers)
    plan = ImportPlan(rows=len(sheet.rows),
                      problems=[Problem(1, "表头", e) for e in header_errors])
    if plan.problems:
        return plan
    titles = {c.field: c.title for c in f.COLUMNS}
    records = _read_rows(sheet, columns, titles, today, plan)
    _check_groups(session, records, plan)
    if plan.ok:
        _match_existing(session, records, plan)
    return plan


def _read_rows(sheet: Sheet, columns: dict[int, str], titles: dict[str, str], today: date,
               plan: ImportPlan) -> list[RowRecord]:
    records, first_row_of = [], {}
    for row, cells in sheet.rows:
        record, problems = read_row(row, cells, columns, titles, today)
        plan.problems += problems
        if problems:
            continue
        if record.key in first_row_of:
            plan.problems.append(Problem(row, "姓名", f"与第 {first_row_of[record.key]} 行是同一个人"
                                                      f"（{_describe(record)}），请删去重复的一行"))
            continue
        first_row_of[record.key] = row
        records.append(record)
    return records


def _describe(record: RowRecord) -> str:
    v = record.values
    return f"编号 {v['number']}" if v.get("number") else f"{v['name']}，{v['birth_date']} 出生"


def _check_groups(session: Session, records: list[RowRecord], plan: ImportPlan) -> None:
    known = groups_by_kind(session)
    for record in records:
        for kind, names in record.groups.items():
            for name in names:
                if name not in known.get(kind, {}):
                    have = "、".join(known.get(kind, {})) or "（还没有）"
                    plan.problems.append(Problem(
                        record.row, kind, f"没有叫“{name}”的{kind}。已有：{have}。如果是新设的，"
                        f"请先运行 python -m bot groups add {kind} {name}"))


def _match_existing(session: Session, records: list[RowRecord], plan: ImportPlan) -> None:
    by_number, by_name_birth = {}, {}
    for rid, number, name, born in session.execute(
            sa.select(Retiree.id, Retiree.number, Retiree.name, Retiree.birth_date)):
        if number:
            by_number[number] = rid
        by_name_birth[(name, born)] = rid
    for record in records:
        v = record.values
        rid = by_number.get(v.get("number")) or (
            None if v.get("number") else by_name_birth.get((v["name"], v["birth_date"])))
        if rid is None:
            plan.creates.append(record)
        else:
            plan.updates.append((rid, record))


CHUNK = 500  # rows per statement or per batch of loaded people: bounds memory and IN lists


def apply_plan(session: Session, plan: ImportPlan, now: datetime) -> None:
    """Carry out a plan with no problems: create new people, update the others in place."""
    assert plan.ok, "a plan with problems must not be applied"
    groups = {(g.kind, g.name): g for g in session.scalars(sa.select(Group))}
    for start in range(0, len(plan.creates), CHUNK):
        _create(session, plan.creates[start:start + CHUNK], groups, now)
    changed = 0
    for start in range(0, len(plan.updates), CHUNK):
        chunk = plan.updates[start:start + CHUNK]
        existing = _load(session, [rid for rid, _ in chunk])
        changed += sum(_update(existing[rid], record, groups, now) for rid, record in chunk)
        session.flush()
        session.expunge_all()  # a 20,000-person roster must not stay in memory as objects
        groups = {key: session.merge(g, load=False) for key, g in groups.items()}
    plan.unchanged = len(plan.updates) - changed


def _create(session: Session, records: list[RowRecord], groups: dict[tuple[str, str], Group],
            now: datetime) -> None:
    """Insert new people with plain statements (many at a time), then their links."""
    people = [{**r.values, "created_at": now, "updated_at": now} for r in records]
    ids = session.execute(sa.insert(_PEOPLE).returning(_PEOPLE.c.id, sort_by_parameter_order=True),
                          people).scalars().all()
    members = [{"retiree_id": rid, "group_id": groups[(kind, name)].id}
               for rid, r in zip(ids, records, strict=True)
               for kind, names in r.groups.items() for name in names]
    contacts = [{"retiree_id": rid, "position": n, "name": name, "relation": rel, "phone": phone}
                for rid, r in zip(ids, records, strict=True)
                for n, (name, rel, phone) in enumerate(r.contacts or [], start=1)]
    if members:
        session.execute(sa.insert(GroupMember.__table__), members)
    if contacts:
        session.execute(sa.insert(EmergencyContact.__table__), contacts)


def _load(session: Session, ids: list[int]) -> dict[int, Retiree]:
    return {r.id: r for r in session.scalars(sa.select(Retiree).where(Retiree.id.in_(ids)).options(
        selectinload(Retiree.groups), selectinload(Retiree.contacts)))}


def _update(retiree: Retiree, record: RowRecord, groups: dict[tuple[str, str], Group],
            now: datetime) -> bool:
    before = _snapshot(retiree)
    for name, value in record.values.items():
        setattr(retiree, name, value)
    _set_links(retiree, record, groups)
    if _snapshot(retiree) == before:
        return False
    retiree.updated_at = now
    return True


def _snapshot(retiree: Retiree) -> tuple[Any, ...]:
    columns = tuple(getattr(retiree, c.key) for c in Retiree.__table__.columns
                    if c.key not in ("updated_at", "created_at"))
    groups = tuple(sorted((g.kind, g.name) for g in retiree.groups))
    contacts = tuple((c.name, c.relation, c.phone) for c in retiree.contacts)
    return columns, groups, contacts


def _set_links(retiree: Retiree, record: RowRecord, groups: dict[tuple[str, str], Group]) -> None:
    """Memberships of the kinds the file has columns for, and contacts if it lists them."""
    if record.groups:
        kept = [g for g in retiree.groups if g.kind not in record.groups]
        chosen = [groups[(kind, n)] for kind, names in record.groups.items() for n in names]
        if sorted(g.id or 0 for g in retiree.groups) != sorted(g.id or 0 for g in kept + chosen):
            retiree.groups = kept + chosen
    if record.contacts is not None:
        wanted = [(n, r, p) for n, r, p in record.contacts]
        if [(c.name, c.relation, c.phone) for c in retiree.contacts] != wanted:
            retiree.contacts = [EmergencyContact(position=i, name=n, relation=r, phone=p)
                                for i, (n, r, p) in enumerate(wanted, start=1)]


def import_file(session: Session, path: Path, *, actor: str, now: datetime) -> ImportPlan:
    """Plan the import of path and, when nothing is wrong, apply and audit it in session.

    The caller commits, or rolls back for a dry run (which so shows exactly what would change).
    """
    try:
        sheet = read_sheet(path)
    except SheetError as exc:
        return ImportPlan(problems=[Problem(0, path.name, str(exc))])
    plan = plan_import(session, sheet, now.date())
    if plan.ok:
        apply_plan(session, plan, now)
        audit.record(session, actor=actor, action="roster.import", at=now, target=path.name,
                     rows=plan.rows, created=len(plan.creates), updated=plan.updated,
                     unchanged=plan.unchanged)
    return plan
