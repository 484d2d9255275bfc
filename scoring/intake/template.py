"""Data-entry files: the XLSX template units fill in, and a long CSV for machines.

Both read back through :func:`scoring.intake.reader.read_indicator_files` to exactly the values
written: numbers keep every digit, dates are real Excel dates, yes/no is «Có»/«Không».
openpyxl stores numbers with 16 significant digits, so the rare value that needs 17
(``0.1 + 0.2``) is written as Vietnamese text (``0,30000000000000004``) to stay exact.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from criteria.model import Indicator, Plan
from presentation.numbers import exact_number_text
from presentation.times import date_text
from scoring.core.days import day_of
from scoring.core.reading import format_machine
from scoring.core.units import Unit

SHEET_TITLE = "Nhập liệu"
GUIDE_TITLE = "Hướng dẫn"
DATE_FORMAT = "dd/mm/yyyy"
CSV_HEADER = ("ma_don_vi", "chi_tieu", "ky", "gia_tri")
KIND_GUIDE = {
    "percent": "tỷ lệ phần trăm từ 0 đến 100, ví dụ 85,5",
    "number": "số, ví dụ 1.234,5",
    "count": "số nguyên không âm: 0, 1, 2, …",
    "yes_no": "«Có» hoặc «Không»",
    "days": "số ngày, không âm",
    "date": "ngày theo dạng dd/mm/yyyy, ví dụ 15/01/2025",
    "points": "điểm tự chấm",
}


def kind_guide(indicator: Indicator) -> str:
    """How a value of the indicator is typed; a points indicator names its range or scale."""
    if indicator.kind == "points":
        if indicator.scale:
            return "điểm tự chấm, một trong các mức: " + "; ".join(
                exact_number_text(x) for x in indicator.scale)
        return (f"điểm tự chấm từ {exact_number_text(indicator.min or 0.0)} "
                f"đến {exact_number_text(indicator.max or 0.0)}")
    return KIND_GUIDE.get(indicator.kind, "")
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def indicator_header(plan: Plan, indicator: Indicator) -> str:
    """``"Tỷ lệ số hóa hồ sơ (%) — chỉ tiêu: 100 [ty_le_so_hoa]"``; the ``[id]`` is read back."""
    head = f"{indicator.name} ({indicator.unit})" if indicator.unit.strip() else indicator.name
    target = next((c.target for c in plan.criteria if c.indicator == indicator.id), None)
    if target is not None:
        head += f" — chỉ tiêu: {exact_number_text(target)}"
    return f"{head} [{indicator.id}]"


def write_template(
    plan: Plan,
    level: str,
    units: Sequence[Unit],
    path: Path | str,
    values: pd.DataFrame | None = None,
) -> None:
    """Write the entry sheet for ``level``: one row per unit, one column per indicator.

    ``values`` (long: unit_code, indicator, value) pre-fills cells; values of other units or
    of indicators of other levels are left out.
    """
    plan.level(level)  # KeyError for a level the plan does not have
    indicators = plan.indicators_of(level)
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_TITLE
    headers = ["Mã đơn vị", "Tên đơn vị", *(indicator_header(plan, i) for i in indicators)]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    lookup = _value_lookup(values)
    for row, unit in enumerate(units, start=2):
        code = sheet.cell(row=row, column=1, value=unit.code)
        code.number_format = "@"  # keep leading zeros of codes such as "00004"
        sheet.cell(row=row, column=2, value=unit.name)
        for col, indicator in enumerate(indicators, start=3):
            cell = sheet.cell(row=row, column=col)
            if indicator.kind == "date":
                cell.number_format = DATE_FORMAT
            value = lookup.get((unit.code, indicator.id))
            if value is not None:
                cell.value = _cell_value(value, indicator)
    _dress(sheet, indicators, len(units))
    _write_guide(book.create_sheet(GUIDE_TITLE), plan, indicators)
    book.save(Path(path))


def write_long_csv(frame: pd.DataFrame, period: int, path: Path | str, *, plan: Plan | None = None) -> None:
    """Write ``ma_don_vi,chi_tieu,ky,gia_tri`` as UTF-8 with BOM so Excel opens it cleanly.

    Numbers use a dot decimal and are written so they read back exactly. Without ``plan``
    every value is a number, so ``date`` indicators come out as day numbers (days since
    1970-01-01), which :func:`scoring.intake.reader.read_indicator_files` refuses for dates; pass
    ``plan`` to write them as ``dd/mm/yyyy``.
    """
    kinds = {i.id: i.kind for i in plan.indicators} if plan is not None else {}
    ordered = frame.sort_values(["unit_code", "indicator"], kind="stable")
    with Path(path).open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(CSV_HEADER)
        for unit, ind, value in zip(
            ordered["unit_code"], ordered["indicator"], ordered["value"], strict=True
        ):
            if kinds.get(ind) == "date":
                text = date_text(_as_date(float(value)))
            else:
                text = format_machine(float(value))
            writer.writerow((unit, ind, period, text))


def _value_lookup(values: pd.DataFrame | None) -> dict[tuple[str, str], float]:
    if values is None or values.empty:
        return {}
    return {
        (str(u), str(i)): float(v)
        for u, i, v in zip(values["unit_code"], values["indicator"], values["value"], strict=True)
        if pd.notna(v)
    }


def _cell_value(value: float, indicator: Indicator) -> object:
    if indicator.kind == "yes_no":
        return "Có" if value else "Không"
    if indicator.kind == "date":
        return _as_date(value)
    if value.is_integer() and abs(value) < 2**53:
        return int(value)
    if float(f"{value:.16g}") != value:
        # openpyxl writes numbers with 16 significant digits; keep all 17 as text instead
        return exact_number_text(value)
    return value


def _as_date(number: float) -> date:
    return day_of(number)


def _dress(ws: Any, indicators: Sequence[Indicator], n_units: int) -> None:
    """Widths, frozen panes and drop-down lists; cosmetic only, nothing here is read back."""
    ws.freeze_panes = "C2"
    dims = ws.column_dimensions
    dims["A"].width = 14
    dims["B"].width = 36
    for col, indicator in enumerate(indicators, start=3):
        dims[get_column_letter(col)].width = 16 if indicator.kind in ("yes_no", "date") else 22
    ws.row_dimensions[1].height = 90
    yes_no = [get_column_letter(c) for c, i in enumerate(indicators, 3) if i.kind == "yes_no"]
    if yes_no and n_units:
        check = DataValidation(type="list", formula1='"Có,Không"', allow_blank=True)
        check.error = "Chỉ chọn «Có» hoặc «Không»"
        check.errorTitle = "Giá trị không hợp lệ"
        for letter in yes_no:
            check.add(f"{letter}2:{letter}{n_units + 1}")
        ws.add_data_validation(check)


def _write_guide(ws: Any, plan: Plan, indicators: Sequence[Indicator]) -> None:
    rows = [
        [plan.info.title],
        [f"Kế hoạch: {plan.info.id} (phiên bản {plan.info.version})"],
        [
            "Nhập mỗi giá trị vào ô của đơn vị và chỉ tiêu; để trống nếu chưa có số liệu. "
            "Không sửa cột «Mã đơn vị» và phần [mã chỉ tiêu] ở dòng tiêu đề."
        ],
        [],
        ["Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị tính", "Cách nhập"],
        *([i.id, i.name, i.unit, kind_guide(i)] for i in indicators),
    ]
    for row in rows:
        ws.append(row)
    for letter, width in zip("ABCD", (24, 60, 14, 44), strict=True):
        ws.column_dimensions[letter].width = width
    for cell in ws[5]:
        cell.font = Font(bold=True)
