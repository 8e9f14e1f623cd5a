"""Reading a 50,000-row roster .xlsx: the importer's reader (openpyxl, read-only) against
python-calamine, and whether the faster one keeps every check the importer makes.

    .venv/bin/pip install -e ".[bench]"    (python-calamine)
    .venv/bin/python bench/xlsx_readers.py [--rows 50000] [--runs 3]

Each reader runs in a process of its own (seconds and peak memory are that process's), the
two alternating. The importer needs each cell's number format as well as its value: a date
formatted "yyyy-mm" is a month, not the 1st; 1938.10 in a "0.00" cell is October, not January.
Those cells are written into the file and read back by each reader.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# (number format, value) written into 出生日期 of the first rows, and what they mean.
PROBES = [("yyyy-mm-dd", datetime(1938, 5, 6), "1938-05-06"),
          ("yyyy-mm", datetime(1938, 5, 1), "1938 年 5 月 (a month)"),
          ("0.00", 1938.10, "1938 年 10 月"),
          ("0.0", 1938.1, "1938 年 1 月")]


def write_roster(path: Path, rows: int) -> None:
    """rows fictional people in the sample roster's columns, the probe cells first."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    from bot.sandbox.sample_roster import HEADERS, generate

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADERS)
    born = HEADERS.index("出生日期")
    for n, person in enumerate(generate(rows)):
        if n < len(PROBES):
            number_format, value, _ = PROBES[n]
            cell = WriteOnlyCell(sheet, value)
            cell.number_format = number_format
            person[born] = cell
        sheet.append(person)
    book.save(path)


def read_openpyxl(path: Path) -> list[tuple[object, str | None]]:
    """The importer's own reader: (value, number format) of each probe cell."""
    from bot.roster.sheets import read_sheet

    sheet = read_sheet(path)
    born = sheet.headers.index("出生日期")
    return [(cells[born].value, cells[born].number_format) for _, cells in sheet.rows[:len(PROBES)]]


def read_calamine(path: Path) -> list[tuple[object, str | None]]:
    """python-calamine: values only (it has no number formats to give)."""
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    born = [str(h) for h in rows[0]].index("出生日期")
    return [(row[born], None) for row in rows[1:len(PROBES) + 1]]


READERS = {"openpyxl": read_openpyxl, "calamine": read_calamine}


def timed(reader: str, path: Path) -> tuple[float, float, str]:
    """(seconds, peak MB, probe cells) of one run of reader, in a process of its own."""
    started = time.monotonic()
    out = subprocess.run([sys.executable, __file__, "--read", reader, str(path)], check=True,
                         capture_output=True, text=True).stdout
    seconds = time.monotonic() - started
    probes, peak_kb = out.strip().rsplit("\n", 1)
    return seconds, int(peak_kb) / 1024, probes


def main() -> int:
    """Write the file, time both readers in turn, print a table and the probe cells."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--read", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.read:  # a child: the probe cells, then its own peak memory in KB
        print(READERS[args.read[0]](Path(args.read[1])))
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "roster.xlsx"
        write_roster(path, args.rows)
        runs: dict[str, list[tuple[float, float, str]]] = {name: [] for name in READERS}
        for _ in range(args.runs):
            for name in READERS:
                runs[name].append(timed(name, path))
    print(f"{args.rows:,} rows, {args.runs} runs each, one process a run\n")
    print("| reader | seconds (median, min–max) | peak MB | number formats |")
    print("|---|---:|---:|---|")
    for name, results in runs.items():
        seconds = [r[0] for r in results]
        print(f"| {name} | {statistics.median(seconds):.1f} ({min(seconds):.1f}–{max(seconds):.1f}) | "
              f"{max(r[1] for r in results):.0f} | {'yes' if name == 'openpyxl' else 'none'} |")
    print("\nprobe cells (format, written → what each reader gives):")
    for name, results in runs.items():
        print(f"  {name}: {results[0][2]}")
    for number_format, _, meaning in PROBES:
        print(f"  {number_format!r}: {meaning}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
