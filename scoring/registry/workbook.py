"""The unit registry as an XLSX workbook: one sheet of units, one of clusters (khối/cụm).

:func:`registry_workbook` writes what :func:`read_registry_workbook` reads back. Reading never
stops at the first problem: every bad cell is named by sheet, row, column and a Vietnamese
reason, and the registry rules' messages (:func:`rule_issues`) are placed the same way, by the row of
the unit or cluster they are about. Kinds may be written as their code (``commune.xa``) or their
Vietnamese name ("Xã"); the level follows from the kind when its cell is empty.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import openpyxl
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from criteria.workbook_layout import MAX_BYTES, MAX_UNPACKED
from presentation.words import UNIT_KIND_NAMES
from scoring.core.units import KIND_LEVELS, LEVELS, Cluster, Unit
from storage.zipped import check_zip

UNIT_SHEET = "Đơn vị"
CLUSTER_SHEET = "Khối, cụm thi đua"
UNIT_COLUMNS = (
    ("code", "Mã đơn vị"), ("name", "Tên đơn vị"), ("kind", "Loại"), ("level", "Cấp"),
    ("parent", "Mã đơn vị cấp trên"), ("cluster", "Mã khối/cụm"),
    ("valid_from", "Hiệu lực từ ngày"), ("valid_to", "Hiệu lực đến ngày"), ("tags", "Nhãn"),
    ("sex", "Giới tính"), ("successors", "Sáp nhập vào"),
)
CLUSTER_COLUMNS = (("code", "Mã khối/cụm"), ("name", "Tên khối/cụm"), ("level", "Cấp"),
                   ("leader", "Cụm trưởng"), ("deputy", "Cụm phó"))
_KIND_BY_NAME = {name.casefold(): kind for kind, name in UNIT_KIND_NAMES.items()}
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_QUOTED = re.compile(r"^(?:mã )?(đơn vị|khối/cụm(?: thi đua)?) '([^']*)'")
# words of a registry rule's message → the column it is about (first match wins)
_RULE_COLUMNS = (
    ("cụm trưởng", "leader"), ("cụm phó", "deputy"), ("cấp trên", "parent"),
    ("không thể thuộc khối/cụm", "cluster"), ("khối/cụm thi đua '", "cluster"),
    ("loại", "kind"), ("hiệu lực", "valid_to"), ("giới tính", "sex"), ("tên", "name"),
    ("cấp '", "level"), ("trùng", "code"),
)


@dataclass(frozen=True)
class SheetIssue:
    """One refused cell or row: the sheet, its row number (header = 1), the column, why."""

    sheet: str
    row: int | None
    column: str | None
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.sheet, "row": self.row, "column": self.column, "reason": self.reason}


class WorkbookError(Exception):
    def __init__(self, issues: list[SheetIssue]) -> None:
        super().__init__("\n".join(f"{i.sheet} dòng {i.row}: {i.reason}" for i in issues))
        self.issues = issues


def registry_workbook(clusters: Iterable[Cluster], units: Iterable[Unit]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = UNIT_SHEET
    sheet.append([title for _, title in UNIT_COLUMNS])
    for u in units:
        sheet.append([u.code, u.name, u.kind, u.level, u.parent, u.cluster, u.valid_from,
                      u.valid_to, ", ".join(u.tags), u.sex, ", ".join(u.successors)])
    for row in sheet.iter_rows(min_row=2, min_col=7, max_col=8):
        for cell in row:
            cell.number_format = "DD/MM/YYYY"
    other = book.create_sheet(CLUSTER_SHEET)
    other.append([title for _, title in CLUSTER_COLUMNS])
    for c in clusters:
        other.append([c.code, c.name, c.level, c.leader, c.deputy])
    for ws, columns in ((sheet, UNIT_COLUMNS), (other, CLUSTER_COLUMNS)):
        ws.freeze_panes = "B2"
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for index, (_, title) in enumerate(columns):
            ws.column_dimensions[chr(ord("A") + index)].width = max(len(title) + 2, 14)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(unicodedata.normalize("NFC", str(value)).split())


class _Rows:
    """Reads one sheet's rows into dicts by column key, recording every bad cell."""

    def __init__(self, book: Any, title: str, columns: tuple[tuple[str, str], ...],
                 issues: list[SheetIssue]) -> None:
        self.title, self.columns, self.issues = title, columns, issues
        self.rows: list[tuple[int, dict[str, Any]]] = []
        if title not in book.sheetnames:
            issues.append(SheetIssue(title, None, None, f"thiếu trang tính «{title}»"))
            return
        lines = list(book[title].iter_rows(values_only=True))
        header = [_text(v) for v in (lines[0] if lines else ())]
        missing = [t for _, t in columns if t not in header]
        if missing:
            issues.append(SheetIssue(title, 1, None, "thiếu cột " + ", ".join(
                f"«{t}»" for t in missing) + "; hãy dùng tệp xuất từ hệ thống làm mẫu"))
            return
        where = {key: header.index(t) for key, t in columns}
        for number, line in enumerate(lines[1:], start=2):
            cells = {key: line[i] if i < len(line) else None for key, i in where.items()}
            if any(_text(v) for v in cells.values()):
                self.rows.append((number, cells))

    def add(self, row: int, key: str, reason: str) -> None:
        self.issues.append(SheetIssue(self.title, row, dict(self.columns)[key], reason))


def _day(rows: _Rows, row: int, key: str, value: Any, required: bool) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        if required:
            rows.add(row, key, "thiếu ngày (ghi ngày/tháng/năm, ví dụ 01/07/2025)")
        return None
    found = _DMY.match(text)
    try:
        if found:
            return date(int(found[3]), int(found[2]), int(found[1]))
        return date.fromisoformat(text)
    except ValueError:
        pass
    rows.add(row, key, f"ngày «{text}» không hợp lệ; ghi ngày/tháng/năm, ví dụ 01/07/2025")
    return None


def _kind(rows: _Rows, row: int, value: Any) -> str | None:
    text = _text(value)
    kind = text if text in KIND_LEVELS else _KIND_BY_NAME.get(text.casefold())
    if kind is None:
        rows.add(row, "kind", f"loại «{text}» không hợp lệ; dùng một trong: "
                 + ", ".join(f"{k} ({n})" for k, n in UNIT_KIND_NAMES.items()))
    return kind


def _list(value: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p for p in (_text(v) for v in _text(value).split(",")) if p))


def _unit(rows: _Rows, row: int, cells: dict[str, Any]) -> Unit | None:
    code, name = _text(cells["code"]), _text(cells["name"])
    for key, text in (("code", code), ("name", name)):
        if not text:
            rows.add(row, key, "ô này không được để trống")
    kind = _kind(rows, row, cells["kind"])
    level = _text(cells["level"]) or (KIND_LEVELS[kind] if kind else "")
    if level not in LEVELS and (kind or level):
        rows.add(row, "level", f"cấp «{level}» không hợp lệ; dùng một trong: {', '.join(LEVELS)}")
    valid_from = _day(rows, row, "valid_from", cells["valid_from"], True)
    valid_to = _day(rows, row, "valid_to", cells["valid_to"], False)
    if not (code and name and kind and level in LEVELS and valid_from):
        return None
    return Unit(code, name, kind, level, _text(cells["parent"]) or None,
                _text(cells["cluster"]) or None, valid_from, valid_to, _list(cells["tags"]),
                _text(cells["sex"]) or None, _list(cells["successors"]))


def _cluster(rows: _Rows, row: int, cells: dict[str, Any]) -> Cluster | None:
    code, name, level = (_text(cells[k]) for k in ("code", "name", "level"))
    for key, text in (("code", code), ("name", name), ("level", level)):
        if not text:
            rows.add(row, key, "ô này không được để trống")
    if not (code and name and level):
        return None
    return Cluster(code, name, level, _text(cells["leader"]) or None,
                   _text(cells["deputy"]) or None)


def _duplicates(rows: _Rows, codes: list[tuple[int, str]], what: str) -> None:
    first: dict[str, int] = {}
    for row, code in codes:
        if code in first:
            rows.add(row, "code", f"mã {what} «{code}» trùng với dòng {first[code]}")
        else:
            first.setdefault(code, row)


def open_workbook(data: bytes) -> Any:
    """The workbook, once its size and its parts' unpacked size are within bounds (the plan
    workbook's: :data:`criteria.workbook_layout.MAX_BYTES` and ``MAX_UNPACKED``)."""
    if len(data) > MAX_BYTES:
        raise WorkbookError([SheetIssue("tệp", None, None, f"tệp lớn hơn {MAX_BYTES // (1024 * 1024)} MB")])
    try:
        check_zip(data, MAX_UNPACKED).close()
    except ValueError as err:
        raise WorkbookError([SheetIssue("tệp", None, None, str(err))]) from None
    except zipfile.BadZipFile:
        pass  # openpyxl says so below
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise WorkbookError([SheetIssue("tệp", None, None, "không đọc được tệp Excel (.xlsx); "
                                        "hãy mở bằng Excel và lưu lại dạng «Excel Workbook (.xlsx)»"
                                        )]) from None


def read_registry_workbook(data: bytes) -> tuple[list[tuple[int, Cluster]], list[tuple[int, Unit]]]:
    """Clusters and units with their row numbers; WorkbookError lists every bad cell."""
    book = open_workbook(data)
    issues: list[SheetIssue] = []
    unit_rows = _Rows(book, UNIT_SHEET, UNIT_COLUMNS, issues)
    cluster_rows = _Rows(book, CLUSTER_SHEET, CLUSTER_COLUMNS, issues)
    book.close()
    units = [(row, u) for row, cells in unit_rows.rows
             if (u := _unit(unit_rows, row, cells)) is not None]
    clusters = [(row, c) for row, cells in cluster_rows.rows
                if (c := _cluster(cluster_rows, row, cells)) is not None]
    _duplicates(unit_rows, [(row, u.code) for row, u in units], "đơn vị")
    _duplicates(cluster_rows, [(row, c.code) for row, c in clusters], "khối/cụm")
    if issues:
        raise WorkbookError(issues)
    return clusters, units


def rule_issues(problems: list[str], clusters: list[tuple[int, Cluster]],
                units: list[tuple[int, Unit]]) -> list[SheetIssue]:
    """The registry rules' messages, each placed at the row (and column) of what it names."""
    unit_row = {u.code: row for row, u in units}
    cluster_row = {c.code: row for row, c in clusters}
    out: list[SheetIssue] = []
    for problem in problems:
        found = _QUOTED.match(problem)
        is_unit = found is not None and found[1] == "đơn vị"
        sheet, columns, rows = ((UNIT_SHEET, UNIT_COLUMNS, unit_row) if is_unit
                                else (CLUSTER_SHEET, CLUSTER_COLUMNS, cluster_row))
        row = rows.get(found[2]) if found else None
        rest = problem[found.end():] if found else problem
        key = next((k for words, k in _RULE_COLUMNS if words in rest and k in dict(columns)),
                   None)
        out.append(SheetIssue(sheet, row, dict(columns)[key] if key else None, problem))
    return out
