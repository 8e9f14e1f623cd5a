"""Helpers for the roster tests: a file to import, and importing it as staff would."""

from __future__ import annotations

import csv
from pathlib import Path

from bot.roster.importer import ImportPlan, import_file
from bot.sandbox.sample_roster import HEADERS
from bot.services import Services

ACTOR = "cli:test"


def run_import(services: Services, path: Path, dry_run: bool = False) -> ImportPlan:
    with services.sessions() as session:
        plan = import_file(session, path, actor=ACTOR, now=services.clock.now())
        if plan.ok and not dry_run:
            session.commit()
    return plan


def write_csv(path: Path, rows: list[list[object]], headers: list[str] = HEADERS) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


