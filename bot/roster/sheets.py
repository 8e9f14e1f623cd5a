"""Reading and writing the spreadsheets staff keep: .xlsx (Excel, WPS) and .csv."""

from __future__ import annotations

import csv
import io
import itertools
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Excel and WPS save CSV as GBK on Chinese Windows; try UTF-8 (with or without BOM) first.
CSV_ENCODINGS = ("utf-8-sig", "gb18030")
# A roster of 50,000 people is about 4 MB as .xlsx, 60 MB unpacked, about 15 times smaller packed.
MAX_FILE = 50 * 2**20
MAX_UNPACKED = 400 * 2**20
MAX_RATIO = 100
# Characters no one types into a cell (NUL, bell …); tab and line breaks are kept.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class SheetError(ValueError):
    """The file itself cannot be read (not a table, wrong type, empty)."""


@dataclass(frozen=True, slots=True)
class Cell:
    """A raw value and, for Excel cells, how Excel was told to show it (1938.10 vs 1938.1)."""

    value: Any
    number_format: str | None = None


TITLE_ROWS = 4  # rows above the header a sheet may have: a title, a date, blank lines


@dataclass(frozen=True)
class Sheet:
    """The header row and the data rows, each with its row number as staff see it."""

    headers: list[str]
    rows: list[tuple[int, list[Cell]]]


def read_sheet(path: Path, is_header: Callable[[list[str]], bool] | None = None) -> Sheet:
    """The first worksheet of an .xlsx file, or a .csv file; blank rows are skipped. The header
    is the first row is_header takes (among the first few), else the first row."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise SheetError(f"找不到文件 {path}：请检查文件名和所在的文件夹。")
    if path.stat().st_size > MAX_FILE:
        raise SheetError(f"{path.name} 有 {path.stat().st_size // 2**20} MB，太大了（名册最多 "
                         f"{MAX_FILE // 2**20} MB）：请确认选对了文件。")
    if suffix == ".csv":
        rows = list(_csv_rows(path))
    elif suffix in (".xlsx", ".xlsm"):
        rows = list(_xlsx_rows(path))
    else:
        raise SheetError(f"不支持的文件类型 {suffix}：请另存为 .xlsx 或 .csv 后再导入。")
    if not rows:
        raise SheetError(f"{path.name} 是空的，没有表头。")
    at = _header_at(rows, is_header) if is_header else 0
    (_, header_cells), data = rows[at], rows[at + 1:]
    return Sheet(_texts(header_cells), [(n, cells) for n, cells in data if any(_filled(c) for c in cells)])


def _header_at(rows: list[tuple[int, list[Cell]]], is_header: Callable[[list[str]], bool]) -> int:
    """Where the header row is: clerks put a title (「2026年离退休干部名册」, perhaps with
    「制表日期」 beside it) and a blank row above it; the first row among the first few that
    is_header takes is the header (none: the first row)."""
    return next((at for at, (_, cells) in enumerate(rows[:TITLE_ROWS + 1]) if is_header(_texts(cells))), 0)


def _texts(cells: list[Cell]) -> list[str]:
    return [str(c.value or "").strip() for c in cells]


def _filled(cell: Cell) -> bool:
    return cell.value is not None and str(cell.value).strip() != ""


def _csv_rows(path: Path) -> Iterator[tuple[int, list[Cell]]]:
    raw = path.read_bytes()
    for encoding in CSV_ENCODINGS:
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SheetError(f"{path.name} 的文字编码无法识别：请用 Excel 另存为「CSV UTF-8」。")
    for number, row in enumerate(csv.reader(text.splitlines()), start=1):
        yield number, [Cell(value) for value in row]


def _check_unpacked_size(path: Path) -> None:
    """Refuse an .xlsx whose parts would unpack to far more than a roster can hold (a zip bomb
    of 4 MB unpacked to 2 GB), before anything is unpacked."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise SheetError(f"{path.name} 打不开：不是 Excel 文件（{exc}）。") from exc
    total = sum(p.file_size for p in parts)
    packed = max(sum(p.compress_size for p in parts), 1)
    if total > MAX_UNPACKED or total / packed > MAX_RATIO:
        raise SheetError(f"{path.name} 解开后有 {total // 2**20} MB，不像一份名册：请用 Excel 打开后"
                         "另存为一份新的 .xlsx 再导入。")


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[Cell]]]:
    import openpyxl  # here, not at the top: every command would pay for loading it

    _check_unpacked_size(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged or mislabelled file
        raise SheetError(f"{path.name} 打不开：{exc}。请确认是 Excel 文件。") from exc
    try:
        sheet = book.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(), start=1):
            yield number, [Cell(c.value, getattr(c, "number_format", None)) for c in row]
    finally:
        book.close()


def write_sheet(path: Path, headers: list[str], rows: Iterable[list[Any]], *,
                sheet: str = "离退休人员") -> None:
    """Write headers and rows as .xlsx (on a tab named sheet) or .csv (UTF-8 with BOM, so Excel
    opens it right).

    Every export goes through here, so every one is safe to open: readable by its owner only,
    and no cell becomes a live formula (a name 「=HYPERLINK(…)」 stays text) or carries a
    control character.
    """
    with _private(path) as fh:
        if path.suffix.lower() == ".csv":
            text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="")
            writer = csv.writer(text)
            writer.writerow([csv_cell(h) for h in headers])
            writer.writerows([csv_cell(v) for v in row] for row in rows)
            text.flush()
            text.detach()
            return
        _write_xlsx(fh, headers, rows, path.parent, sheet)


_TAB_UNSAFE = re.compile(r"[\[\]:*?/\\']")  # not allowed in an Excel tab's name
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what Excel and WPS read as a formula
def csv_cell(value: Any) -> Any:
    """A CSV cell Excel shows as typed: text that would start a formula gets a leading 「'」."""
    if not isinstance(value, str):
        return value
    text = CONTROL.sub("", value)
    return "'" + text if text.startswith(FORMULA_START) else text


# Columns whose values run longer than their header.
WIDE = {"现住址": 36, "原单位": 24, "联系电话": 14, "健康状况": 14, "备注": 30}


def _write_xlsx(fh: Any, headers: list[str], rows: Iterable[list[Any]], folder: Path, tab: str) -> None:
    import xlsxwriter  # here, not at the top: every command would pay for loading it

    # Row by row, each flushed (constant_memory) to a temporary file beside the export (as private
    # as it); strings only ever strings: no formula, link or number is read into them.
    book = xlsxwriter.Workbook(fh, {"constant_memory": True, "tmpdir": str(folder),
                                    "strings_to_formulas": False, "strings_to_urls": False,
                                    "strings_to_numbers": False})
    sheet = book.add_worksheet(_TAB_UNSAFE.sub("", tab)[:31] or "Sheet1")  # Excel's limits on a tab's name
    # As a clerk would set it up by hand: the header stays in sight, bold, and each column is wide
    # enough for its header (Chinese characters count twice), an address wider still. Set before
    # the first row: constant_memory writes the columns' widths ahead of the rows.
    for column, header in enumerate(headers):
        sheet.set_column(column, column, WIDE.get(header, max(8, 2 * len(header) + 2)))
    sheet.freeze_panes(1, 0)
    bold = book.add_format({"bold": True})
    for number, values in enumerate(itertools.chain([headers], rows)):
        for column, value in enumerate(values):
            if isinstance(value, str):
                if value:  # an empty cell is left unwritten: a third of a roster's cells are empty
                    sheet.write_string(number, column, CONTROL.sub("", value), bold if number == 0 else None)
            elif value is not None:
                sheet.write(number, column, value)
    book.close()


@contextmanager
def _private(path: Path) -> Iterator[Any]:
    """path opened for writing, created readable by its owner only (an existing file too)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "wb") as fh:
        yield fh
