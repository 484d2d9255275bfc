"""Hand-checked classification: mandatory criteria (gates) and per-criterion band floors.

Bands of ``plans.hand_plan_dict()`` (Nghệ An pattern), best first:
htxs ≥ 90 % with every criterion ≥ 85 % of its maximum and no failed mandatory criterion;
httnv ≥ 80 % with every criterion ≥ 80 %; htnv ≥ 50 %; khong-ht for everyone else.
"""

from __future__ import annotations

import math
from datetime import date

import pytest
from plans import (
    LEVEL,
    band_of,
    build,
    col,
    day_number,
    hand_plan_dict,
    perfect_row,
    score_rows,
    statuses_of,
    totals_of,
)

from scoring.core.compile import CompiledLevel, compile_level
from scoring.core.engine import STATUS_NAMES

NAN = math.nan


@pytest.fixture(scope="module")
def ratio_mandatory_level() -> CompiledLevel:
    """The hand plan where c.ratio-hi (target 60, max 25) is also mandatory."""
    raw = hand_plan_dict()
    for crit in raw["criteria"]:
        if crit["id"] == "c.ratio-hi":
            crit["mandatory"] = True
    return compile_level(build(raw), LEVEL, 2024)


@pytest.mark.parametrize("answer", [0.0, NAN], ids=["khong", "thieu-so-lieu"])
def test_a_failed_mandatory_criterion_closes_the_top_band(hand_level: CompiledLevel, answer: float) -> None:
    result = score_rows(hand_level, [{**perfect_row(), "co_ke_hoach": answer}])
    gate = col(hand_level, "c.yes-hi")  # yes_no, mandatory, max 5
    assert STATUS_NAMES[result.status[0, gate]] == "gate_failed", (
        "Điều kiện bắt buộc không đạt (kể cả thiếu số liệu) phải có trạng thái gate_failed"
    )
    assert result.points[0, gate] == 0.0
    assert bool(result.gate_failed[0]) and result.mandatory_met[0] == 0
    # base 100 − 5 = 95 → 95 %, but c.yes-hi has 0 % of its maximum (< 80 % floor of httnv)
    # and the gate failed (htxs refused) → htnv
    assert totals_of(result, 0) == {"base_total": 95.0, "bonus": 0.0, "deductions": 0.0,
                                    "final_total": 95.0, "max_total": 100.0, "percent": 95.0}
    assert band_of(hand_level, result, 0) == "htnv"


def test_a_mandatory_criterion_partly_met_fails_the_gate_alone(
    hand_level: CompiledLevel, ratio_mandatory_level: CompiledLevel
) -> None:
    row = {**perfect_row(), "ty_le_so_hoa": 55}  # 55 / 60 × 25 = 22.9166… → 22.92 (91.7 % ≥ 85 %)
    plain = score_rows(hand_level, [row])
    gated = score_rows(ratio_mandatory_level, [row])
    ratio = col(hand_level, "c.ratio-hi")
    assert STATUS_NAMES[plain.status[0, ratio]] == "partial"
    assert STATUS_NAMES[gated.status[0, ratio]] == "gate_failed"
    for result in (plain, gated):
        assert result.points[0, ratio] == 22.92
        # base 100 − 25 + 22.92 = 97.92 → 97.92 %
        assert totals_of(result, 0)["percent"] == 97.92
    assert band_of(hand_level, plain, 0) == "htxs"
    assert band_of(ratio_mandatory_level, gated, 0) == "httnv", (
        "Đạt 97,92% và mọi tiêu chí ≥ 85% nhưng điều kiện bắt buộc chưa đạt đủ: không được xếp "
        "Hoàn thành xuất sắc"
    )
    assert bool(gated.gate_failed[0]) and gated.mandatory_met[0] == 1  # c.yes-hi still met


def test_mandatory_criterion_not_applicable_does_not_fail_the_gate() -> None:
    raw = hand_plan_dict()
    for crit in raw["criteria"]:
        if crit["id"] == "c.yes-hi":
            crit["applies_to"] = ["commune.xa"]
    level = compile_level(build(raw), LEVEL, 2024)
    result = score_rows(level, [{**perfect_row(), "co_ke_hoach": 0}], kinds=["commune.phuong"])
    assert statuses_of(level, result, 0)["c.yes-hi"] == "not_applicable"
    assert not result.gate_failed[0] and result.mandatory_met[0] == 0
    # 95 / 95 → 100 % → htxs
    assert totals_of(result, 0)["percent"] == 100.0 and band_of(level, result, 0) == "htxs"


@pytest.mark.parametrize(("change", "percent", "band"), [
    # 50 / 60 × 25 = 20.83 is 83.3 % of its maximum (< 85 %): base 95.83 → httnv, not htxs
    ({"ty_le_so_hoa": 50}, 95.83, "httnv"),
    # 51 / 60 × 25 = 21.25 is exactly 85 %: base 96.25 → htxs
    ({"ty_le_so_hoa": 51}, 96.25, "htxs"),
    # bands-hi 75 → 5 of 8 = 62.5 % (< 80 %): base 97 but only htnv
    ({"ty_le_thanh_toan": 75}, 97.0, "htnv"),
    # 57 / 60 × 25 = 23.75 (95 %), deductions 5 + 5 = 10: 100 − 1.25 − 10 = 88.75 → httnv
    ({"ty_le_so_hoa": 57, "so_bao_cao_tre": 5, "ngay_nop_bao_cao_nam": day_number(date(2025, 1, 1))},
     88.75, "httnv"),
    # 45 / 60 × 25 = 18.75 (75 %): base 93.75 ≥ 90 but one criterion < 80 % → htnv
    ({"ty_le_so_hoa": 45}, 93.75, "htnv"),
    # 0 + 0 + 0 from three criteria (25 + 10 + 10): base 55 → htnv; 45 → khong-ht
    ({"ty_le_so_hoa": 0, "ty_le_dvc": 0, "ty_le_cccd": 0}, 55.0, "htnv"),
    ({"ty_le_so_hoa": 0, "ty_le_dvc": 0, "ty_le_cccd": 0, "ngay_phan_hoi": 10}, 45.0, "khong-ht"),
])
def test_band_needs_the_percent_and_every_criterion_above_its_floor(
    hand_level: CompiledLevel, change: dict[str, float], percent: float, band: str
) -> None:
    result = score_rows(hand_level, [{**perfect_row(), **change}])
    assert totals_of(result, 0)["percent"] == percent
    got = band_of(hand_level, result, 0)
    assert got == band, f"Đơn vị đạt {percent}% với {change}: xếp loại {got}, phải là {band}"


def test_every_unit_gets_exactly_one_band_even_with_no_data(hand_level: CompiledLevel) -> None:
    empty = dict.fromkeys(perfect_row(), NAN)
    result = score_rows(hand_level, [empty])
    assert set(statuses_of(hand_level, result, 0).values()) == {"missing", "gate_failed"}
    # c.linear-hi (exclude) leaves: maximum 90, total 0 → 0 %
    assert totals_of(result, 0) == {"base_total": 0.0, "bonus": 0.0, "deductions": 0.0,
                                    "final_total": 0.0, "max_total": 90.0, "percent": 0.0}
    assert band_of(hand_level, result, 0) == "khong-ht"
