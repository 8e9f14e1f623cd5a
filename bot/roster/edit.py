"""Editing one person in the console, or adding one: the same rules as an import, every change
audit-logged with its value before and after; recording a death, which stops every greeting and
push."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from bot import audit
from bot.models import Group, Retiree
from bot.roster import fields as f
from bot.roster.changes import TITLES, as_logged, as_read, changed, snapshot, update_person
from bot.roster.deceased import stop_queued
from bot.roster.export import cell_value
from bot.roster.groups import GROUP_FIELDS
from bot.roster.importer import group_problems
from bot.roster.rows import RowRecord, read_row
from bot.roster.sheets import Cell

Groups = dict[tuple[str, str], Group]  # every group, by (kind, name)

# Every column of the roster but the date of death, which has its own action (it stops things).
EDITABLE = [c for c in f.COLUMNS if c.field != "died_on"]


class EditError(ValueError):
    """A change that cannot be made as asked; the message says why."""


@dataclass
class Edit:
    """What an edit found wrong (by field), or what it changed (by column title: before, after)."""

    problems: dict[str, str] = field(default_factory=dict)
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)


def form_values(person: Retiree) -> dict[str, str]:
    """The person's values as the edit form shows them (the way the export writes them)."""
    return {c.field: str(cell_value(person, c.field)) for c in EDITABLE}


def merge_form(stored: Mapping[str, str], shown: Mapping[str, str],
               posted: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """What a form saves when someone else may have changed the person since it was shown:
    a field the clerk left as shown keeps what is stored now; one the clerk changed is theirs,
    unless it was changed meanwhile too (then a problem names the other value). A field the
    form did not show (no `shown` value) counts as changed."""
    values, problems = {}, {}
    for name, typed in posted.items():
        was, now = _plain(shown.get(name)), _plain(stored.get(name))
        if was is None or _plain(typed) != was:
            values[name] = typed  # kept in the form when asked: what this clerk typed
            if was is not None and now != was and now != _plain(typed):
                problems[name] = f"您打开这页以后，别人把这一项改成了「{now}」。请确认要改成哪个，再保存。"
        else:
            values[name] = stored.get(name, "")
    return values, problems


def _plain(value: str | None) -> str | None:
    """A form's value as compared: browsers send a textarea's lines as CRLF."""
    return None if value is None else value.replace("\r\n", "\n").strip()


def edit_person(session: Session, retiree_id: int, form: Mapping[str, str], *, actor: str,
                now: datetime, scope: int | None = None) -> Edit:
    """Apply the form to the person when every field reads as an import would read it; with
    scope (a branch's account: its group's id), only while the person stays in that group."""
    person = _person(session, retiree_id)
    record, groups, edit = _read_form(session, form, now, person, scope)
    if edit.problems:
        return edit
    before = snapshot(person)
    update_person(person, record, groups, now)
    edit.changes = changed(before, snapshot(person))
    if edit.changes:
        audit.record(session, actor=actor, action="roster.edit", at=now, target=f"retiree:{retiree_id}",
                     changes=as_logged(edit.changes))
    return edit


def add_person(session: Session, form: Mapping[str, str], *, actor: str, now: datetime,
               scope: int | None = None) -> tuple[Edit, Retiree | None]:
    """A new person from the form, read as an import reads a row; refused (nothing added) when a
    field does not read, the 编号 is taken, someone of that name and birth date is on file already,
    or, with scope (a branch's account), the person would not be in its group. Audit-logged."""
    record, groups, edit = _read_form(session, form, now, None, scope, joining=True)
    if not edit.problems and (twin := _on_file(session, record)) is not None:
        born = f.date_text(twin.birth_date, twin.birth_precision)
        edit.problems["name"] = (f"名册上已经有{twin.name}（{born} 出生，编号 {twin.number or '无'}），"
                                 "是同一个人的话，请在他的页面上改。")
    if edit.problems:
        return edit, None
    person = Retiree(name=record.values["name"], created_at=now, updated_at=now)
    update_person(person, record, groups, now)
    session.add(person)
    session.flush()
    edit.changes = changed({}, snapshot(person))
    audit.record(session, actor=actor, action="roster.add", at=now, target=f"retiree:{person.id}",
                 changes=as_logged(edit.changes))
    return edit, person


def _read_form(session: Session, form: Mapping[str, str], now: datetime, person: Retiree | None,
               scope: int | None, joining: bool = False) -> tuple[RowRecord, Groups, Edit]:
    """The form read as an import reads a row: the record, the groups by (kind, name), and every
    problem at once (not one save at a time), by field. joining: a new person, whom a branch's
    account must put in its own group."""
    columns = {n: c.field for n, c in enumerate(EDITABLE) if c.field in form}
    cells = [Cell(form.get(c.field, "").strip() or None) for c in EDITABLE]
    record, problems = read_row(0, cells, columns, TITLES, now.date())
    problems += group_problems(session, [record])
    by_title = {c.title: c.field for c in f.COLUMNS}
    edit = Edit(problems={by_title.get(p.column, p.column): p.message for p in problems})
    if not edit.problems and (taken := _number_taken(session, person, record.values.get("number"))):
        edit.problems["number"] = taken
    groups = {(g.kind, g.name): g for g in session.scalars(sa.select(Group))}
    if not edit.problems and (leaving := _leaves_scope(record.groups, groups, scope, joining)):
        edit.problems[leaving[0]] = leaving[1]
    return record, groups, edit


def _on_file(session: Session, record: RowRecord) -> Retiree | None:
    """Someone on file (not anonymised) with the record's name and birth date."""
    return session.scalar(sa.select(Retiree).where(
        Retiree.name == record.values["name"], Retiree.birth_date == record.values.get("birth_date"),
        Retiree.anonymised_at.is_(None)).limit(1))


def _leaves_scope(chosen: Mapping[str, list[str]], groups: Mapping[tuple[str, str], Group],
                  scope: int | None, joining: bool = False) -> tuple[str, str] | None:
    """(field, why) when the edit would put the person in another group of the account's own
    kind (or out of its own): another branch would find them unannounced, or it lose them.
    joining: a new person must be put in it (the account would not see them otherwise)."""
    own = next((g for g in groups.values() if g.id == scope), None)
    if own is None or (own.kind not in chosen and not joining) or chosen.get(own.kind) == [own.name]:
        return None
    field_name = next(name for name, kind in GROUP_FIELDS.items() if kind == own.kind)
    return field_name, f"您的账号只管「{own.name}」，不能把人改到别的{own.kind}；需要调整，请找管理员。"


def record_death(session: Session, retiree_id: int, died_on: date, *, actor: str, now: datetime) -> Retiree:
    """Record the date of death: greetings, pushes and visits stop, and what is queued of them."""
    person = _person(session, retiree_id)
    if died_on > now.date():
        raise EditError("去世日期不能晚于今天。")
    born = f.PartialDate(person.birth_date, person.birth_precision)
    if f.surely_before(f.PartialDate(died_on, "day"), born):
        raise EditError("去世日期不能早于出生日期。")
    before = person.died_on
    person.died_on, person.updated_at = died_on, now
    stop_queued(session, [retiree_id])
    audit.record(session, actor=actor, action="roster.died", at=now, target=f"retiree:{retiree_id}",
                 changes={TITLES["died_on"]: [as_read(before), died_on.isoformat()]})
    return person


def undo_death(session: Session, retiree_id: int, *, actor: str, now: datetime) -> Retiree:
    """Take back a death recorded by mistake: greetings, pushes and visits resume from now on
    (what was cancelled stays cancelled). Audit-logged with the date taken back."""
    person = _person(session, retiree_id)
    if person.died_on is None:
        raise EditError("这个人没有登记去世，不用撤销。")
    before = person.died_on
    person.died_on, person.updated_at = None, now
    audit.record(session, actor=actor, action="roster.died_undone", at=now, target=f"retiree:{retiree_id}",
                 changes={TITLES["died_on"]: [before.isoformat(), as_read(None)]})
    return person


def _person(session: Session, retiree_id: int) -> Retiree:
    person = session.scalar(sa.select(Retiree)
                            .where(Retiree.id == retiree_id, Retiree.anonymised_at.is_(None))
                            .options(selectinload(Retiree.groups), selectinload(Retiree.contacts)))
    if person is None:
        raise EditError("没有这个人，或已匿名化。")
    return person


def _number_taken(session: Session, person: Retiree | None, number: str | None) -> str | None:
    if not number or (person is not None and number == person.number):
        return None
    # In any capitals: the import and search take lt00010 for LT00010.
    query = sa.select(Retiree.name, Retiree.number).where(sa.func.upper(Retiree.number) == number.upper())
    if person is not None:
        query = query.where(Retiree.id != person.id)
    other = session.execute(query).first()
    return f"编号 {number} 已经有人用了（{other.name}：{other.number}），请核对。" if other else None

