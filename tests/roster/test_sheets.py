"""Every export is safe to open in Excel and private to its owner, whichever list it is."""

from __future__ import annotations

import csv
import stat
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from bot.activities.roster import export_roster
from bot.activities.signups import sign_up
from bot.db.engine import transaction
from bot.models import Activity, Retiree
from bot.roster.export import export_file
from bot.services import Services
from bot.study.report import Visit, write_visits
from tests.activities.helpers import load_activity
from tests.office_fixtures import Branch

HOSTILE = '=HYPERLINK("http://evil.example/","点我")'


def _roster(services: Services, path: Path, person_id: int) -> None:
    export_file(services.sessions, path, actor="cli:test", now=services.clock.now())


def _signups(services: Services, path: Path, person_id: int) -> None:
    now = services.clock.now()
    with transaction(services.sessions) as session:
        activity_id = session.scalar(sa.select(Activity.id))
        sign_up(session, activity_id, person_id, openid="o_zhang", by_agent=False, companion=False, now=now)
        export_roster(session, activity_id, path, actor="cli:test", now=now)


def _visits(services: Services, path: Path, person_id: int) -> None:
    with transaction(services.sessions) as session:
        write_visits(session, [Visit(session.get(Retiree, person_id), "没有绑定微信")], path, month="2026-12",
                     actor="cli:test", now=services.clock.now())


EXPORTS: dict[str, Callable[[Services, Path, int], None]] = {
    "roster": _roster, "sign-ups": _signups, "送学上门": _visits}


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
@pytest.mark.parametrize("export", EXPORTS.values(), ids=EXPORTS.keys())
def test_a_name_that_is_a_formula_stays_text_and_the_file_is_private(
        office: Services, branch: Branch, tmp_path: Path, suffix: str,
        export: Callable[[Services, Path, int], None]) -> None:
    load_activity(office, tmp_path)
    path = tmp_path / f"名单{suffix}"
    path.write_text("an older copy, readable by all")
    path.chmod(0o644)
    with transaction(office.sessions) as session:
        person = session.get(Retiree, branch.ids["张明"])
        person.name = HOSTILE + "\x07"  # and a control character, as a careless paste brings
    export(office, path, branch.ids["张明"])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    cells = _cells(path)
    assert not any(str(c).startswith("FORMULA:") for c in cells)  # .xlsx: kept as text
    assert (f"'{HOSTILE}" if suffix == ".csv" else HOSTILE) in cells  # .csv: Excel shows it as text
    assert not any("\x07" in str(c) for c in cells)


def _cells(path: Path) -> list[object]:
    """Every cell; in an .xlsx file, a formula cell comes back as its formula."""
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return [cell for row in csv.reader(fh) for cell in row]
    book = openpyxl.load_workbook(path)  # not data_only: formulas would show as such
    return [c.value if c.data_type != "f" else "FORMULA:" + str(c.value)
            for row in book.active.iter_rows() for c in row]
