"""The plan in words: one sentence per scoring method with its numbers, and the diff of two plans."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

import criteria
from criteria.describe import (
    applies_text,
    band_text,
    bonus_text,
    deduction_text,
    describe_plan,
    method_text,
    missing_text,
    ranking_steps,
    target_text,
)
from criteria.loader import load_plan, plan_from_dict
from criteria.model import CRITERION_METHODS, Plan
from criteria.plan_diff import diff_plans
from presentation.numbers import number_text

SHIPPED = Path(criteria.__file__).parent / "plans" / "tuyen-quang-de-an-06-2022-2025.toml"


def indicator(iid: str, kind: str, unit: str) -> dict[str, str]:
    return {"id": iid, "level": "xa", "name": f"Chỉ số {iid}", "kind": kind, "unit": unit}


def criterion(cid: str, ind: str, method: str, points: float, **params: object) -> dict[str, object]:
    return {"id": cid, "level": "xa", "group": "g.chung", "name": f"Tiêu chí {cid}", "indicator": ind,
            "method": method, "max_points": points, "source": f"seeds/004 §{cid}", **params}


CRITERIA = [
    criterion("c.ty-le", "ty_le", "ratio_to_target", 10, target=95),
    criterion("c.nguong", "ty_le", "threshold", 5, target=80),
    criterion("c.tuyen-tinh", "ty_le", "linear", 10, floor=50, target=100, mandatory=True),
    criterion("c.bac", "ty_le", "bands", 6, bands=[[50, 2], [80, 4], [95, 6]]),
    criterion("c.co", "co_ke_hoach", "yes_no", 4),
    criterion("c.so-luong", "so_mo_hinh", "count_cap", 10, points_each=2.5),
    criterion("c.khai-bao", "ty_le", "linear", 5, direction="lower", floor=100, target=80),
    criterion("c.ngay", "so_ngay", "ratio_to_target", 5, direction="lower", target=5,
              missing="exclude"),
    criterion("c.vi-pham", "co_vi_pham", "yes_no", 5, direction="lower"),
    criterion("c.tre", "so_ngay", "threshold", 5, direction="lower", target=3),
    criterion("c.bac-thap", "so_ngay", "bands", 5, direction="lower", bands=[[10, 1], [5, 3], [0, 5]],
              applies_to=["commune.xa", "tag:tthc"]),
    criterion("c.loi", "so_loi", "count_cap", 5, direction="lower", points_each=1),
    criterion("c.tu-cham", "diem_chi_dao", "points", 5, scale=[0, 3, 5]),
    criterion("c.tu-cham-tu-do", "diem_tuyen_truyen", "points", 4),
]
RAW: dict[str, object] = {
    "plan": {"id": "thu-nghiem", "version": "1", "title": "Phong trào thử nghiệm", "issuer": "UBND tỉnh",
             "source": "seeds/004", "valid_from": date(2024, 1, 1), "valid_to": date(2025, 12, 31)},
    "levels": [{"id": "xa", "name": "Cấp xã", "subject": "collective", "unit_kinds": ["commune"],
                "max_points": 84, "bonus_cap": 5, "deduction_cap": 10}],
    "indicators": [indicator("ty_le", "percent", "%"), indicator("co_ke_hoach", "yes_no", "có/không"),
                   indicator("so_mo_hinh", "count", "mô hình"), indicator("so_ngay", "days", "ngày"),
                   indicator("co_vi_pham", "yes_no", "có/không"), indicator("so_loi", "count", "lỗi"),
                   indicator("ngay_nop", "date", "ngày"), indicator("diem_chi_dao", "points", "điểm"),
                   indicator("diem_tuyen_truyen", "points", "điểm")],
    "groups": [{"id": "g.chung", "level": "xa", "name": "Nhóm chung"}],
    "criteria": CRITERIA,
    "bonuses": [
        {"id": "t.mo-hinh", "level": "xa", "name": "Mô hình mới", "indicator": "so_mo_hinh",
         "method": "count_cap", "points_each": 1, "max_points": 3, "source": "seeds/004 §t1"},
        {"id": "t.co", "level": "xa", "name": "Có kế hoạch", "indicator": "co_ke_hoach", "method": "yes_no",
         "max_points": 2, "source": "seeds/004 §t2"},
    ],
    "deductions": [
        {"id": "d.loi", "level": "xa", "name": "Lỗi", "indicator": "so_loi", "method": "per_occurrence",
         "points_each": 1, "max_points": 5, "source": "seeds/003 §d1"},
        {"id": "d.han", "level": "xa", "name": "Nộp muộn", "indicator": "ngay_nop", "method": "per_day_late",
         "deadline": "12-16", "points_each": 0.5, "max_points": 3, "source": "seeds/003 §d2"},
        {"id": "d.ngay", "level": "xa", "name": "Chậm", "indicator": "so_ngay", "method": "per_day_late",
         "grace_days": 2, "points_each": 1, "max_points": 2, "source": "seeds/003 §d3"},
    ],
    "bands": [
        {"id": "xs", "level": "xa", "name": "Xuất sắc", "min_percent": 90, "criterion_floor": 0.85,
         "requires_mandatory": True},
        {"id": "khac", "level": "xa", "name": "Còn lại", "min_percent": 0},
    ],
    "ranking": {"order": ["percent", "criterion:c.ty-le", "deductions"]},
}


@pytest.fixture(scope="module")
def plan() -> Plan:
    return plan_from_dict(RAW)


def words(plan: Plan, cid: str) -> str:
    c = next(c for c in plan.criteria if c.id == cid)
    return method_text(c, next(i for i in plan.indicators if i.id == c.indicator))


# --- one sentence per method, with its numbers ---------------------------------------------------

EXPECTED = {
    "c.ty-le": "Đạt tối đa 10 điểm khi tỷ lệ ≥ 95 %; dưới đó tính tỷ lệ thuận: điểm = 10 × tỷ lệ ÷ 95.",
    "c.nguong": "Được 5 điểm khi tỷ lệ ≥ 80 %; dưới 80 % được 0 điểm.",
    "c.tuyen-tinh": "0 điểm khi tỷ lệ ≤ 50 %, đủ 10 điểm khi tỷ lệ ≥ 100 %; ở giữa, điểm tăng đều khi tỷ lệ "
                    "tăng (nội suy tuyến tính).",
    "c.bac": "Tính theo bậc: tỷ lệ ≥ 50 % được 2 điểm; ≥ 80 % được 4 điểm; ≥ 95 % được 6 điểm; "
             "dưới 50 % được 0 điểm.",
    "c.co": "Được 4 điểm nếu có (đã thực hiện); nếu không được 0 điểm.",
    "c.so-luong": "Được 2,5 điểm cho mỗi mô hình, tối đa 10 điểm.",
    "c.khai-bao": "0 điểm khi tỷ lệ ≥ 100 %, đủ 5 điểm khi tỷ lệ ≤ 80 %; ở giữa, điểm tăng đều khi tỷ lệ "
                  "giảm (nội suy tuyến tính).",
    "c.ngay": "Đạt tối đa 5 điểm khi số ngày ≤ 5 ngày; cao hơn thì tính tỷ lệ nghịch: "
              "điểm = 5 × 5 ÷ số ngày.",
    "c.vi-pham": "Được 5 điểm nếu không (không xảy ra); nếu có được 0 điểm.",
    "c.tre": "Được 5 điểm khi số ngày ≤ 3 ngày; trên 3 ngày được 0 điểm.",
    "c.bac-thap": "Tính theo bậc: số ngày ≤ 10 ngày được 1 điểm; ≤ 5 ngày được 3 điểm; ≤ 0 ngày được "
                  "5 điểm; trên 10 ngày được 0 điểm.",
    "c.loi": "Được 5 điểm, trừ 1 điểm cho mỗi lỗi, thấp nhất 0 điểm.",
    "c.tu-cham": "Đơn vị tự chấm một trong các mức 0; 3; 5 điểm (tối đa 5 điểm); Sở thẩm định.",
    "c.tu-cham-tu-do": "Đơn vị tự chấm từ 0 đến 4 điểm; Sở thẩm định.",
}


@pytest.mark.parametrize("cid", list(EXPECTED))
def test_each_method_and_direction_has_its_sentence(plan: Plan, cid: str) -> None:
    assert words(plan, cid) == EXPECTED[cid]


def test_every_method_the_loader_accepts_is_worded_both_ways(plan: Plan) -> None:
    covered = {(c.method, c.direction) for c in plan.criteria}
    # a criterion scored directly in points has one direction: more points are better
    assert covered == {(m, d) for m in CRITERION_METHODS for d in ("higher", "lower")
                       if (m, d) != ("points", "lower")}
    assert not any(words(plan, c.id).startswith("Phương pháp «") for c in plan.criteria)


def test_targets_missing_data_and_applicability(plan: Plan) -> None:
    by_id = {c.id: c for c in plan.criteria}
    units = {i.id: i for i in plan.indicators}
    targets = {cid: target_text(c, units[c.indicator]) for cid, c in by_id.items()}
    assert targets["c.ty-le"] == "≥ 95 %" and targets["c.khai-bao"] == "≤ 80 %"
    assert targets["c.co"] == "Có" and targets["c.vi-pham"] == "Không"
    assert targets["c.so-luong"] == "≥ 4 mô hình" and targets["c.bac"] == "≥ 95 %"
    assert "0 điểm, vẫn tính vào điểm tối đa" in missing_text(by_id["c.ty-le"])
    assert "coi như không áp dụng" in missing_text(by_id["c.ngay"])
    level = plan.level("xa")
    assert applies_text((), level) == "Mọi đơn vị của cấp «Cấp xã»."
    wide = applies_text(by_id["c.bac-thap"].applies_to, level)
    assert "«xã» (commune.xa)" in wide and "nhãn «tthc» (tiếp nhận thủ tục hành chính" in wide


def test_bonuses_deductions_bands_and_ranking(plan: Plan) -> None:
    units = {i.id: i for i in plan.indicators}
    bonus, flag = plan.bonuses
    assert bonus_text(bonus, units["so_mo_hinh"]) == "Cộng 1 điểm cho mỗi mô hình, tối đa 3 điểm."
    assert bonus_text(flag) == "Cộng 2 điểm nếu có; thiếu số liệu coi như không."
    each, late, days = plan.deductions
    assert deduction_text(each, units["so_loi"]) == "Trừ 1 điểm cho mỗi lỗi, tối đa 5 điểm."
    assert deduction_text(late) == ("Hạn ngày 16/12 của năm đánh giá; trừ 0,5 điểm cho mỗi ngày chậm, "
                                    "tối đa 3 điểm.")
    assert deduction_text(days) == "Trừ 1 điểm cho mỗi ngày chậm (sau 2 ngày ân hạn), tối đa 2 điểm."
    top, rest = plan.bands
    assert band_text(top) == ("Cần tỷ lệ điểm từ 90 % trở lên; mỗi tiêu chí được áp dụng đạt ít nhất 85 % "
                              "điểm tối đa của tiêu chí đó; đạt đủ mọi tiêu chí bắt buộc.")
    assert band_text(rest) == "Các đơn vị không đạt các mức trên."
    steps = ranking_steps(plan)
    assert steps[:3] == ["tỷ lệ điểm cao hơn", "điểm tiêu chí «Tiêu chí c.ty-le» cao hơn", "điểm trừ ít hơn"]
    assert steps[-1].startswith("mã đơn vị nhỏ hơn")


def test_numbers_are_written_the_vietnamese_way() -> None:
    written = [number_text(x) for x in (12.5, 1234.5, 100.0, 0.001, -2.25)]
    assert written == ["12,5", "1.234,5", "100", "0", "-2,25"]


def test_the_shipped_plan_is_described_criterion_by_criterion() -> None:
    plan = load_plan(SHIPPED)
    levels = describe_plan(plan)
    rows = [r for lt in levels for g in lt.groups for r in g.criteria]
    assert [r.criterion.id for r in rows] == [c.id for lvl in plan.levels for g in plan.groups_of(lvl.id)
                                              for c in plan.criteria_of(lvl.id) if c.group == g.id]
    assert len(rows) == len(plan.criteria)
    for lt in levels:
        assert sum(g.max_points for g in lt.groups) == lt.level.max_points
    assert all(r.method and r.target and r.criterion.source for r in rows)


# --- the differences between two plans -----------------------------------------------------------


def test_diff_finds_changed_added_and_removed_criteria(plan: Plan) -> None:
    changed = []
    for c in plan.criteria:
        if c.id == "c.ty-le":
            c = dataclasses.replace(c, target=90.0, source="seeds/005 §1")
        elif c.id == "c.nguong":
            c = dataclasses.replace(c, method="ratio_to_target", max_points=4.0)
        elif c.id == "c.co":
            continue  # removed
        changed.append(c)
    extra = dataclasses.replace(plan.criteria[0], id="c.moi", name="Tiêu chí mới", max_points=5.0)
    bands = (dataclasses.replace(plan.bands[0], min_percent=85.0), plan.bands[1])
    new = dataclasses.replace(plan, criteria=(*changed, extra), bands=bands,
                              ranking_order=("percent", "deductions"))
    diff = diff_plans(plan, new)
    assert not diff.same
    section = diff.section("criteria")
    assert [i.key for i in section.added] == ["c.moi"] and "5 điểm" in section.added[0].summary
    assert [i.key for i in section.removed] == ["c.co"]
    by_key = {i.key: {ch.field: (ch.old, ch.new) for ch in i.changes} for i in section.changed}
    assert set(by_key) == {"c.ty-le", "c.nguong"}
    assert by_key["c.ty-le"]["target"] == ("95", "90")
    assert by_key["c.ty-le"]["source"] == ("seeds/004 §c.ty-le", "seeds/005 §1")
    assert "≥ 90 %" in by_key["c.ty-le"]["method_text"][1]
    assert by_key["c.nguong"]["method"] == ("đạt ngưỡng (threshold)",
                                            "tỷ lệ so với chỉ tiêu (ratio_to_target)")
    assert by_key["c.nguong"]["max_points"] == ("5", "4")
    band = diff.section("bands").changed[0]
    assert band.key == "xa/xs" and band.changes[0].label.startswith("Tỷ lệ điểm tối thiểu")
    assert [ch.field for ch in diff.plan] == ["ranking_order"]
    assert diff.section("bonuses").empty and diff.section("levels").empty


def test_a_plan_compared_with_itself_has_no_differences(plan: Plan) -> None:
    assert diff_plans(plan, plan).same


def test_a_changed_points_scale_is_shown_in_words(plan: Plan) -> None:
    changed = dataclasses.replace(plan, criteria=tuple(
        dataclasses.replace(c, scale=(0.0, 5.0)) if c.id == "c.tu-cham" else c for c in plan.criteria))
    [item] = diff_plans(plan, changed).section("criteria").changed
    words = {c.field: c for c in item.changes}
    assert "0; 3; 5" in words["method_text"].old and "0; 5 điểm" in words["method_text"].new
    assert words["scale"].label == "Các mức điểm tự chấm"
