"""Write a plan as the workbook a Department specialist reads and edits: the plan, its levels,
indicators and groups, one score sheet per level (groups as numbered headings, criteria with
STT, target, maximum points, the method in words and as parameters, mandatory, applies to,
source), bonuses, deductions, bands, and a guide. :mod:`criteria.workbook_read` reads it back
to the same plan (the same sha256)."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from criteria.describe import method_text
from criteria.model import Plan
from criteria.workbook_layout import (
    CRITERIA_HEADER_ROW,
    CRITERION_COLUMNS,
    GUIDE_SHEET,
    INFO_ROWS,
    INFO_SHEET,
    LEVEL_LABEL,
    NO,
    TABLE_SHEETS,
    YES,
    Column,
    criteria_sheet,
    roman,
)
from criteria.writer import plan_to_dict
from presentation.numbers import exact_number_text

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
GROUP_FILL = PatternFill("solid", fgColor="F2F2F2")
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


def cell_value(column: Column, value: Any) -> Any:
    """What a cell shows for a plan value (numbers stay numbers)."""
    if value is None:
        return None
    kind = column.kind
    if kind == "choice":
        return column.words.get(value, value)
    if kind == "flag":
        return YES if value else NO
    if kind == "list":
        return "; ".join(value)
    if kind == "bands":
        return "; ".join(f"{exact_number_text(t)}: {exact_number_text(p)}" for t, p in value) or None
    if kind == "scale":
        return "; ".join(exact_number_text(x) for x in value) or None
    if kind == "deadline":
        month, day = value.split("-")
        return f"{day}/{month}"
    return value


def _style(cell: Any, column: Column) -> None:
    if column.kind == "date":
        cell.number_format = "dd/mm/yyyy"
    elif column.kind == "fraction":
        cell.number_format = "0%"
    elif column.kind in ("text", "list", "bands", "scale", "deadline", "choice"):
        cell.number_format = "@"


def _header(ws: Worksheet, row: int, columns: Sequence[Column]) -> None:
    for n, column in enumerate(columns, 1):
        cell = ws.cell(row=row, column=n, value=column.header)
        cell.font, cell.fill, cell.alignment = BOLD, HEADER_FILL, WRAP
        ws.column_dimensions[get_column_letter(n)].width = column.width
    ws.freeze_panes = ws.cell(row=row + 1, column=1)


def _row(ws: Worksheet, row: int, columns: Sequence[Column], values: Mapping[str, Any]) -> None:
    for n, column in enumerate(columns, 1):
        if not column.key:
            continue
        cell = ws.cell(row=row, column=n, value=cell_value(column, values.get(column.key)))
        _style(cell, column)
        cell.alignment = WRAP


def _table(book: Workbook, sheet: str, columns: Sequence[Column], rows: list[dict[str, Any]]) -> None:
    ws = book.create_sheet(sheet)
    _header(ws, 1, columns)
    for r, values in enumerate(rows, 2):
        _row(ws, r, columns, values)


def _info(book: Workbook, raw: dict[str, Any]) -> None:
    ws = book.active
    assert ws is not None
    ws.title = INFO_SHEET
    ws.append(["Mục", "Nội dung"])
    for cell in ws[1]:
        cell.font, cell.fill = BOLD, HEADER_FILL
    values = {**raw["plan"], "order": raw["ranking"]["order"]}
    for r, column in enumerate(INFO_ROWS, 2):
        ws.cell(row=r, column=1, value=column.header).font = BOLD
        cell = ws.cell(row=r, column=2, value=cell_value(column, values.get(column.key)))
        _style(cell, column)
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 24, 90


def _criteria(book: Workbook, plan: Plan, raw: dict[str, Any]) -> None:
    indicators = {i.id: i for i in plan.indicators}
    groups = {g.id: g for g in plan.groups}
    rows = {c["id"]: c for c in raw["criteria"]}
    for level in plan.levels:
        ws = book.create_sheet(criteria_sheet(level.id))
        title = ws.cell(row=1, column=1, value=f"BẢNG CHẤM ĐIỂM — {level.name.upper()} "
                                               f"(thang điểm {exact_number_text(level.max_points)})")
        title.font = Font(bold=True, size=13)
        ws.cell(row=2, column=1, value=LEVEL_LABEL).font = BOLD
        ws.cell(row=2, column=2, value=level.id).number_format = "@"
        _header(ws, CRITERIA_HEADER_ROW, CRITERION_COLUMNS)
        r, group, heading, number = CRITERIA_HEADER_ROW, "", 0, 0
        for c in plan.criteria_of(level.id):
            if c.group != group:  # a heading each time the group changes
                group, heading, number, r = c.group, heading + 1, 0, r + 1
                heading_cells: tuple[str, ...] = (roman(heading), c.group, groups[c.group].name)
                for n, text in enumerate(heading_cells, 1):
                    cell = ws.cell(row=r, column=n, value=text)
                    cell.font, cell.fill = BOLD, GROUP_FILL
            number, r = number + 1, r + 1
            indicator = indicators.get(c.indicator)
            _row(ws, r, CRITERION_COLUMNS, rows[c.id])
            shown = (number, indicator.name if indicator else None, indicator.unit if indicator else None,
                     method_text(c, indicator))
            for n, value in zip((1, 5, 6, 15), shown, strict=True):
                ws.cell(row=r, column=n, value=value).alignment = WRAP


GUIDE = (
    "Tệp này là kế hoạch thi đua ở dạng bảng tính. Sửa trực tiếp rồi kiểm tra bằng "
    "«thidua plan check TỆP.xlsx» hoặc tải lên ở trang Kế hoạch; mọi lỗi được báo theo trang, dòng, cột.",
    "Trang «Kế hoạch»: mã, phiên bản, tên, cơ quan ban hành, căn cứ, thời gian hiệu lực, thứ tự xếp hạng.",
    "Trang «Cấp thi đua», «Chỉ số», «Nhóm tiêu chí»: mỗi dòng một mục; «Mã cấp» nối các trang với nhau.",
    "Mỗi trang «Tiêu chí …» là bảng chấm điểm của một cấp (mã cấp ở ô B2): dòng in đậm là nhóm tiêu chí "
    "(cột «Mã tiêu chí» ghi mã nhóm); các dòng dưới nó là tiêu chí của nhóm. Thêm tiêu chí bằng cách chèn "
    "dòng; tổng «Điểm tối đa» của một cấp phải bằng thang điểm của cấp.",
    "Cột «Chỉ số», «Đơn vị tính», «Diễn giải cách chấm» và «STT» chỉ để đọc; hệ thống tự điền khi xuất.",
    "Cách chấm và tham số: Tỷ lệ so với chỉ tiêu (Chỉ tiêu); Đạt ngưỡng (Chỉ tiêu); Tuyến tính (Mức sàn, "
    "Chỉ tiêu); Theo bậc (Các bậc, ví dụ «50: 2; 80: 4; 95: 6»); Có/Không; Theo số lượng, có trần "
    "(Điểm mỗi đơn vị); Chấm trực tiếp bằng điểm (Các mức điểm tự chấm, ví dụ «0; 3; 5», để trống nếu "
    "được chấm bất kỳ điểm nào từ 0 đến điểm tối đa).",
    "Số thập phân dùng dấu phẩy (85,5). Danh sách cách nhau bởi dấu chấm phẩy. "
    "Có/Không ghi «Có» hoặc «Không».",
    "Xem đầy đủ ở docs/plan-format.md.",
)


def plan_workbook(plan: Plan) -> bytes:
    """The plan as XLSX bytes."""
    raw = plan_to_dict(plan)
    book = Workbook()
    _info(book, raw)
    for table in ("levels", "indicators", "groups"):
        sheet, columns = TABLE_SHEETS[table]
        _table(book, sheet, columns, raw[table])
    _criteria(book, plan, raw)
    for table in ("bonuses", "deductions", "bands"):
        sheet, columns = TABLE_SHEETS[table]
        _table(book, sheet, columns, raw[table])
    guide = book.create_sheet(GUIDE_SHEET)
    guide.column_dimensions["A"].width = 120
    for text in GUIDE:
        guide.append([text])
        guide.cell(row=guide.max_row, column=1).alignment = WRAP
    book.properties.creator = plan.info.issuer
    book.properties.title = plan.info.title
    book.properties.created = book.properties.modified = _fixed_time(plan.info.valid_from)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _fixed_time(day: date) -> Any:
    from datetime import datetime

    return datetime(day.year, day.month, day.day)
