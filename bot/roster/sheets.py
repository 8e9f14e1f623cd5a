"""Reading and writing the spreadsheets staff keep: .xlsx (Excel, WPS) and .csv."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Excel and WPS save CSV as GBK on Chinese Windows; try UTF-8 (with or without BOM) first.
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


class SheetError(ValueError):
    """The file itself cannot be read (not a table, wrong type, empty)."""


@dataclass(frozen=True, slots=True)
class Cell:
    """A raw value and, for Excel cells, how Excel was told to show it (1938.10 vs 1938.1)."""

    value: Any
    number_format: str | None = None


@dataclass(frozen=True)
class Sheet:
    """The header row and the data rows, each with its row number as staff see it."""

    headers: list[str]
    rows: list[tuple[int, list[Cell]]]


def read_sheet(path: Path) -> Sheet:
    """The first worksheet of an .xlsx file, or a .csv file; blank rows are skipped."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows = list(_csv_rows(path))
    elif suffix in (".xlsx", ".xlsm"):
        rows = list(_xlsx_rows(path))
    else:
        raise SheetError(f"不支持的文件类型 {suffix}：请另存为 .xlsx 或 .csv 后再导入。")
    if not rows:
        raise SheetError(f"{path.name} 是空的，没有表头。")
    (_, header_cells), *data = rows
    headers = [str(c.value or "").strip() for c in header_cells]
    return Sheet(headers, [(n, cells) for n, cells in data if any(_filled(c) for c in cells)])


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


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[Cell]]]:
    import openpyxl  # here, not at the top: every command would pay for loading it

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


def write_sheet(path: Path, headers: list[str], rows: list[list[Any]]) -> None:
    """Write headers and rows as .xlsx or .csv (UTF-8 with BOM, so Excel opens it right)."""
    if path.suffix.lower() == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(headers)
            writer.writerows(rows)
        return
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("离退休人员")
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    book.save(path)
