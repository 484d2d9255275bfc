"""Hand-checked scores: every method, bonus, deduction, missing policy, gate and band floor.

The plan is ``plans.hand_plan_dict()`` (commune level "xa", 100 points, bonus cap 5,
deduction cap 10). A unit starts from ``perfect_row()`` (every criterion in full) and
each case changes a few values; the expected points are worked out in the comments.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from plans import (
    LEVEL,
    band_of,
    build,
    col,
    day_number,
    hand_plan_dict,
    perfect_row,
    points_of,
    score_rows,
    statuses_of,
    totals_of,
)

import criteria
from criteria.loader import load_plan
from scoring.core.compile import CompiledLevel, compile_level
from scoring.core.engine import STATUS_NAMES, score

NAN = math.nan

CASES = [
    # ratio_to_target, higher, target 60, max 25
    ("c.ratio-hi", "ty_le_so_hoa", 45, 18.75, "partial"),  # 45 / 60 × 25 = 18.75
    ("c.ratio-hi", "ty_le_so_hoa", 50, 20.83, "partial"),  # 50 / 60 × 25 = 20.8333… → 20.83
    ("c.ratio-hi", "ty_le_so_hoa", 60, 25.0, "met"),  # 60 / 60 × 25 = 25
    ("c.ratio-hi", "ty_le_so_hoa", 75, 25.0, "met"),  # min(75 / 60, 1) × 25 = 25
    ("c.ratio-hi", "ty_le_so_hoa", 0, 0.0, "not_met"),  # 0 / 60 × 25 = 0
    # ratio_to_target, lower, target 5 days, max 10
    ("c.ratio-lo", "ngay_giai_quyet", 8, 6.25, "partial"),  # 5 / 8 × 10 = 6.25
    ("c.ratio-lo", "ngay_giai_quyet", 15, 3.33, "partial"),  # 5 / 15 × 10 = 3.333… → 3.33
    ("c.ratio-lo", "ngay_giai_quyet", 5, 10.0, "met"),  # 5 / 5 × 10 = 10
    ("c.ratio-lo", "ngay_giai_quyet", 2, 10.0, "met"),  # min(5 / 2, 1) × 10 = 10
    ("c.ratio-lo", "ngay_giai_quyet", 0, 10.0, "met"),  # 0 days: the best possible
    # threshold, higher, target 90, max 10
    ("c.threshold-hi", "ty_le_dvc", 90, 10.0, "met"),  # 90 ≥ 90
    ("c.threshold-hi", "ty_le_dvc", 89.9, 0.0, "not_met"),  # 89.9 < 90
    # threshold, lower, target 2 overdue files, max 5
    ("c.threshold-lo", "so_ho_so_qua_han", 2, 5.0, "met"),  # 2 ≤ 2
    ("c.threshold-lo", "so_ho_so_qua_han", 0, 5.0, "met"),  # 0 ≤ 2
    ("c.threshold-lo", "so_ho_so_qua_han", 3, 0.0, "not_met"),  # 3 > 2
    # linear, higher, floor 50, target 100, max 10
    ("c.linear-hi", "ty_le_cccd", 80, 6.0, "partial"),  # (80 − 50) / (100 − 50) × 10 = 6
    ("c.linear-hi", "ty_le_cccd", 62.5, 2.5, "partial"),  # 12.5 / 50 × 10 = 2.5
    ("c.linear-hi", "ty_le_cccd", 50, 0.0, "not_met"),  # at the floor: 0
    ("c.linear-hi", "ty_le_cccd", 30, 0.0, "not_met"),  # below the floor: 0
    ("c.linear-hi", "ty_le_cccd", 100, 10.0, "met"),  # at the target: 10
    # linear, lower, floor 10 days, target 2 days, max 10
    ("c.linear-lo", "ngay_phan_hoi", 4, 7.5, "partial"),  # (10 − 4) / (10 − 2) × 10 = 7.5
    ("c.linear-lo", "ngay_phan_hoi", 10, 0.0, "not_met"),  # at the floor: 0
    ("c.linear-lo", "ngay_phan_hoi", 12, 0.0, "not_met"),  # worse than the floor: 0
    ("c.linear-lo", "ngay_phan_hoi", 2, 10.0, "met"),  # at the target: 10
    ("c.linear-lo", "ngay_phan_hoi", 1, 10.0, "met"),  # better than the target: 10
    # bands, higher, [[50, 2], [70, 5], [90, 8]], max 8
    ("c.bands-hi", "ty_le_thanh_toan", 49.9, 0.0, "not_met"),  # below 50: 0
    ("c.bands-hi", "ty_le_thanh_toan", 50, 2.0, "partial"),  # reaches 50: 2
    ("c.bands-hi", "ty_le_thanh_toan", 75, 5.0, "partial"),  # reaches 70: 5
    ("c.bands-hi", "ty_le_thanh_toan", 90, 8.0, "met"),  # reaches 90: 8
    # bands, lower, [[10, 1], [5, 3], [2, 6]] days, max 6
    ("c.bands-lo", "ngay_ton_dong", 11, 0.0, "not_met"),  # more than 10 days: 0
    ("c.bands-lo", "ngay_ton_dong", 10, 1.0, "partial"),  # ≤ 10: 1
    ("c.bands-lo", "ngay_ton_dong", 4, 3.0, "partial"),  # ≤ 5: 3
    ("c.bands-lo", "ngay_ton_dong", 2, 6.0, "met"),  # ≤ 2: 6
    ("c.bands-lo", "ngay_ton_dong", 0, 6.0, "met"),  # ≤ 2: 6
    # yes_no, higher (mandatory; "no" is in test_engine_gates_and_bands), max 5
    ("c.yes-hi", "co_ke_hoach", 1, 5.0, "met"),
    # yes_no, lower (an information-security incident), max 3
    ("c.yes-lo", "co_su_co_attt", 0, 3.0, "met"),  # no incident: 3
    ("c.yes-lo", "co_su_co_attt", 1, 0.0, "not_met"),  # an incident: 0
    # count_cap, 2.5 points each, max 8
    ("c.count-hi", "so_mo_hinh_so", 0, 0.0, "not_met"),  # 0 × 2.5 = 0
    ("c.count-hi", "so_mo_hinh_so", 2, 5.0, "partial"),  # 2 × 2.5 = 5
    ("c.count-hi", "so_mo_hinh_so", 3, 7.5, "partial"),  # 3 × 2.5 = 7.5
    ("c.count-hi", "so_mo_hinh_so", 4, 8.0, "met"),  # min(4 × 2.5, 8) = 8
]


@pytest.mark.parametrize(("criterion", "indicator", "value", "points", "status"), CASES)
def test_one_criterion_scores_as_its_formula_says(
    hand_level: CompiledLevel, criterion: str, indicator: str, value: float, points: float,
    status: str,
) -> None:
    result = score_rows(hand_level, [{**perfect_row(), indicator: value}])
    got = points_of(hand_level, result, 0)
    assert got[criterion] == points, (
        f"Tiêu chí {criterion} với giá trị {value}: được {got[criterion]} điểm, "
        f"theo công thức phải là {points}"
    )
    assert statuses_of(hand_level, result, 0)[criterion] == status, f"Trạng thái tiêu chí {criterion}"
    top = hand_level.criteria[col(hand_level, criterion)].max_points
    # the other criteria keep their full points: base = 100 − max + points
    base = totals_of(result, 0)["base_total"]
    assert base == round(100 - top + points, 2), f"Các tiêu chí khác bị ảnh hưởng: tổng {base}"


def test_a_unit_with_partial_results_everywhere(hand_level: CompiledLevel) -> None:
    row = {
        "ty_le_so_hoa": 45, "ngay_giai_quyet": 8, "ty_le_dvc": 89.9, "so_ho_so_qua_han": 2,
        "ty_le_cccd": 80, "ngay_phan_hoi": 4, "ty_le_thanh_toan": 75, "ngay_ton_dong": 4,
        "co_ke_hoach": 1, "co_su_co_attt": 1, "so_mo_hinh_so": 2,
        "so_mo_hinh": 1, "co_sang_kien": 0,  # bonus 1 × 2 = 2
        "so_bao_cao_tre": 1,  # 1 × 1 = 1
        "ngay_nop_bao_cao_nam": day_number(date(2024, 12, 19)),  # (3 days late − 1 grace) × 0.5 = 1
        "ngay_cham": 3,  # (3 − 2 grace) × 0.2 = 0.2
    }
    result = score_rows(hand_level, [row])
    assert points_of(hand_level, result, 0) == {
        "c.ratio-hi": 18.75, "c.ratio-lo": 6.25, "c.threshold-hi": 0.0, "c.threshold-lo": 5.0,
        "c.linear-hi": 6.0, "c.linear-lo": 7.5, "c.bands-hi": 5.0, "c.bands-lo": 3.0,
        "c.yes-hi": 5.0, "c.yes-lo": 0.0, "c.count-hi": 5.0,
    }
    assert statuses_of(hand_level, result, 0) == {
        "c.ratio-hi": "partial", "c.ratio-lo": "partial", "c.threshold-hi": "not_met",
        "c.threshold-lo": "met", "c.linear-hi": "partial", "c.linear-lo": "partial",
        "c.bands-hi": "partial", "c.bands-lo": "partial", "c.yes-hi": "met", "c.yes-lo": "not_met",
        "c.count-hi": "partial",
    }
    # base 18.75 + 6.25 + 0 + 5 + 6 + 7.5 + 5 + 3 + 5 + 0 + 5 = 61.5
    # final 61.5 + 2 − (1 + 1 + 0.2) = 61.3; percent 61.3 / 100 × 100 = 61.3 → band htnv (≥ 50)
    assert totals_of(result, 0) == {"base_total": 61.5, "bonus": 2.0, "deductions": 2.2,
                                    "final_total": 61.3, "max_total": 100.0, "percent": 61.3}
    assert result.bonus_items[0].tolist() == [2.0, 0.0]
    assert result.deduction_items[0].tolist() == [1.0, 1.0, 0.2]
    assert band_of(hand_level, result, 0) == "htnv"
    assert not result.gate_failed[0] and result.mandatory_met[0] == 1


def test_a_perfect_unit_gets_everything_and_the_top_band(hand_level: CompiledLevel) -> None:
    result = score_rows(hand_level, [perfect_row()])
    assert set(statuses_of(hand_level, result, 0).values()) == {"met"}
    assert totals_of(result, 0) == {"base_total": 100.0, "bonus": 0.0, "deductions": 0.0,
                                    "final_total": 100.0, "max_total": 100.0, "percent": 100.0}
    assert band_of(hand_level, result, 0) == "htxs"


@pytest.mark.parametrize(("models", "initiative", "items", "bonus"), [
    (1, 0, [2.0, 0.0], 2.0),  # 1 × 2 = 2; the cap of 5 does not bind
    (0, 1, [0.0, 3.0], 3.0),  # yes → 3
    (2, 1, [4.0, 3.0], 5.0),  # 2 × 2 + 3 = 7 → the level's bonus cap 5
    (5, 0, [6.0, 0.0], 5.0),  # 5 × 2 = 10 → item cap 6 → level cap 5
    (NAN, NAN, [0.0, 0.0], 0.0),  # missing counts as 0
])
def test_bonuses_and_the_level_bonus_cap(
    hand_level: CompiledLevel, models: float, initiative: float, items: list[float], bonus: float
) -> None:
    result = score_rows(hand_level, [{**perfect_row(), "so_mo_hinh": models, "co_sang_kien": initiative}])
    assert result.bonus_items[0].tolist() == items, "Điểm thưởng từng khoản"
    # final = 100 + bonus; percent = final / 100 × 100 (a bonus can take it past 100)
    assert totals_of(result, 0) == {"base_total": 100.0, "bonus": bonus, "deductions": 0.0,
                                    "final_total": 100 + bonus, "max_total": 100.0,
                                    "percent": 100 + bonus}


@pytest.mark.parametrize(("submitted", "points"), [
    (date(2024, 12, 10), 0.0),  # before the deadline 16/12/2024
    (date(2024, 12, 16), 0.0),  # on the deadline
    (date(2024, 12, 17), 0.0),  # 1 day late − 1 grace day = 0
    (date(2024, 12, 20), 1.5),  # (4 − 1) × 0.5 = 1.5
    (date(2024, 12, 31), 5.0),  # (15 − 1) × 0.5 = 7 → item cap 5
    (date(2025, 1, 5), 5.0),  # (20 − 1) × 0.5 = 9.5 → item cap 5
    (None, 0.0),  # not reported: missing counts as 0
])
def test_late_yearly_report_is_counted_from_the_deadline_of_the_period(
    hand_level: CompiledLevel, submitted: date | None, points: float
) -> None:
    value = NAN if submitted is None else day_number(submitted)
    result = score_rows(hand_level, [{**perfect_row(), "ngay_nop_bao_cao_nam": value}])
    assert result.deduction_items[0].tolist() == [0.0, points, 0.0], (
        f"Báo cáo năm nộp ngày {submitted}: phải trừ {points} điểm"
    )
    assert totals_of(result, 0)["final_total"] == 100 - points


def test_the_deadline_moves_with_the_period(level_2025: CompiledLevel) -> None:
    on_20_12_2025 = day_number(date(2025, 12, 20))  # (4 − 1) × 0.5 = 1.5 in 2025
    on_20_12_2024 = day_number(date(2024, 12, 20))  # a year early for the 2025 deadline: 0
    result = score_rows(level_2025, [
        {**perfect_row(), "ngay_nop_bao_cao_nam": on_20_12_2025},
        {**perfect_row(), "ngay_nop_bao_cao_nam": on_20_12_2024},
    ])
    assert result.deduction_items[:, 1].tolist() == [1.5, 0.0]


@pytest.fixture(scope="module")
def level_2025() -> CompiledLevel:
    return compile_level(build(hand_plan_dict()), LEVEL, 2025)


@pytest.mark.parametrize(("late_reports", "days_late", "items"), [
    (3, 0, [3.0, 0.0, 0.0]),  # 3 × 1 = 3
    (9, 0, [5.0, 0.0, 0.0]),  # 9 × 1 = 9 → item cap 5
    (NAN, NAN, [0.0, 0.0, 0.0]),  # missing counts as 0
    (0, 2, [0.0, 0.0, 0.0]),  # 2 days − 2 grace days = 0
    (0, 5, [0.0, 0.0, 0.6]),  # (5 − 2) × 0.2 = 0.6
    (0, 30, [0.0, 0.0, 4.0]),  # (30 − 2) × 0.2 = 5.6 → item cap 4
])
def test_occurrence_and_days_late_deductions(
    hand_level: CompiledLevel, late_reports: float, days_late: float, items: list[float]
) -> None:
    result = score_rows(hand_level, [{**perfect_row(), "so_bao_cao_tre": late_reports,
                                      "ngay_cham": days_late}])
    assert result.deduction_items[0].tolist() == items
    assert totals_of(result, 0)["deductions"] == round(sum(items), 2)


def test_deduction_cap_binds_and_the_final_total_never_drops_below_zero(
    hand_level: CompiledLevel,
) -> None:
    heavy = {"so_bao_cao_tre": 5, "ngay_nop_bao_cao_nam": day_number(date(2024, 12, 31)), "ngay_cham": 30}
    worst = {
        "ty_le_so_hoa": 0, "ngay_giai_quyet": NAN, "ty_le_dvc": 0, "so_ho_so_qua_han": 9,
        "ty_le_cccd": 0, "ngay_phan_hoi": 30, "ty_le_thanh_toan": 0, "ngay_ton_dong": 30,
        "co_ke_hoach": 1, "co_su_co_attt": 1, "so_mo_hinh_so": 0,
    }
    result = score_rows(hand_level, [{**perfect_row(), **heavy}, {**perfect_row(), **heavy, **worst}])
    # items 5 + 5 + 4 = 14 → level cap 10; final 100 − 10 = 90 → exactly the 90 % of htxs
    assert result.deduction_items[0].tolist() == [5.0, 5.0, 4.0]
    assert totals_of(result, 0) == {"base_total": 100.0, "bonus": 0.0, "deductions": 10.0,
                                    "final_total": 90.0, "max_total": 100.0, "percent": 90.0}
    assert band_of(hand_level, result, 0) == "htxs"
    # only c.yes-hi scores: base 5; 5 − 10 < 0 → final 0, percent 0
    assert totals_of(result, 1) == {"base_total": 5.0, "bonus": 0.0, "deductions": 10.0,
                                    "final_total": 0.0, "max_total": 100.0, "percent": 0.0}
    assert band_of(hand_level, result, 1) == "khong-ht"


def test_missing_data_scores_zero_or_leaves_the_maximum(hand_level: CompiledLevel) -> None:
    result = score_rows(hand_level, [
        {**perfect_row(), "ty_le_so_hoa": NAN},  # missing = "zero": 0 of 25 still counted
        {**perfect_row(), "ty_le_cccd": NAN},  # missing = "exclude": leaves the maximum
    ])
    ratio, linear = col(hand_level, "c.ratio-hi"), col(hand_level, "c.linear-hi")
    assert STATUS_NAMES[result.status[0, ratio]] == "missing" and result.points[0, ratio] == 0.0
    assert bool(result.applicable[0, ratio]), "Thiếu số liệu (chấm 0) vẫn phải tính vào điểm tối đa"
    # 75 / 100 → 75 %; the missing criterion scores 0 of 25 (0 % < 80 % floor) → htnv
    assert totals_of(result, 0) == {"base_total": 75.0, "bonus": 0.0, "deductions": 0.0,
                                    "final_total": 75.0, "max_total": 100.0, "percent": 75.0}
    assert band_of(hand_level, result, 0) == "htnv"
    assert STATUS_NAMES[result.status[1, linear]] == "missing" and result.points[1, linear] == 0.0
    assert not result.applicable[1, linear], "Tiêu chí «exclude» thiếu số liệu không được tính điểm tối đa"
    # 90 / 90 → 100 %; the excluded criterion does not count against the band floor → htxs
    assert totals_of(result, 1) == {"base_total": 90.0, "bonus": 0.0, "deductions": 0.0,
                                    "final_total": 90.0, "max_total": 90.0, "percent": 100.0}
    assert band_of(hand_level, result, 1) == "htxs"


def test_a_criterion_that_does_not_apply_leaves_score_and_maximum(hand_level: CompiledLevel) -> None:
    bands_lo = col(hand_level, "c.bands-lo")  # applies_to = ["commune.xa"], max 6
    result = score_rows(
        hand_level,
        [perfect_row(), {**perfect_row(), "ngay_ton_dong": 30},
         {**perfect_row(), "ty_le_so_hoa": 50}],
        kinds=["commune.xa", "commune.phuong", "commune.phuong"],
    )
    assert [STATUS_NAMES[s] for s in result.status[:, bands_lo]] == ["met", "not_applicable",
                                                                      "not_applicable"]
    assert result.points[:, bands_lo].tolist() == [6.0, 0.0, 0.0]
    assert result.applicable[:, bands_lo].tolist() == [True, False, False]
    # phường: 94 / 94 (its 30 days do not count) → 100 %
    assert totals_of(result, 1)["max_total"] == 94.0 and totals_of(result, 1)["percent"] == 100.0
    # phường with 50 / 60 × 25 = 20.83: base 94 − 25 + 20.83 = 89.83; 89.83 / 94 × 100 = 95.56
    assert totals_of(result, 2) == {"base_total": 89.83, "bonus": 0.0, "deductions": 0.0,
                                    "final_total": 89.83, "max_total": 94.0, "percent": 95.56}
    assert [band_of(hand_level, result, i) for i in range(3)] == ["htxs", "htxs", "httnv"]


def test_half_a_hundredth_rounds_up_like_excel_round() -> None:
    plan = load_plan(Path(criteria.__file__).parent / "plans" / "tuyen-quang-de-an-06-2022-2025.toml")
    level = compile_level(plan, "agency", 2024)
    j = col(level, "cq.luu-tru-vneid")  # ratio_to_target, target 100 %, max 5
    values = np.full((1, len(level.indicator_ids)), NAN)
    values[0, level.indicator_ids.index("cq_luu_tru_vneid")] = 12.5
    got = float(score(level, values).points[0, j])
    # 12,5 / 100 × 5 = 0,625 → 0,63 (ROUND(0,625; 2) trong Excel)
    assert got == 0.63, f"12,5% của chỉ tiêu 100%, tối đa 5 điểm: được {got}, Excel cho 0,63"
