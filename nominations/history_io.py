"""Reading history files (CSV/XLSX): one row per fact, every problem named, all or nothing.

Layout: one header row (searched for in the first rows, as indicator files are) with the
columns ``ma_don_vi``, ``nam``, ``loai``, ``gia_tri`` and optionally ``chi_tiet`` and
``da_dung_cho``; Vietnamese headers ("Mã đơn vị", "Năm", …) are accepted. A kind and a value
may be written as a code or as its Vietnamese name or abbreviation (see
:mod:`nominations.history_codes`). Bytes are read by :func:`scoring.intake.sheets.read_sheet`, problems
are collected as the indicator intake collects them (:class:`scoring.intake.checks.Issues`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

from nominations.history import HistoryEntry
from nominations.history_codes import (
    COLLECTIVE_TITLES,
    INDIVIDUAL_TITLES,
    accepted,
    accepted_kinds,
    kind_label,
    parse_kind,
    parse_value,
    short_label,
)
from presentation.times import date_text
from scoring.core.reading import clean_text, format_machine
from scoring.core.units import Registry
from scoring.intake.checks import IntakeIssue, Issues, Records, _restore_leading_zeros
from scoring.intake.reader import HEADER_SEARCH_ROWS, IntakeError, header_key
from scoring.intake.sheets import Sheet, readable_sheets

__all__ = ["HistoryFileError", "HistoryRows", "IntakeIssue", "read_history", "read_history_files"]

YEARS = range(2000, 2101)
DETAIL_MAX = 300  # the stored key joins unit, year, kind, value and detail in 400 characters
USED_FOR_MAX = 80
COLUMNS = ("ma_don_vi", "nam", "loai", "gia_tri", "chi_tiet", "da_dung_cho")
ROLE_ALIASES = {
    "unit": ("ma_don_vi", "ma_dv", "unit_code", "ma_ca_nhan", "ma_don_vi_ca_nhan"),
    "year": ("nam", "year", "nam_danh_gia"),
    "kind": ("loai", "kind"),
    "value": ("gia_tri", "value"),
    "detail": ("chi_tiet", "detail"),
    "used_for": ("da_dung_cho", "used_for"),
    "ignored": ("stt", "tt", "ten_don_vi", "ten_dv", "ten", "ho_ten", "ho_va_ten", "ghi_chu", "note"),
}
ROLE_BY_KEY = {alias: role for role, aliases in ROLE_ALIASES.items() for alias in aliases}
REQUIRED = {"unit": "«Mã đơn vị» (ma_don_vi)", "year": "«Năm» (nam)", "kind": "«Loại» (loai)",
            "value": "«Giá trị» (gia_tri)"}
_YEAR = re.compile(r"^\d{4}$")


class HistoryFileError(IntakeError):
    """The history files were refused; ``issues`` lists every problem in every file."""

    def __init__(self, issues: Sequence[IntakeIssue]) -> None:
        super().__init__(issues)
        lines = "\n".join(f"- {issue}" for issue in self.issues)
        self.args = (
            f"Không nhận lịch sử thi đua, khen thưởng: có {len(self.issues)} lỗi, chưa dòng nào "
            f"được nhận. Hãy sửa các lỗi sau rồi nhập lại toàn bộ:\n{lines}",
        )


@dataclass(frozen=True)
class Source:
    """Where an entry was read: the file's position in the upload, its name, the row, the
    label of its value column (``"D (gia_tri)"``)."""

    index: int
    file: str
    row: int
    column: str


@dataclass(frozen=True)
class HistoryRows:
    """Validated entries in file order, each with where it was read (``sources``, parallel)."""

    entries: tuple[HistoryEntry, ...]
    sources: tuple[Source, ...]


def identity(entry: HistoryEntry) -> tuple[Any, ...]:
    """What may appear once: one rating a year; a title or discipline once a year; an
    initiative once per name."""
    if entry.kind == "rating":
        return (entry.unit_code, entry.year, entry.kind)
    if entry.kind == "initiative":
        return (entry.unit_code, entry.year, entry.kind, entry.value, entry.detail)
    return (entry.unit_code, entry.year, entry.kind, entry.value)


@dataclass
class _Row:
    index: int
    file: str
    row: int
    labels: dict[str, str]  # role → "C (loai)"
    unit: str | None
    year: int | None
    kind: str | None
    value: str | None
    detail: str
    used_for: str
    ok: bool = True


@dataclass
class _Reading:
    rows: list[_Row] = field(default_factory=list)
    issues: Issues = field(default_factory=Issues)

    def refuse(self, row: _Row, role: str | None, reason: str) -> None:
        column = row.labels.get(role) if role else None
        self.issues.add(row.index, row.file, row.row, column, reason)
        row.ok = False


def read_history_files(paths: Sequence[Path | str], registry: Registry) -> list[HistoryEntry]:
    """Read and check every file; raise :class:`HistoryFileError` listing every problem."""
    return list(read_history(paths, registry).entries)


def read_history(paths: Sequence[Path | str], registry: Registry) -> HistoryRows:
    """As :func:`read_history_files`, keeping where each entry was read."""
    reading = _Reading()
    for index, name, sheet in readable_sheets(paths, reading.issues):
        _collect(sheet, index, name, reading)
    _check_units(reading, registry)
    entries, sources = _check_rows(reading)
    if reading.issues:
        raise HistoryFileError(reading.issues.sorted())
    return HistoryRows(tuple(entries), tuple(sources))


def _find_header(sheet: Sheet) -> int | None:
    for position, (_, cells) in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        if any(ROLE_BY_KEY.get(header_key(str(c))) == "unit" for c in cells if c is not None):
            return position
    return None


def _layout(header: list[Any], index: int, name: str, row: int, issues: Issues) -> dict[str, int] | None:
    roles: dict[str, int] = {}
    for col, cell in enumerate(header):
        if cell is None:
            continue
        text = clean_text(str(cell))
        label = f"{get_column_letter(col + 1)} ({text})"
        role = ROLE_BY_KEY.get(header_key(text))
        if role is None:
            issues.add(index, name, row, label, "cột không dùng cho lịch sử thi đua; các cột: "
                       + ", ".join(COLUMNS))
        elif role in roles and role != "ignored":
            first = get_column_letter(roles[role] + 1)
            issues.add(index, name, row, label, f"cột bị lặp: đã có ở cột {first}")
        else:
            roles[role] = col
    missing = [title for role, title in REQUIRED.items() if role not in roles]
    for title in missing:
        issues.add(index, name, row, None, f"thiếu cột {title}")
    return None if missing else roles


def _collect(sheet: Sheet, index: int, name: str, reading: _Reading) -> None:
    position = _find_header(sheet)
    if position is None:
        reading.issues.add(index, name, sheet.rows[0][0], None,
                           f"không tìm thấy dòng tiêu đề có cột «Mã đơn vị» (ma_don_vi) trong "
                           f"{HEADER_SEARCH_ROWS} dòng đầu")
        return
    header_row, header = sheet.rows[position]
    roles = _layout(header, index, name, header_row, reading.issues)
    if roles is None:
        return
    roles.pop("ignored", None)
    labels = {role: f"{get_column_letter(col + 1)} ({clean_text(str(header[col]))})"
              for role, col in roles.items()}
    data_rows = sheet.rows[position + 1:]
    if not data_rows:
        reading.issues.add(index, name, None, None, "tệp trống: chỉ có dòng tiêu đề, không có dòng dữ liệu")
    for number, cells in data_rows:
        raw = {role: cells[col] if col < len(cells) else None for role, col in roles.items()}
        if all(v is None for v in raw.values()):
            continue
        _parse_row(_Row(index, name, number, labels, None, None, None, None, "", ""), raw, reading)


def _text(cell: Any) -> str:
    if isinstance(cell, datetime | date):
        return date_text(cell.date() if isinstance(cell, datetime) else cell)  # a sheet's wall-clock day
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return format_machine(cell)
    return "" if cell is None else clean_text(str(cell))


def _parse_year(raw: Any) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        return int(raw) if float(raw).is_integer() else None
    text = clean_text(str(raw))
    return int(text) if _YEAR.match(text) else None


def _parse_row(row: _Row, raw: dict[str, Any], reading: _Reading) -> None:
    row.unit = _text(raw["unit"]) or None
    if row.unit is None:
        reading.refuse(row, "unit", "thiếu mã đơn vị (hoặc mã cá nhân)")
    if raw["year"] is None:
        reading.refuse(row, "year", "thiếu năm")
    else:
        row.year = _parse_year(raw["year"])
        if row.year is None or row.year not in YEARS:
            reading.refuse(row, "year", f"năm «{_text(raw['year'])}» không hợp lệ: cần một năm từ "
                           f"{YEARS[0]} đến {YEARS[-1]}")
            row.year = None
    kind_text = _text(raw["kind"])
    row.kind = parse_kind(kind_text) if kind_text else None
    if not kind_text:
        reading.refuse(row, "kind", "thiếu loại; dùng một trong: " + accepted_kinds())
    elif row.kind is None:
        reading.refuse(row, "kind", f"loại «{kind_text}» không hợp lệ; dùng một trong: {accepted_kinds()}")
    value_text = _text(raw["value"])
    if not value_text:
        reading.refuse(row, "value", "thiếu giá trị")
    elif row.kind is not None:
        row.value = parse_value(row.kind, value_text)
        if row.value is None:
            reading.refuse(row, "value", f"giá trị «{value_text}» không hợp lệ cho loại "
                           f"«{kind_label(row.kind)}»; dùng một trong: {accepted(row.kind)}")
    row.detail = _text(raw.get("detail"))
    if len(row.detail) > DETAIL_MAX:
        reading.refuse(row, "detail", f"chi tiết quá dài ({len(row.detail)} ký tự; tối đa {DETAIL_MAX})")
    used_for = _text(raw.get("used_for"))
    if used_for and row.kind is not None and row.kind != "initiative":
        reading.refuse(row, "used_for", f"cột «Đã dùng cho» chỉ ghi cho sáng kiến, không ghi cho loại "
                       f"«{kind_label(row.kind)}»; hãy để trống ô này")
    elif len(used_for) > USED_FOR_MAX:
        reading.refuse(row, "used_for", f"«Đã dùng cho» quá dài (tối đa {USED_FOR_MAX} ký tự)")
    row.used_for = parse_value("title", used_for) or used_for
    reading.rows.append(row)


def _check_units(reading: _Reading, registry: Registry) -> None:
    """Restore leading zeros Excel dropped, then name every code the registry does not have."""
    named = [row for row in reading.rows if row.unit is not None]
    records = Records(unit=[row.unit for row in named if row.unit is not None])
    _restore_leading_zeros(records, registry)
    for row, code in zip(named, records.unit, strict=True):
        row.unit = code
        if not registry.has(code):
            reading.refuse(row, "unit", f"mã «{code}» không có trong danh mục đơn vị và cá nhân")
            continue
        unit = registry.unit(code)
        if row.kind != "title" or row.value is None:
            continue
        individual = unit.level == "individual"
        if row.value in INDIVIDUAL_TITLES and not individual:
            reading.refuse(row, "value", f"«{short_label('title', row.value)}» là danh hiệu cá nhân, còn "
                           f"«{code}» ({unit.name}) là tập thể")
        elif row.value in COLLECTIVE_TITLES and individual:
            reading.refuse(row, "value", f"«{short_label('title', row.value)}» là danh hiệu tập thể, còn "
                           f"«{code}» ({unit.name}) là cá nhân")


def _check_rows(reading: _Reading) -> tuple[list[HistoryEntry], list[Source]]:
    """Entries of the rows without problems; a fact given twice is refused where it repeats."""
    entries: list[HistoryEntry] = []
    sources: list[Source] = []
    first: dict[tuple[Any, ...], tuple[HistoryEntry, _Row]] = {}
    for row in reading.rows:
        if not row.ok:
            continue
        assert row.unit is not None and row.year is not None and row.kind is not None
        assert row.value is not None
        entry = HistoryEntry(row.unit, row.year, row.kind, row.value, row.detail,
                             row.used_for if row.kind == "initiative" else "")
        seen = first.setdefault(identity(entry), (entry, row))
        if seen[1] is not row:
            reading.refuse(row, "value", _repeat_reason(entry, seen[0], seen[1]))
            continue
        entries.append(entry)
        sources.append(Source(row.index, row.file, row.row, row.labels["value"]))
    return entries, sources


def _repeat_reason(entry: HistoryEntry, earlier: HistoryEntry, at: _Row) -> str:
    where = f"tệp {at.file}, dòng {at.row}"
    if entry.kind == "rating" and earlier.value != entry.value:
        return (f"«{entry.unit_code}» có hai xếp loại năm {entry.year}: "
                f"«{short_label('rating', entry.value)}» và «{short_label('rating', earlier.value)}» "
                f"({where}); mỗi năm chỉ có một xếp loại")
    return f"dòng trùng: «{entry.unit_code}», năm {entry.year}, " \
           f"«{short_label(entry.kind, entry.value)}» đã có ở {where}"
