"""One spreadsheet row, read into typed values with a problem for every unreadable cell."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.roster import fields as f
from bot.roster.groups import GROUP_FIELDS, split_names
from bot.roster.sheets import Cell

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
    contacts: list[tuple[str, str | None, str | None]] | None = None

    @property
    def key(self) -> tuple[str, ...]:
        """The stable identity: the staff number, or name and birth date."""
        if self.values.get("number"):
            return ("number", self.values["number"])
        return ("name+birth", self.values["name"], self.values["birth_date"].isoformat())


def read_row(row: int, cells: list[Cell], columns: dict[int, str],
             titles: dict[str, str], today: date) -> tuple[RowRecord, list[Problem]]:
    """Parse one row's cells; the record is only usable when the problem list is empty."""
    record, problems, raw = RowRecord(row), [], {}
    for index, name in columns.items():
        cell = cells[index] if index < len(cells) else Cell(None)
        try:
            raw[name] = f.parse_value(name, cell.value, number_format=cell.number_format,
                                      today=today)
        except f.FieldError as exc:
            problems.append(Problem(row, titles[name], str(exc)))
    problems += [Problem(row, titles[n], "必填，不能为空") for n in REQUIRED
                 if n in raw and raw[n] is None]
    if not problems:
        _fill(record, raw)
    return record, problems


def _fill(record: RowRecord, raw: dict[str, Any]) -> None:
    for name, value in raw.items():
        if name in GROUP_FIELDS:
            record.groups[GROUP_FIELDS[name]] = split_names(value) if value else []
        elif name in f.DATE_FIELDS:
            record.values[name] = value.value if value else None
            if name == "birth_date":
                record.values["birth_precision"] = value.precision
        elif name in f.YES_NO_FIELDS:
            record.values[name] = bool(value)  # an empty 是否 cell means no
        elif not name.startswith("contact"):
            record.values[name] = value
    if any(slot[0] in raw for slot in CONTACT_SLOTS):
        record.contacts = [(raw[n], raw.get(r), raw.get(p)) for n, r, p in CONTACT_SLOTS
                           if raw.get(n)]
