"""Roster import benchmark: a 20,000-person spreadsheet, imported then re-imported.

    .venv/bin/python bench/roster_import.py [--rows 20000] [--database-url URL]

Prints wall time and peak memory (max RSS of a fresh process per run) for each step, against
the targets: under 30 s and under 300 MB.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STEP = r"""
import json, resource, sys, time
from pathlib import Path
from bot.clock import SystemClock
from bot.config import Settings, WeChatSettings
from bot.roster.groups import ensure_groups
from bot.roster.importer import import_file
from bot.sandbox.seed import SAMPLE_GROUPS
from bot.services import build_services

url, path = sys.argv[1], Path(sys.argv[2])
wechat = WeChatSettings(appid="wx_bench", secret="s", token="t", mode="plain")
services = build_services(Settings(wechat=wechat, database_url=url), clock=SystemClock())
with services.sessions.begin() as session:
    ensure_groups(session, SAMPLE_GROUPS)
started = time.perf_counter()
with services.sessions() as session:
    plan = import_file(session, path, actor="bench", now=services.clock.now())
    assert plan.ok, plan.problems[:3]
    session.commit()
print(json.dumps({"seconds": time.perf_counter() - started, "created": len(plan.creates),
                  "updated": plan.updated, "unchanged": plan.unchanged,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run_step(url: str, path: Path) -> dict:
    """One import in a fresh process, so its peak memory is its own."""
    out = subprocess.run([sys.executable, "-c", STEP, url, str(path)], cwd=ROOT, check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _empty_roster(url: str) -> None:
    """On a shared database, start the .csv runs from an empty roster too."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for table in ("bindings", "group_members", "emergency_contacts", "retirees"):
            conn.execute(sa.text(f"DELETE FROM {table}"))
    engine.dispose()


def main() -> int:
    """Write the spreadsheet, import it twice (new, then unchanged), print the table."""
    from bot.db.migrate import upgrade
    from bot.roster.sheets import write_sheet
    from bot.sandbox.sample_roster import HEADERS, generate

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-roster-") as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        upgrade(url)
        rows = generate(args.rows)
        results = []
        for suffix in (".xlsx", ".csv"):
            path = Path(tmp) / f"roster{suffix}"
            write_sheet(path, HEADERS, rows)
            if suffix == ".csv":  # a fresh database for the csv runs
                url = args.database_url or f"sqlite:///{tmp}/bench-csv.db"
                if args.database_url:
                    _empty_roster(url)
                upgrade(url)
            for label in ("first import", "re-import (no changes)"):
                results.append((suffix, label, run_step(url, path)))
            moved = [[*row[:14], f"{row[14]}（新址）", *row[15:]] for row in rows]  # all moved
            write_sheet(path, HEADERS, moved)
            results.append((suffix, "re-import (everyone changed)", run_step(url, path)))
    print(f"\nroster import, {args.rows:,} fictional people, "
          f"{'SQLite' if not args.database_url else args.database_url.split(':')[0]}\n")
    print("| file | step | seconds | peak memory MB | created | updated | unchanged |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for suffix, label, r in results:
        print(f"| {suffix} | {label} | {r['seconds']:.1f} | {r['peak_mb']:.0f} | {r['created']:,} "
              f"| {r['updated']:,} | {r['unchanged']:,} |")
    print("\ntargets: under 30 s and under 300 MB per import")
    return 0


if __name__ == "__main__":
    sys.exit(main())
