"""The plan as a workbook: every shipped plan comes back with the same sha256; a workbook with
several mistakes lists all of them by sheet, row and column; a workbook a person edited (a
criterion added, points moved, a row deleted) reads and scores as the person meant."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import numpy as np
import openpyxl
import pytest

from criteria.loader import PlanError, load_plan
from criteria.shipped import PLAN_2025, SHIPPED
from criteria.workbook_read import SheetIssue, read_plan_workbook
from criteria.workbook_write import plan_workbook
from criteria.writer import plan_to_toml
from scoring.core.compile import compile_level
from scoring.core.engine import score

COMMUNE = "Tiêu chí commune"


def book_of(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def saved(book: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row_of(ws: Any, code: str, column: int = 2) -> int:
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=column).value == code)


@pytest.fixture(scope="module")
def plan_2025() -> Any:
    return load_plan(PLAN_2025)


@pytest.mark.parametrize("key", sorted(SHIPPED))
def test_every_shipped_plan_round_trips_with_the_same_sha256(key: str, tmp_path: Any) -> None:
    plan = load_plan(SHIPPED[key])
    data = plan_workbook(plan)
    assert read_plan_workbook(data).sha256 == plan.sha256
    path = tmp_path / "ke-hoach.xlsx"
    path.write_bytes(data)
    assert load_plan(path).sha256 == plan.sha256, "thidua plan check đọc bảng tính như tệp TOML"
    toml = tmp_path / "ke-hoach.toml"
    toml.write_text(plan_to_toml(plan), encoding="utf-8")
    assert load_plan(toml).sha256 == plan.sha256
    book = book_of(data)
    assert book.sheetnames[:4] == ["Kế hoạch", "Cấp thi đua", "Chỉ số", "Nhóm tiêu chí"]
    sheet = book[f"Tiêu chí {plan.levels[0].id}"]
    assert sheet["A4"].value == "I" and sheet["A5"].value == 1, "nhóm đánh số La Mã, tiêu chí 1, 2, …"
    assert "Diễn giải cách chấm" in [c.value for c in sheet[3]]


def test_a_workbook_with_several_mistakes_lists_them_all(plan_2025: Any) -> None:
    book = book_of(plan_workbook(plan_2025))
    ws = book[COMMUNE]
    first = row_of(ws, plan_2025.criteria_of("commune")[0].id)
    ws.cell(row=first, column=9, value="tám mươi")  # Chỉ tiêu: not a number
    ws.cell(row=first + 1, column=8, value="Theo cảm tính")  # Cách chấm: not a method
    ws.cell(row=first + 2, column=4, value="khong_co_chi_so")  # Mã chỉ số: unknown
    levels = book["Cấp thi đua"]
    levels.cell(row=3, column=5, value=90)  # the commune scale no longer adds up
    book["Kế hoạch"].cell(row=7, column=2, value="32/13/2025")  # Hiệu lực từ ngày: not a date
    with pytest.raises(PlanError) as caught:
        read_plan_workbook(saved(book))
    found = {(i.sheet, i.row, i.column) for i in caught.value.issues if isinstance(i, SheetIssue)}
    assert {(COMMUNE, first, "Chỉ tiêu"), (COMMUNE, first + 1, "Cách chấm"),
            (COMMUNE, first + 2, "Mã chỉ số"), ("Cấp thi đua", 3, "Thang điểm"),
            ("Kế hoạch", 7, "Hiệu lực từ ngày")} <= found, caught.value
    text = str(caught.value)
    assert f"Trang «{COMMUNE}», dòng {first}, cột «Chỉ tiêu»: «tám mươi» không phải là số" in text
    assert "«Theo cảm tính» không phải là lựa chọn hợp lệ" in text
    assert "chỉ số «khong_co_chi_so» không có" in text
    assert "tổng điểm tối đa các tiêu chí của cấp «commune» là 100" in text
    assert "thiếu khóa bắt buộc" not in text, "ô đã báo lỗi không bị báo thêm là thiếu"


def test_a_workbook_edited_by_a_person_reads_and_scores_as_meant(plan_2025: Any) -> None:
    book = book_of(plan_workbook(plan_2025))
    ws = book[COMMUNE]
    crits = plan_2025.criteria_of("commune")
    # a row deleted: the last criterion goes, its points move to the first one
    gone = crits[-1]
    ws.delete_rows(row_of(ws, gone.id))
    first = row_of(ws, crits[0].id)
    ws.cell(row=first, column=14, value=crits[0].max_points + gone.max_points - 3)
    # a criterion added under the first group, scored directly in points (0, 1, 2 or 3)
    ws.insert_rows(first + 1)
    for col, value in {1: 2, 2: "xa.tu-danh-gia", 3: "Tự đánh giá công tác chỉ đạo Đề án 06",
                       4: "xa_tu_danh_gia", 7: "Càng cao càng tốt", 8: "Chấm trực tiếp bằng điểm",
                       13: "0; 1; 2; 3", 14: 3, 16: "Không", 18: "Tính 0 điểm",
                       19: "Kế hoạch của Sở, mục II"}.items():
        ws.cell(row=first + 1, column=col, value=value)
    book["Chỉ số"].append(["xa_tu_danh_gia", "commune", "Điểm tự đánh giá công tác chỉ đạo", "Điểm tự chấm",
                           "điểm"])
    plan = read_plan_workbook(saved(book))
    assert plan.sha256 != plan_2025.sha256
    ids = [c.id for c in plan.criteria_of("commune")]
    assert gone.id not in ids and ids[1] == "xa.tu-danh-gia"
    added = next(c for c in plan.criteria if c.id == "xa.tu-danh-gia")
    assert (added.method, added.scale, added.group) == ("points", (0.0, 1.0, 2.0, 3.0), crits[0].group)
    assert sum(c.max_points for c in plan.criteria_of("commune")) == 100

    level = compile_level(plan, "commune", 2025)
    values = np.full((1, len(level.indicator_ids)), np.nan)
    values[0, level.indicator_ids.index("xa_tu_danh_gia")] = 2
    values[0, level.indicator_ids.index(crits[0].indicator)] = crits[0].target
    result = score(level, values)
    points = dict(zip([c.id for c in level.criteria], result.points[0].tolist(), strict=True))
    assert points["xa.tu-danh-gia"] == 2.0
    assert points[crits[0].id] == crits[0].max_points + gone.max_points - 3


def test_a_file_that_is_not_a_plan_workbook_is_refused_with_a_reason() -> None:
    for data, words in ((b"khong phai bang tinh", "không đọc được tệp Excel"),
                        (b"x" * (6 * 1024 * 1024), "lớn hơn 5 MB")):
        with pytest.raises(PlanError) as caught:
            read_plan_workbook(data)
        assert words in str(caught.value)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (70 * 1024 * 1024))
    with pytest.raises(PlanError) as caught:
        read_plan_workbook(bomb.getvalue())
    assert "vượt giới hạn 60 MB" in str(caught.value)
    empty = openpyxl.Workbook()
    with pytest.raises(PlanError) as caught:
        read_plan_workbook(saved(empty))
    assert "Trang «Cấp thi đua»: thiếu trang này trong tệp" in str(caught.value)


def test_a_plan_without_levels_criteria_or_bands_is_refused(plan_2025: Any) -> None:
    from criteria.loader import plan_from_dict
    from criteria.writer import plan_to_dict

    raw = plan_to_dict(plan_2025)
    raw.update(levels=[], indicators=[], groups=[], criteria=[], bonuses=[], deductions=[], bands=[])
    with pytest.raises(PlanError) as caught:
        plan_from_dict(raw)
    assert {(i.path, i.message) for i in caught.value.issues} >= {
        ("levels", "cần ít nhất một mục"), ("criteria", "cần ít nhất một mục"),
        ("bands", "cần ít nhất một mục")}
