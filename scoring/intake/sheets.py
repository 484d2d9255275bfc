"""Reading an uploaded CSV or XLSX file into plain rows of cells.

This is the only part of the intake that touches bytes: it decides the file type from its
content, decodes CSV text (UTF-8, UTF-16 from Excel's "Unicode text", or legacy Vietnamese
Windows-1258), guesses the delimiter, and remembers which XLSX cells are formatted as
percentages. What the cells mean is :mod:`scoring.intake.reader`'s business.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from scoring.core.reading import clean_text

DELIMITERS = (",", ";", "\t")
SNIFF_ROWS = 50
PREFERRED_SHEET = "Nhập liệu"
_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"
_TONES = ("\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
_BASES = "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY"
VIETNAMESE_LETTERS = frozenset(
    {unicodedata.normalize("NFC", b + t) for b in _BASES for t in ("", *_TONES)} | set("đĐ")
)
_PUNCTUATION = frozenset("–—‘’‚“”„…•«»°·§±×÷€\u00a0")
_LITERALS = re.compile(r'"[^"]*"|\\.')
SAVE_AS_UTF8 = "hãy mở tệp bằng Excel và lưu lại dưới dạng «CSV UTF-8 (Comma delimited)»"


class SheetError(Exception):
    """The file cannot be read at all; the message is Vietnamese and says what to do."""


@dataclass
class Sheet:
    """Non-empty rows of one file, each with its spreadsheet row number (header row = 1)."""

    rows: list[tuple[int, list[Any]]]
    percent_cells: set[tuple[int, int]] = field(default_factory=set)  # (row, column index)


class IssueSink(Protocol):
    def add(self, index: int, file: str, row: int | None, column: str | None, reason: str) -> None: ...


def readable_sheets(paths: Sequence[Path | str], issues: IssueSink) -> Iterator[tuple[int, str, Sheet]]:
    """(index, file name, sheet) of each file that can be read; the others go to ``issues``."""
    for index, path in enumerate(paths):
        name = Path(path).name
        try:
            sheet = read_sheet(path)
        except SheetError as err:
            issues.add(index, name, None, None, str(err))
            continue
        yield index, name, sheet


def read_sheet(path: Path | str) -> Sheet:
    """Read a CSV or XLSX file; raise :class:`SheetError` when it cannot be read."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SheetError("không tìm thấy tệp") from None
    except PermissionError:
        raise SheetError("không có quyền đọc tệp") from None
    except OSError as err:
        raise SheetError(f"không mở được tệp (lỗi hệ thống: {err.strerror or err})") from None
    if not data.strip():
        raise SheetError("tệp trống: không có dòng tiêu đề và dữ liệu")
    if data.startswith(_XLS_MAGIC):
        raise SheetError(
            "tệp Excel 97–2003 (.xls) không được hỗ trợ; hãy mở bằng Excel và lưu lại "
            "dưới dạng «Excel Workbook (.xlsx)» hoặc «CSV UTF-8»"
        )
    if data.startswith(_XLSX_MAGIC):
        return _read_xlsx(path)
    return _read_csv(decode_csv(data))


def decode_csv(data: bytes) -> str:
    """Decode CSV bytes to NFC text, accepting UTF-8/UTF-16 and legacy Windows-1258."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return unicodedata.normalize("NFC", data.decode("utf-16"))
    try:
        return unicodedata.normalize("NFC", data.decode("utf-8-sig"))
    except UnicodeDecodeError as err:
        position = err.start
    try:
        text = unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError:
        text = ""
    if text and plausibly_vietnamese(text):
        return text
    raise SheetError(
        f"tệp không phải UTF-8 (byte thứ {position + 1} không hợp lệ) và cũng không phải "
        f"bảng mã tiếng Việt Windows-1258; {SAVE_AS_UTF8}"
    )


def plausibly_vietnamese(text: str) -> bool:
    """True when every non-ASCII character is a Vietnamese letter or common punctuation.

    Text in another legacy encoding (VNI, TCVN3, Latin-1) decoded as Windows-1258 yields
    letters such as ``û``, ``ä`` or stray combining marks, which Vietnamese never uses.
    """
    return all(ch.isascii() or ch in VIETNAMESE_LETTERS or ch in _PUNCTUATION for ch in set(text))


def _read_csv(text: str) -> Sheet:
    delimiter = _sniff_delimiter(text)
    rows: list[tuple[int, list[Any]]] = []
    for number, record in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1):
        cells: list[Any] = [clean_text(c) or None for c in record]
        while cells and cells[-1] is None:
            cells.pop()
        if cells:
            rows.append((number, cells))
    if not rows:
        raise SheetError("tệp trống: không có dòng tiêu đề và dữ liệu")
    return Sheet(rows)


def _sniff_delimiter(text: str) -> str:
    """Pick the delimiter that gives the most consistent, widest table.

    ``csv.Sniffer`` is thrown off by Vietnamese decimal commas inside ``;`` files, so each
    candidate is tried on the first rows and scored on how many rows have the header's width.
    """
    head = [line for line in text.splitlines()[:SNIFF_ROWS] if line.strip()]
    best, best_score = ",", (-1.0, 0)
    for delimiter in DELIMITERS:
        records = list(csv.reader(head, delimiter=delimiter))
        if not records:
            continue
        width = len(records[0])
        consistent = sum(len(r) == width for r in records) / len(records)
        score = (consistent if width > 1 else 0.0, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_xlsx(path: Path) -> Sheet:
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, InvalidFileException) as err:
        raise SheetError(
            "tệp Excel (.xlsx) bị hỏng hoặc không đúng định dạng; hãy mở bằng Excel và lưu "
            f"lại dưới dạng «Excel Workbook (.xlsx)» (chi tiết: {type(err).__name__})"
        ) from None
    try:
        if not workbook.worksheets:
            raise SheetError("tệp Excel không có trang tính nào")
        names = [unicodedata.normalize("NFC", n) for n in workbook.sheetnames]
        index = names.index(PREFERRED_SHEET) if PREFERRED_SHEET in names else 0
        sheet = Sheet([])
        for number, row in enumerate(workbook.worksheets[index].iter_rows(), 1):
            cells = [_cell_value(cell) for cell in row]
            while cells and cells[-1] is None:
                cells.pop()
            if not cells:
                continue
            sheet.rows.append((number, cells))
            for col, cell in enumerate(row[: len(cells)]):
                if isinstance(cells[col], int | float) and is_percent_format(
                    getattr(cell, "number_format", None)
                ):
                    sheet.percent_cells.add((number, col))
    finally:
        workbook.close()
    if not sheet.rows:
        raise SheetError("tệp trống: không có dòng tiêu đề và dữ liệu")
    return sheet


def is_percent_format(number_format: str | None) -> bool:
    """True when Excel shows the cell times 100 with ``%`` (not a quoted or escaped ``%``)."""
    return "%" in _LITERALS.sub("", number_format or "")


def _cell_value(cell: Any) -> Any:
    value = getattr(cell, "value", None)
    if isinstance(value, str):
        return clean_text(value) or None
    return value
