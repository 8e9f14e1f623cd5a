"""One spreadsheet row, read into typed values with a problem for every unreadable cell."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.roster import fields as f
from bot.roster.groups import GROUP_FIELDS, split_names
from bot.roster.sheets import CONTROL, Cell

REQUIRED = ("name", "birth_date", "status")
CONTACT_SLOTS = (("contact1_name", "contact1_relation", "contact1_phone"),
                 ("contact2_name", "contact2_relation", "contact2_phone"))


@dataclass(frozen=True)
class Problem:
    """What is wrong with one cell (or row) of the file, for staff to fix."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"第 {self.row} 行 · {self.column}：{self.message}"


@dataclass
class RowRecord:
    """A readable row: the retiree fields its columns gave, its groups and contacts."""

    row: int
    values: dict[str, Any] = field(default_factory=dict)
    groups: dict[str, list[str]] = field(default_factory=dict)  # kind -> names
    # Contact slots the file has columns for: position -> (name, relation, phone), or None
    # for an empty slot. Slots the file does not have are left as they are.
    contacts: dict[int, tuple[str, str | None, str | None] | None] = field(default_factory=dict)


def read_row(row: int, cells: list[Cell], columns: dict[int, str],
             titles: dict[str, str], today: date) -> tuple[RowRecord, list[Problem]]:
    """Parse one row's cells; the record is only usable when the problem list is empty."""
    record, problems, raw = RowRecord(row), [], {}
    for index, name in columns.items():
        cell = cells[index] if index < len(cells) else Cell(None)
        if isinstance(cell.value, str) and CONTROL.search(cell.value):
            problems.append(Problem(row, titles[name], "有看不见的控制字符（比如 NUL），请删去"))
            continue
        try:
            raw[name] = f.parse_value(name, cell.value, number_format=cell.number_format,
                                      today=today)
        except f.FieldError as exc:
            problems.append(Problem(row, titles[name], str(exc)))
    problems += [Problem(row, titles[n], "必填，不能为空") for n in REQUIRED
                 if n in raw and raw[n] is None]
    problems += [Problem(row, titles[n], "有联系人电话或关系，却没有联系人姓名")
                 for n, r, p in CONTACT_SLOTS if n in raw and not raw[n] and (raw.get(r) or raw.get(p))]
    problems += _too_long(row, raw, titles)
    problems += _before_birth(row, raw, titles)
    # The groups read whatever else is wrong: a group nobody created is named with the rest.
    record.groups = {GROUP_FIELDS[name]: split_names(value) if value else []
                     for name, value in raw.items() if name in GROUP_FIELDS}
    if not problems:
        _fill(record, raw)
    return record, problems


def _fill(record: RowRecord, raw: dict[str, Any]) -> None:
    for name, value in raw.items():
        if name in GROUP_FIELDS:
            continue  # read already
        elif name in f.DATE_FIELDS:
            record.values[name] = value.value if value else None
            if name == "birth_date":
                record.values["birth_precision"] = value.precision
        elif name in f.YES_NO_FIELDS:
            record.values[name] = bool(value)  # an empty 是否 cell means no
        elif name == "number" and value is None:
            continue  # an empty 编号 cell never erases the number on file
        elif not name.startswith("contact"):
            record.values[name] = value
    for position, (n, r, p) in enumerate(CONTACT_SLOTS, start=1):
        if n in raw:
            record.contacts[position] = (raw[n], raw.get(r), raw.get(p)) if raw[n] else None


def _too_long(row: int, raw: dict[str, Any], titles: dict[str, str]) -> list[Problem]:
    """Text longer than the roster keeps (a 40-character name is a pasting accident)."""
    problems = []
    for name, value in raw.items():
        limit = _LIMITS.get(name)
        if isinstance(value, str) and limit and len(value) > limit:
            problems.append(Problem(row, titles[name], f"太长了：最多 {limit} 个字，现在 {len(value)} 个"))
    return problems


def _before_birth(row: int, raw: dict[str, Any], titles: dict[str, str]) -> list[Problem]:
    """A working, joining or death date before the birth date is a typing slip in one of them."""
    birth = raw.get("birth_date")
    if not birth:
        return []
    shown = f.date_text(birth.value, birth.precision)
    return [Problem(row, titles[name], f"早于出生日期（{shown}），请核对")
            for name in ("work_start", "party_join_date", "died_on")
            if raw.get(name) and f.surely_before(raw[name], birth)]


def _column_limits() -> dict[str, int]:
    from bot.models import EmergencyContact, Retiree

    limits = {c.key: c.type.length for c in Retiree.__table__.columns
              if getattr(c.type, "length", None)}
    contact = {c.key: c.type.length for c in EmergencyContact.__table__.columns
               if getattr(c.type, "length", None)}
    for n, r, p in CONTACT_SLOTS:
        limits |= {n: contact["name"], r: contact["relation"], p: contact["phone"]}
    return limits | {"notes": NOTES_LENGTH}  # a text column: its length is ours to set


# 备注: a few lines about the person (an illness, an extension); a whole page pasted by accident
# would push the person's page down and every export's row out of shape.
NOTES_LENGTH = 1000
_LIMITS = _column_limits()
