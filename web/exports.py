"""A run's ranking as a spreadsheet: one row per unit, totals, ranks and band, then points per criterion.

Cells are neutralised against formula injection: a text beginning with ``= + - @`` (or a tab or
carriage return) gets a leading apostrophe, so Excel and LibreOffice show it as text instead of
running it. Numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from presentation.numbers import number_text

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SUMMARY_COLUMNS = (
    ("rank_overall", "Hạng chung"),
    ("unit_code", "Mã đơn vị"),
    ("unit_name", "Tên đơn vị"),
    ("cluster_name", "Khối/cụm thi đua"),
    ("rank_in_cluster", "Hạng trong khối/cụm"),
    ("cluster_size", "Số đơn vị của khối/cụm"),
    ("total", "Tổng điểm"),
    ("max", "Điểm tối đa"),
    ("percent", "Tỷ lệ (%)"),
    ("band_name", "Xếp loại"),
    ("base_total", "Điểm các tiêu chí"),
    ("bonus", "Điểm thưởng"),
    ("deductions", "Điểm trừ"),
    ("gate_failed", "Chưa đạt điều kiện bắt buộc"),
)
FROZEN = "D2"  # the header row and the rank, code and name columns stay in view
Cell = str | int | float | None


def neutralise(value: Any) -> Cell:
    """A cell safe to open in a spreadsheet: formula-like text prefixed, booleans as Có/Không."""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if value is None or isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def ranking_table(records: Sequence[dict[str, Any]]) -> tuple[list[str], list[list[Cell]]]:
    """Header and rows from a run's unit records (the documented result shape), best rank first."""
    first = records[0] if records else {"criteria": [], "bonus_items": [], "deduction_items": []}
    items = [("criteria", "Tiêu chí"), ("bonus_items", "Điểm thưởng"), ("deduction_items", "Điểm trừ")]
    header = [title for _, title in SUMMARY_COLUMNS]
    for key, kind in items:
        header += [f"{kind} {c['id']}: {c['name']} (tối đa {number_text(c['max_points'])})"
                   for c in first.get(key, [])]
    rows = []
    for record in sorted(records, key=lambda r: r["rank_overall"]):
        row: list[Any] = [record.get(key) for key, _ in SUMMARY_COLUMNS]
        for key, _ in items:
            row += [c.get("points") for c in record.get(key, [])]
        rows.append([neutralise(v) for v in row])
    return [str(neutralise(h)) for h in header], rows


def to_csv(header: list[str], rows: list[list[Cell]]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel reads the Vietnamese letters correctly."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(header: list[str], rows: list[list[Cell]], sheet_title: str = "Xếp hạng") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title[:31]
    sheet.append(header)
    for row in rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = FROZEN
    for index, title in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(len(title), 10) + 2, 45)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
