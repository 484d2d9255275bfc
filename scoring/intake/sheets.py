"""Reading an uploaded CSV or XLSX file into plain rows of cells.

This is the only part of the intake that touches bytes: it decides the file type from its
content (never its name), decodes CSV text (UTF-8, UTF-16 from Excel's "Unicode text", or legacy
Vietnamese Windows-1258), guesses the delimiter, reads XLSX (remembering which cells are
formatted as percentages), ODS and XLS, and refuses a hostile file before it costs much:

- the file's size (``THIDUA_MAX_FILE_MB``, default 50), and for a zipped workbook its parts'
  unpacked size (``THIDUA_MAX_UNPACKED_MB``, default 300) and their compression ratio (at most
  200 to 1), checked before parsing;
- rows (``THIDUA_MAX_ROWS``, default 200,000) and columns (``THIDUA_MAX_COLUMNS``, default 500),
  checked from the sheet's declared size and again while streaming;
- XML with entity declarations (external entities, "billion laughs"): parsed with defusedxml
  (openpyxl uses it when it is installed) and refused as not allowed.

Each refusal is one Vietnamese sentence naming the limit. What the cells mean is
:mod:`scoring.intake.reader`'s business.
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

from presentation.numbers import exact_number_text
from scoring.core.reading import clean_text
from storage.zipped import check_zip

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


@dataclass(frozen=True)
class Limits:
    file_bytes: int
    unpacked_bytes: int
    rows: int
    columns: int
    ratio: int = 200


def limits() -> Limits:
    """The intake's bounds, from the environment (read at each call, so tests may lower them)."""
    import os

    def number(name: str, default: int) -> int:
        return int(os.environ.get(name) or default)

    return Limits(file_bytes=number("THIDUA_MAX_FILE_MB", 50) * 1024 * 1024,
                  unpacked_bytes=number("THIDUA_MAX_UNPACKED_MB", 300) * 1024 * 1024,
                  rows=number("THIDUA_MAX_ROWS", 200_000), columns=number("THIDUA_MAX_COLUMNS", 500))


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
    """Read a CSV, XLSX, ODS or XLS file; raise :class:`SheetError` when it cannot be read."""
    path = Path(path)
    bounds = limits()
    try:
        size = path.stat().st_size
        if size > bounds.file_bytes:
            raise SheetError(f"tệp lớn hơn giới hạn {bounds.file_bytes // (1024 * 1024)} MB; hãy chia "
                             "thành nhiều tệp nhỏ hơn")
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
        return _read_with_calamine(data, "xls", bounds)
    if data.startswith(_XLSX_MAGIC):
        kind = _zip_kind(data, bounds)
        return _read_xlsx(data, bounds) if kind == "xlsx" else _read_with_calamine(data, "ods", bounds)
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SheetError("tệp không phải CSV, Excel (.xlsx, .xls) hay OpenDocument (.ods): có byte NUL")
    return _read_csv(decode_csv(data), bounds)


def _zip_kind(data: bytes, bounds: Limits) -> str:
    """``xlsx`` or ``ods`` from the archive's parts, after checking their unpacked size."""
    try:
        with check_zip(data, bounds.unpacked_bytes, bounds.ratio) as archive:
            names = {i.filename for i in archive.infolist()}
            if "mimetype" in names and archive.read("mimetype").startswith(
                    b"application/vnd.oasis.opendocument.spreadsheet"):
                return "ods"
            if "xl/workbook.xml" in names:
                _count_rows(archive, [n for n in names if n.startswith("xl/worksheets/")], bounds)
                return "xlsx"
    except ValueError as err:
        raise SheetError(str(err)) from None
    except zipfile.BadZipFile:
        pass
    raise SheetError(_DAMAGED)


def _count_rows(archive: zipfile.ZipFile, parts: list[str], bounds: Limits) -> None:
    """Refuse a worksheet with more rows than allowed by counting its row tags while unpacking
    (a fast byte scan; the streaming reader checks again row by row)."""
    for part in parts:
        rows, tail = 0, b""
        with archive.open(part) as stream:
            while chunk := stream.read(1 << 20):
                window = tail + chunk
                rows += window.count(b"<row") - tail.count(b"<row")
                tail = window[-4:]
                if rows > bounds.rows:
                    raise _too_many("dòng", bounds.rows)


_DAMAGED = ("tệp Excel bị hỏng hoặc không đúng định dạng; hãy mở bằng Excel hoặc LibreOffice và lưu "
            "lại dưới dạng «Excel Workbook (.xlsx)»")


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


def _too_many(what: str, limit: int) -> SheetError:
    return SheetError(f"tệp có hơn {exact_number_text(limit)} {what}, vượt giới hạn; hãy chia thành "
                      "nhiều tệp")


def _read_csv(text: str, bounds: Limits) -> Sheet:
    delimiter = _sniff_delimiter(text)
    rows: list[tuple[int, list[Any]]] = []
    for number, record in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1):
        if number > bounds.rows:
            raise _too_many("dòng", bounds.rows)
        if len(record) > bounds.columns:
            raise _too_many("cột", bounds.columns)
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


def _read_xlsx(data: bytes, bounds: Limits) -> Sheet:
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except SheetError:
        raise
    except Exception as err:  # a zip, XML or openpyxl error: the file is not a readable workbook
        raise SheetError(_unreadable(err)) from None
    try:
        if not workbook.worksheets:
            raise SheetError("tệp Excel không có trang tính nào")
        names = [unicodedata.normalize("NFC", n) for n in workbook.sheetnames]
        index = names.index(PREFERRED_SHEET) if PREFERRED_SHEET in names else 0
        worksheet = workbook.worksheets[index]
        declared_rows, declared_columns = worksheet.max_row or 0, worksheet.max_column or 0
        if declared_rows > bounds.rows:
            raise _too_many("dòng", bounds.rows)
        if declared_columns > bounds.columns:
            raise _too_many("cột", bounds.columns)
        sheet = _stream_rows(worksheet, bounds)
    except SheetError:
        raise
    except Exception as err:  # malformed or forbidden XML met while streaming the rows
        raise SheetError(_unreadable(err)) from None
    finally:
        workbook.close()
    if not sheet.rows:
        raise SheetError("tệp trống: không có dòng tiêu đề và dữ liệu")
    return sheet


def _stream_rows(worksheet: Any, bounds: Limits) -> Sheet:
    sheet = Sheet([])
    for number, row in enumerate(worksheet.iter_rows(), 1):
        if number > bounds.rows:
            raise _too_many("dòng", bounds.rows)
        if len(row) > bounds.columns:
            raise _too_many("cột", bounds.columns)
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
    return sheet


def _unreadable(err: BaseException) -> str:
    chain: BaseException | None = err
    while chain is not None and not type(chain).__module__.startswith("defusedxml"):
        chain = chain.__cause__ or chain.__context__
    if chain is not None:
        return ("tệp Excel chứa khai báo thực thể XML (DTD, entity), không được phép; hãy mở bằng Excel "
                "hoặc LibreOffice và lưu lại dưới dạng «Excel Workbook (.xlsx)»")
    return f"{_DAMAGED} (chi tiết: {type(err).__name__})"


def _read_with_calamine(data: bytes, kind: str, bounds: Limits) -> Sheet:
    """An OpenDocument (.ods) or Excel 97–2003 (.xls) workbook, read with python-calamine."""
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = [unicodedata.normalize("NFC", n) for n in workbook.sheet_names]
        if not names:
            raise SheetError("tệp không có trang tính nào")
        index = names.index(PREFERRED_SHEET) if PREFERRED_SHEET in names else 0
        sheet = Sheet([])
        for number, values in enumerate(workbook.get_sheet_by_index(index).iter_rows(), 1):
            if number > bounds.rows:
                raise _too_many("dòng", bounds.rows)
            if len(values) > bounds.columns:
                raise _too_many("cột", bounds.columns)
            cells = [clean_text(v) or None if isinstance(v, str) else v for v in values]
            cells = [None if v == "" else v for v in cells]
            while cells and cells[-1] is None:
                cells.pop()
            if cells:
                sheet.rows.append((number, cells))
    except SheetError:
        raise
    except Exception as err:
        what = "OpenDocument (.ods)" if kind == "ods" else "Excel 97–2003 (.xls)"
        raise SheetError(f"tệp {what} bị hỏng hoặc không đọc được (chi tiết: {type(err).__name__})") from None
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
