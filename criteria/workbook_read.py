"""Read a plan workbook (the layout of :mod:`criteria.workbook_layout`) into a plan, or report
every mistake at once by sheet, row and column in Vietnamese: cells that cannot be read, then
whatever the plan loader finds, mapped from its key paths back to the cells they came from.

Bounded: the file (5 MB), its unpacked parts (60 MB) and the rows read per sheet (5,000).
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import openpyxl

from criteria.fields import PlanIssue
from criteria.loader import PlanError, plan_from_dict
from criteria.model import Plan
from criteria.workbook_layout import (
    CRITERIA_HEADER_ROW,
    CRITERIA_PREFIX,
    CRITERION_COLUMNS,
    INFO_ROWS,
    INFO_SHEET,
    MAX_BYTES,
    MAX_ROWS,
    MAX_UNPACKED,
    TABLE_SHEETS,
    Column,
)
from presentation.text import fold
from storage.zipped import check_zip

_PATH = re.compile(r"^(\w+)(?:\[(\d+)\])?(?:\.(\w+))?")
_YES = {"co", "x", "yes", "true", "1", "dung"}
_NO = {"khong", "no", "false", "0", "sai", ""}


@dataclass(frozen=True, slots=True)
class SheetIssue(PlanIssue):
    """A workbook mistake: the sheet, the row (1-based) and the column's header, where known."""

    sheet: str = ""
    row: int | None = None
    column: str | None = None


def _issue(sheet: str, row: int | None, column: str | None, message: str) -> SheetIssue:
    where = f"Trang «{sheet}»" + (f", dòng {row}" if row else "") + (f", cột «{column}»" if column else "")
    return SheetIssue(where, message, sheet, row, column)


class _Cells:
    """Cell readers that record a :class:`SheetIssue` and return ``None`` for a bad cell."""

    def __init__(self) -> None:
        self.issues: list[SheetIssue] = []
        self.bad: set[tuple[str, int, str]] = set()  # (table, index, key) of cells already reported

    def read(self, column: Column, value: Any, sheet: str, row: int, spot: tuple[str, int]) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return [] if column.kind == "list" else None
        try:
            return _parse(column, value)
        except ValueError as exc:
            self.issues.append(_issue(sheet, row, column.header, str(exc)))
            self.bad.add((*spot, column.key))
            return None


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        value = value.strftime("%d/%m/%Y")
    return unicodedata.normalize("NFC", str(value).strip())


def _number(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(f"«{value}» không phải là số")
    if isinstance(value, int | float):
        return float(value)
    text = _text(value).replace("\u00a0", "").replace(" ", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        return float(text.removesuffix("%")) / (100 if text.endswith("%") else 1)
    except ValueError:
        raise ValueError(f"«{_text(value)}» không phải là số "
                         "(số thập phân dùng dấu phẩy, ví dụ 85,5)") from None


def read_cell(column: Column, value: Any) -> Any:
    """One cell (or typed text) as the plan's value for ``column``; ``ValueError`` says why not.
    Blank gives ``None``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _parse(column, value)


def _parse(column: Column, value: Any) -> Any:
    kind = column.kind
    if kind == "number":
        return _number(value)
    if kind == "fraction":
        number = _number(value)
        return number / 100 if number > 1 else number
    if kind == "flag":
        word = fold(_text(value))
        if word in _YES or word in _NO:
            return word in _YES
        raise ValueError(f"«{_text(value)}»: ghi «Có» hoặc «Không»")
    if kind == "list":
        return [part.strip() for part in re.split(r"[;,]", _text(value)) if part.strip()]
    if kind == "choice":
        return _choice(column, _text(value))
    if kind == "date":
        return _date(value)
    if kind == "deadline":
        return _deadline(value)
    if kind == "bands":
        return _bands(_text(value))
    if kind == "scale":
        return [_number(part) for part in re.split(r";", _text(value)) if part.strip()]
    return _text(value)


def _choice(column: Column, text: str) -> str:
    wanted = fold(text)
    for code, word in column.words.items():
        if wanted in (fold(word), fold(code)):
            return code
    allowed = "; ".join(f"«{w}»" for w in column.words.values())
    raise ValueError(f"«{text}» không phải là lựa chọn hợp lệ; chọn một trong: {allowed}")


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"«{text}» không phải là ngày; ghi theo dạng dd/mm/yyyy, ví dụ 31/12/2025")


def _deadline(value: Any) -> str:
    if isinstance(value, datetime | date):
        return f"{value.month:02d}-{value.day:02d}"
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})", _text(value))
    if not match:
        raise ValueError(f"«{_text(value)}» không phải là ngày/tháng; ghi ví dụ 16/12")
    return f"{int(match[2]):02d}-{int(match[1]):02d}"


def _bands(text: str) -> list[list[float]]:
    pairs = []
    for part in (p for p in text.split(";") if p.strip()):
        sides = part.split(":")
        if len(sides) != 2:
            raise ValueError(f"«{part.strip()}»: mỗi bậc ghi «ngưỡng: điểm», các bậc cách nhau bởi «;»")
        pairs.append([_number(sides[0]), _number(sides[1])])
    return pairs


def _rows(book: Any, name: str, cells: _Cells) -> list[tuple[int, tuple[Any, ...]]]:
    """(row number, values) of a sheet's non-empty rows, at most MAX_ROWS."""
    out = []
    for number, values in enumerate(book[name].iter_rows(values_only=True), 1):
        if number > MAX_ROWS:
            cells.issues.append(_issue(name, number, None, f"trang có quá {MAX_ROWS} dòng"))
            break
        if any(v is not None and str(v).strip() for v in values):
            out.append((number, tuple(values)))
    return out


def _positions(header: tuple[Any, ...], columns: tuple[Column, ...], sheet: str, row: int,
               cells: _Cells) -> dict[str, int]:
    found = {fold(_text(h)): n for n, h in enumerate(header) if h is not None}
    out = {}
    for column in columns:
        if not column.key:
            continue
        if fold(column.header) in found:
            out[column.key] = found[fold(column.header)]
        else:
            cells.issues.append(_issue(sheet, row, column.header, "thiếu cột này ở dòng tiêu đề"))
    return out


class _Reader:
    def __init__(self, book: Any) -> None:
        self.book = book
        self.names = {unicodedata.normalize("NFC", n): n for n in book.sheetnames}
        self.cells = _Cells()
        self.where: dict[tuple[str, int], tuple[str, int]] = {}  # (table, index) → (sheet, row)
        self.headers: dict[str, dict[str, str]] = {}  # table → key → column header
        self.info_rows: dict[str, int] = {}  # plan key → its row on the plan sheet

    def sheet(self, name: str) -> str | None:
        if name not in self.names:
            self.cells.issues.append(_issue(name, None, None, "thiếu trang này trong tệp"))
            return None
        return str(self.names[name])

    def record(self, table: str, sheet: str, rows: list[tuple[int, tuple[Any, ...]]],
               columns: tuple[Column, ...], header_row: int, out: list[dict[str, Any]],
               fixed: dict[str, Any] | None = None) -> None:
        """Read data rows below ``header_row`` into ``out`` (rows already in ``out`` kept)."""
        self.headers[table] = {c.key: c.header for c in columns if c.key}
        header = next((v for n, v in rows if n == header_row), ())
        spots = _positions(header, columns, sheet, header_row, self.cells)
        for number, values in rows:
            if number <= header_row:
                continue
            row = dict(fixed or {})
            index = len(out)
            for column in columns:
                at = spots.get(column.key)
                if at is None or at >= len(values):
                    continue
                value = self.cells.read(column, values[at], sheet, number, (table, index))
                if value is not None and value != []:
                    row[column.key] = value
            self.where[(table, index)] = (sheet, number)
            out.append(row)

    def info(self) -> dict[str, Any]:
        name = self.sheet(INFO_SHEET)
        if name is None:
            return {}
        by_label = {fold(c.header): c for c in INFO_ROWS}
        self.headers["plan"] = {c.key: c.header for c in INFO_ROWS}
        out: dict[str, Any] = {}
        for number, values in _rows(self.book, name, self.cells):
            column = by_label.get(fold(_text(values[0]))) if values and values[0] is not None else None
            if column is None:
                continue
            value = self.cells.read(column, values[1] if len(values) > 1 else None, INFO_SHEET, number,
                                    ("plan", 0))
            self.info_rows[column.key] = number
            if value is not None and value != []:
                out[column.key] = value
        return out

    def criteria(self, groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Every score sheet, in the workbook's order: a heading row names the group of the
        criteria below it (a heading with a new code adds that group); the sheet's level is B2."""
        out: list[dict[str, Any]] = []
        known = {g.get("id") for g in groups}
        for name in (n for n in self.names if n.startswith(CRITERIA_PREFIX)):
            rows = _rows(self.book, self.names[name], self.cells)
            level = next((_text(v[1]) for n, v in rows if n == 2 and len(v) > 1 and v[1] is not None), "")
            if not level:
                self.cells.issues.append(_issue(name, 2, "B", "thiếu mã cấp của bảng chấm điểm ở ô B2"))
            body = [(n, v) for n, v in rows if n <= CRITERIA_HEADER_ROW]
            group, group_of = "", []
            for number, values in rows:
                if number <= CRITERIA_HEADER_ROW:
                    continue
                if _is_heading(values):
                    group = _text(values[1])
                    if group not in known:  # a heading typed in the score sheet adds its group
                        groups.append({"id": group, "level": level, "name": _text(values[2] or "")})
                        known.add(group)
                    continue
                body.append((number, values))
                group_of.append(group)
            first = len(out)
            self.record("criteria", name, body, CRITERION_COLUMNS, CRITERIA_HEADER_ROW, out)
            for index, group_id in zip(range(first, len(out)), group_of, strict=True):
                out[index] = {"level": level, "group": group_id, **out[index]}
        return out


def _is_heading(values: tuple[Any, ...]) -> bool:
    """A group heading: a code and a name, and none of a criterion's scoring cells."""
    scoring = [values[n] for n in (3, 6, 7, 13) if n < len(values)]
    return len(values) > 2 and values[1] is not None and all(
        v is None or not str(v).strip() for v in scoring)


def _open(data: bytes) -> Any:
    if len(data) > MAX_BYTES:
        raise ValueError(f"tệp lớn hơn {MAX_BYTES // (1024 * 1024)} MB")
    try:
        check_zip(data, MAX_UNPACKED).close()
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ValueError:
        raise
    except Exception as exc:  # zip, XML or openpyxl: the file is not a readable workbook
        raise ValueError(f"không đọc được tệp Excel (.xlsx): {type(exc).__name__}") from None


def read_plan_workbook(data: bytes, source: str = "(bảng tính)") -> Plan:
    """The plan in the workbook; :class:`PlanError` lists every mistake by sheet, row, column."""
    try:
        book = _open(data)
    except ValueError as exc:
        raise PlanError(source, [PlanIssue("(tệp)", str(exc))]) from None
    try:
        reader = _Reader(book)
        info = reader.info()
        raw: dict[str, Any] = {"plan": {k: v for k, v in info.items() if k != "order"},
                               "ranking": {"order": info.get("order", [])}}
        for table, (sheet, columns) in TABLE_SHEETS.items():
            raw[table] = []
            name = reader.sheet(sheet)
            if name is not None:
                reader.record(table, sheet, _rows(book, name, reader.cells), columns, 1, raw[table])
        raw["criteria"] = reader.criteria(raw["groups"])
    finally:
        book.close()
    issues: list[PlanIssue] = list(reader.cells.issues)
    try:
        plan = plan_from_dict(raw, source=source)
    except PlanError as err:
        issues += [_located(reader, issue) for issue in err.issues if not _reported(reader, issue)]
        raise PlanError(source, issues) from None
    if issues:
        raise PlanError(source, issues)
    return plan


def _reported(reader: _Reader, issue: PlanIssue) -> bool:
    """A loader issue about a cell that could not be read (already reported as such)."""
    match = _PATH.match(issue.path)
    if not match:
        return False
    if match[1] in ("plan", "ranking"):
        return ("plan", 0, "order" if match[1] == "ranking" else match[3] or "") in reader.cells.bad
    return match[2] is not None and (match[1], int(match[2]), match[3] or "") in reader.cells.bad


_TABLE_WORDS = {f"[[{table}]]": f"trang «{sheet}»" for table, (sheet, _) in TABLE_SHEETS.items()}
_TABLE_WORDS["[[criteria]]"] = "các trang «Tiêu chí …»"


def _located(reader: _Reader, issue: PlanIssue) -> PlanIssue:
    """The loader's issue at the sheet, row and column its key path came from."""
    message = issue.message
    for table, words in _TABLE_WORDS.items():
        message = message.replace(table, words)
    issue = PlanIssue(issue.path, message)
    match = _PATH.match(issue.path)
    if not match:
        return issue
    table, index, key = match[1], match[2], match[3]
    if table in ("plan", "ranking"):
        key = "order" if table == "ranking" else key
        return _issue(INFO_SHEET, reader.info_rows.get(key or ""),
                      reader.headers.get("plan", {}).get(key or "", key), issue.message)
    sheet_name = TABLE_SHEETS.get(table, (table, ()))[0]
    if index is None:
        return _issue(sheet_name, None, None, issue.message)
    sheet, row = reader.where.get((table, int(index)), (sheet_name, None))
    column = reader.headers.get(table, {}).get(key or "", key) if key else None
    return _issue(sheet, row, column, issue.message)

