"""Importing the roster: all or nothing, every problem reported, re-imports update in place."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from bot import audit
from bot.models import EmergencyContact, Group, GroupMember, Retiree
from bot.models.roster import name_initials
from bot.roster import fields as f
from bot.roster.changes import TITLES, as_logged, change_lines, changed, snapshot, update_person
from bot.roster.deceased import stop_queued
from bot.roster.fields import date_text
from bot.roster.groups import groups_by_kind
from bot.roster.privacy import forgotten_key
from bot.roster.rows import Problem, RowRecord, read_row
from bot.roster.sheets import Cell, Sheet, SheetError, read_sheet

_PEOPLE = Retiree.__table__


@dataclass
class ImportPlan:
    """What an import would do, or why it cannot."""

    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    creates: list[RowRecord] = field(default_factory=list)
    updates: list[tuple[int, RowRecord]] = field(default_factory=list)
    unchanged: int = 0
    changes: list[str] = field(default_factory=list)  # who changes: each column, before → after
    # The same once applied, by person (retiree id → column: before, after), for the audit log.
    altered: dict[int, dict[str, tuple[object, object]]] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)  # headers naming no column: not imported
    died: list[int] = field(default_factory=list)  # people on file whose death the file records
    # Values on file an empty cell clears, by column title: a correction sheet's blank may mean
    # 「不改」 to the clerk who left it, so the check names them apart.
    cleared: dict[str, int] = field(default_factory=dict)
    after_deaths: list[str] = field(default_factory=list)  # what that did beyond the roster, for staff

    @property
    def updated(self) -> int:
        """How many existing people the file changes."""
        return len(self.updates) - self.unchanged

    @property
    def ok(self) -> bool:
        """True when the file can be imported as it is."""
        return not self.problems


Progress = Callable[[str, int, int], None]  # (stage, done, of how many): for a progress bar
# A death the file records reaches past the roster (the sign-ups to come): the caller, which may
# see those, passes what does it (bot.care.deaths.after_import); it returns what staff read.
AfterDeaths = Callable[[Session, list[int], str, datetime], list[str]]
PROGRESS_EVERY = 500  # rows between two progress reports


def _quiet(stage: str, done: int, total: int) -> None:
    """No one is watching (a command prints its report at the end)."""


def plan_import(session: Session, sheet: Sheet, today: date, progress: Progress = _quiet) -> ImportPlan:
    """Read every row and decide, without changing anything, what importing would do."""
    columns, header_errors = f.match_headers(sheet.headers)
    plan = ImportPlan(rows=len(sheet.rows), problems=[Problem(1, "表头", e) for e in header_errors],
                      ignored=f.unknown_headers(sheet.headers))
    if plan.problems:
        return plan
    records, every = _read_rows(sheet, columns, TITLES, today, plan, progress)
    plan.problems += group_problems(session, every)  # of rows with other problems too: all at once
    plan.problems.sort(key=lambda p: p.row)
    if plan.ok:
        _match_existing(session, records, plan, missing=f.missing_required(columns.values()))
    return plan


def _read_rows(sheet: Sheet, columns: dict[int, str], titles: dict[str, str], today: date,
               plan: ImportPlan, progress: Progress) -> tuple[list[RowRecord], list[RowRecord]]:
    """The rows that read right (each person once), and every row as read, problems or not."""
    records: list[RowRecord] = []
    every: list[RowRecord] = []
    rows_by_number: dict[str, int] = {}
    rows_by_person: dict[tuple[str, date], list[tuple[int, str | None]]] = {}
    for done, (row, cells) in enumerate(sheet.rows):
        if done % PROGRESS_EVERY == 0:
            progress("检查", done, len(sheet.rows))
        if _is_total(cells):  # 「合计 125 人」 under the table: a sum, nobody
            continue
        record, problems = read_row(row, cells, columns, titles, today)
        plan.problems += problems
        every.append(record)
        if problems:
            continue
        earlier = _same_person_earlier(record, rows_by_number, rows_by_person)
        if earlier is not None:
            plan.problems.append(Problem(row, "姓名", f"与第 {earlier} 行是同一个人"
                                                      f"（{_describe(record)}），请删去重复的一行"))
            continue
        number, person = record.values.get("number"), _person_key(record)
        if number:
            rows_by_number[number.upper()] = row
        if person:
            rows_by_person.setdefault(person, []).append((row, number))
        records.append(record)
    return records, every


TOTALS = ("合计", "总计", "小计", "共计")


def _is_total(cells: list[Cell]) -> bool:
    """Whether a row is a sheet's sum line: its first filled cell says 合计 (or 总计 …)."""
    filled = (str(c.value).replace(" ", "").replace("\u3000", "") for c in cells if c.value is not None)
    return next((text for text in filled if text), "").startswith(TOTALS)


def _same_person_earlier(record: RowRecord, rows_by_number: dict[str, int],
                         rows_by_person: dict[tuple[str, date], list[tuple[int, str | None]]],
                         ) -> int | None:
    """The earlier row this one repeats: the same 编号, or the same name and birth date where
    either row has no 编号 to tell two people apart."""
    number = record.values.get("number")
    if number and number.upper() in rows_by_number:  # lt00002 repeats LT00002
        return rows_by_number[number.upper()]
    for row, other in rows_by_person.get(_person_key(record) or ("", date.min), []):
        if not number or not other:
            return row
    return None


def _person_key(record: RowRecord) -> tuple[str, date] | None:
    """Name and birth date, when the sheet has both (a correction sheet may have neither)."""
    v = record.values
    return (v["name"], v["birth_date"]) if "name" in v and "birth_date" in v else None


def cleared_text(plan: ImportPlan) -> str:
    """「联系电话 2 处、现住址 1 处」: what empty cells clear of what is on file."""
    return "、".join(f"{title} {count} 处" for title, count in plan.cleared.items())


def new_line(record: RowRecord) -> str:
    """A new person as the preview names them: row, name and birth date as it will be kept
    (「第 5 行 张桂芝，1938-05 出生」: 1938.5 read as May), for a clerk to catch a misreading."""
    v = record.values
    born = date_text(v["birth_date"], v.get("birth_precision", "day"))
    return f"第 {record.row} 行 {v['name']}，{born} 出生"


def _describe(record: RowRecord) -> str:
    v = record.values
    return f"编号 {v['number']}" if v.get("number") else f"{v['name']}，{v['birth_date']} 出生"


def group_problems(session: Session, records: list[RowRecord]) -> list[Problem]:
    """A problem for each group the rows name that staff have not created."""
    known, problems = groups_by_kind(session), []
    for record in records:
        for kind, names in record.groups.items():
            for name in names:
                if name not in known.get(kind, {}):
                    have = "、".join(known.get(kind, {})) or "（还没有）"
                    problems.append(Problem(record.row, kind,
                                            f"没有叫“{name}”的{kind}。已有：{have}。如果是新设的，请先添加这个分组。"))
    return problems


PRECISION = {"year": 0, "month": 1, "day": 2}  # how much of a birth date is known


@dataclass(frozen=True)
class _OnFile:
    """A person on file as rows are matched to them."""

    rid: int
    number: str | None
    born: date
    precision: str


def agrees(born: date, precision: str, other: date, other_precision: str) -> bool:
    """Whether two birth dates say the same as far as the coarser of them says anything
    (1938-05 agrees with 1938-05-17)."""
    known = min(PRECISION[precision], PRECISION[other_precision])
    return born.year == other.year and (known < 1 or born.month == other.month) and (
        known < 2 or born.day == other.day)


def _match_existing(session: Session, records: list[RowRecord], plan: ImportPlan, *,
                    missing: list[str]) -> None:
    """Find who each row is; a row that could be the wrong person is a problem, never a guess.
    Rows of a correction sheet (missing a required column) are only people on file; when none
    is, the sheet was meant to add people and the missing columns are the problem."""
    by_number: dict[str, tuple[int, str, date, str]] = {}  # by the 编号 in capitals: lt00002 is LT00002
    by_name: dict[str, list[_OnFile]] = {}
    for rid, number, name, born, precision in session.execute(
            sa.select(Retiree.id, Retiree.number, Retiree.name, Retiree.birth_date, Retiree.birth_precision)
            .where(Retiree.anonymised_at.is_(None))):
        if number:
            by_number[number.upper()] = (rid, name, born, number)
        by_name.setdefault(name, []).append(_OnFile(rid, number, born, precision))
    forgotten = set(session.scalars(sa.select(Retiree.forgotten_key).where(
        Retiree.forgotten_key.is_not(None))))
    for record in records:
        if (key := _person_key(record)) and forgotten_key(*key) in forgotten:
            plan.problems.append(Problem(record.row, "姓名", "此人已按本人要求匿名化，不再导入；"
                                                            "请从表中删去这一行"))
            continue
        rid, problem = _identify(record, by_number, by_name, correction=bool(missing))
        if (on_file := by_number.get((record.values.get("number") or "").upper())) and not problem:
            record.values["number"] = on_file[3]  # the 编号 as written on file, not as typed (lt00002)
        if problem:
            plan.problems.append(Problem(record.row, "编号" if "编号" in problem else "姓名", problem))
        elif rid is None:
            plan.creates.append(record)
        else:
            plan.updates.append((rid, record))
    if missing and plan.problems and not plan.updates:
        plan.problems = [Problem(1, "表头", m) for m in missing]


def _identify(record: RowRecord, by_number: dict[str, tuple[int, str, date, str]],
              by_name: dict[str, list[_OnFile]], *, correction: bool) -> tuple[int | None, str | None]:
    """(id of the existing person, or None for someone new; or the reason it is unclear). A
    编号 typed in other capitals (lt00002) is the one on file; a birth date known to the month
    (1936-03, as 花名册 often keep it) is the person on file born 1936-03-02."""
    v = record.values
    number = v.get("number")
    if number and number.upper() in by_number:
        return by_number[number.upper()][0], _not_numbered_one(v, *by_number[number.upper()][1:])
    if correction:
        return None, (f"编号 {number} 不在名册里" if number else "没有编号") + (
            "：这张表缺少必填列，只能按编号更正名册里已有的人")
    name, born = v["name"], v["birth_date"]
    precision = v.get("birth_precision", "day")
    namesakes = by_name.get(name, [])
    # Agreeing to the month is the same person; a year alone is too little to tell namesakes apart.
    same = [k for k in namesakes if k.born == born] or [
        k for k in namesakes
        if "year" not in (precision, k.precision) and agrees(born, precision, k.born, k.precision)]
    shown = date_text(born, precision)
    if len(same) > 1:
        return None, f"名册里有 {len(same)} 位{name}（{shown} 出生），请填上编号以便区分"
    if not same:
        return None, None
    if number and same[0].number and same[0].number != number:
        return None, (f"名册里{name}（{shown} 出生）的编号是 {same[0].number}，本行是 {number}，"
                      f"请核对编号")
    return same[0].rid, None


def _not_numbered_one(v: dict[str, object], known_name: str, known_born: date, number: str) -> str | None:
    """Why a row is not the person its 编号 names: neither name nor birth date agrees; or, on a
    sheet without birth dates, the name differs (a rename there cannot be told from a wrong 编号)."""
    other_name = "name" in v and v["name"] != known_name
    other_birth = "birth_date" not in v or v["birth_date"] != known_born
    if not (other_name and other_birth):
        return None
    if "birth_date" in v:
        return (f"编号 {number} 在名册里是{known_name}（{known_born} 出生），"
                f"与本行的姓名、出生日期都对不上，请核对编号")
    return (f"编号 {number} 在名册里是{known_name}，本行是{v['name']}，请核对编号；"
            f"如果是要改姓名，请在表里加上出生日期一列")


def _keep_finer_birth(person: Retiree, record: RowRecord) -> None:
    """A row saying less of the birth date than the file, and agreeing with it (1940-11 for
    1940-11-05), leaves the exact date: birthday greetings and 祝寿 visits need the day."""
    v = record.values
    precision = v.get("birth_precision", "day")
    if "birth_date" in v and PRECISION[precision] < PRECISION[person.birth_precision] and agrees(
            v["birth_date"], precision, person.birth_date, person.birth_precision):
        del v["birth_date"]
        v.pop("birth_precision", None)


CHUNK = 500  # rows per statement or per batch of loaded people: bounds memory and IN lists


def apply_plan(session: Session, plan: ImportPlan, now: datetime, progress: Progress = _quiet) -> None:
    """Carry out a plan with no problems: create new people, update the others in place."""
    assert plan.ok, "a plan with problems must not be applied"
    groups = {(g.kind, g.name): g for g in session.scalars(sa.select(Group))}
    total = len(plan.creates) + len(plan.updates)
    for start in range(0, len(plan.creates), CHUNK):
        progress("写入", start, total)
        _create(session, plan.creates[start:start + CHUNK], groups, now)
    altered = 0
    for start in range(0, len(plan.updates), CHUNK):
        progress("写入", len(plan.creates) + start, total)
        chunk = plan.updates[start:start + CHUNK]
        existing = _load(session, [rid for rid, _ in chunk])
        for rid, record in chunk:
            _keep_finer_birth(existing[rid], record)
            before = snapshot(existing[rid])
            if existing[rid].died_on is None and record.values.get("died_on") is not None:
                plan.died.append(rid)
            if update_person(existing[rid], record, groups, now):
                altered += 1
                plan.altered[rid] = changes = changed(before, snapshot(existing[rid]))
                for title, (was, now_is) in changes.items():
                    if was not in (None, "", []) and now_is in (None, "", []):
                        plan.cleared[title] = plan.cleared.get(title, 0) + 1
                name = existing[rid].name  # a correction sheet may have no 姓名 column
                plan.changes.append(f"第 {record.row} 行 {name}：{change_lines(changes)}")
        session.flush()
        session.expunge_all()  # a 20,000-person roster must not stay in memory as objects
        groups = {key: session.merge(g, load=False) for key, g in groups.items()}
    plan.unchanged = len(plan.updates) - altered
    if plan.died:
        stop_queued(session, plan.died)


def _create(session: Session, records: list[RowRecord], groups: dict[tuple[str, str], Group],
            now: datetime) -> None:
    """Insert new people with plain statements (many at a time), then their links."""
    people = [{**r.values, "name_initials": name_initials(r.values["name"]), "created_at": now,
               "updated_at": now} for r in records]
    ids = session.execute(sa.insert(_PEOPLE).returning(_PEOPLE.c.id, sort_by_parameter_order=True),
                          people).scalars().all()
    members = [{"retiree_id": rid, "group_id": groups[(kind, name)].id}
               for rid, r in zip(ids, records, strict=True)
               for kind, names in r.groups.items() for name in names]
    contacts = [{"retiree_id": rid, "position": n, "name": c[0], "relation": c[1], "phone": c[2]}
                for rid, r in zip(ids, records, strict=True)
                for n, c in sorted(r.contacts.items()) if c is not None]
    if members:
        session.execute(sa.insert(GroupMember.__table__), members)
    if contacts:
        session.execute(sa.insert(EmergencyContact.__table__), contacts)


def _load(session: Session, ids: list[int]) -> dict[int, Retiree]:
    return {r.id: r for r in session.scalars(sa.select(Retiree).where(Retiree.id.in_(ids)).options(
        selectinload(Retiree.groups), selectinload(Retiree.contacts)))}


def import_file(session: Session, path: Path, *, actor: str, now: datetime, target: str = "",
                progress: Progress = _quiet, after_deaths: AfterDeaths | None = None) -> ImportPlan:
    """Plan the import of path and, when nothing is wrong, apply and audit it in session (the
    audit log names target, what staff uploaded, or else the file's full path), then pass the
    deaths it recorded to after_deaths.

    The caller commits, or rolls back for a dry run (which so shows exactly what would change).
    """
    try:
        progress("读取", 0, 0)
        sheet = read_sheet(path, is_header=lambda texts: any(
            f.field_for_header(t) in ("name", "number") for t in texts))
    except SheetError as exc:
        return ImportPlan(problems=[Problem(0, target or path.name, str(exc))])
    plan = plan_import(session, sheet, now.date(), progress)
    if plan.ok:
        apply_plan(session, plan, now, progress)
        audit.record(session, actor=actor, action="roster.import", at=now,
                     target=target or str(path.resolve()),
                     rows=plan.rows, created=len(plan.creates), updated=plan.updated,
                     unchanged=plan.unchanged)
        for rid, changes in plan.altered.items():  # each person's before and after, as an edit's
            audit.record(session, actor=actor, action="roster.import_change", at=now,
                         target=f"retiree:{rid}", file=target or path.name,
                         changes=as_logged(changes))
        if plan.died and after_deaths is not None:
            plan.after_deaths = after_deaths(session, plan.died, actor, now)
    return plan
