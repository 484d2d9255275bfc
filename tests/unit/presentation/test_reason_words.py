"""Status words and the reason sentence of a criterion, from the run's breakdown record."""

from __future__ import annotations

from dataclasses import dataclass

from criteria.loader import load_plan
from criteria.shipped import shipped_plan_path
from presentation.words import (
    CRITERION_STATUS,
    bonus_reason,
    criterion_reason,
    deduction_reason,
    measure_text,
    period_status_text,
    status_text,
)
from scoring.core.engine import STATUS_NAMES


@dataclass(frozen=True)
class Rule:
    direction: str = "higher"
    missing: str = "zero"


def row(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {"id": "c1", "value": 86.0, "unit": "%", "target": 90, "points": 5.5,
                               "max_points": 6, "status": "partial"}
    return {**base, **changes}


def test_every_reason_code_of_the_engine_has_a_word() -> None:
    assert set(CRITERION_STATUS) == set(STATUS_NAMES)
    assert status_text("gate_failed") == "Điều kiện bắt buộc chưa đạt" and status_text("x") == "x"


def test_the_reason_sentence_per_status() -> None:
    assert criterion_reason(row()) == "Kết quả 86\u00a0%, yêu cầu 90\u00a0%: được 5,5/6 điểm."
    assert criterion_reason(row(value=1234.5, unit="hồ sơ", target=1000, status="met", points=6)) == (
        "Kết quả 1.234,5\u00a0hồ sơ, yêu cầu 1.000\u00a0hồ sơ: được đủ 6 điểm.")
    assert "không quá 0\u00a0hồ sơ" in criterion_reason(
        row(value=2, unit="hồ sơ", target=0, status="not_met", points=0), Rule(direction="lower"))
    assert criterion_reason(row(value=None, status="missing", points=0)) == (
        "Chưa có số liệu nên được 0/6 điểm. Hãy nhập số liệu và minh chứng.")
    assert "không tính vào điểm tối đa" in criterion_reason(row(value=None, status="missing"),
                                                             Rule(missing="exclude"))
    assert criterion_reason(row(value=None, status="gate_failed", points=0)).startswith(
        "Thiếu số liệu của tiêu chí bắt buộc: 0/6 điểm")
    assert criterion_reason(row(status="not_applicable")).startswith("Tiêu chí không áp dụng")


def test_the_plans_criteria_are_rules_for_the_sentence() -> None:
    plan = load_plan(shipped_plan_path())
    lower = next(c for c in plan.criteria if c.direction == "lower")
    assert criterion_reason(row(status="met", value=0, target=0, unit="", points=6), lower).startswith(
        "Kết quả 0, yêu cầu không quá 0")
    late = next(d for d in plan.deductions if d.method == "per_day_late")
    said = deduction_reason({"value": "20/06/2024", "points": 1.5, "max_points": 3}, late)
    assert said.startswith("Gửi ngày 20/06/2024, chậm so với hạn") and "bị trừ 1,5 điểm" in said
    bonus = next(b for b in plan.bonuses if b.points_each)
    assert "được cộng 4 điểm" in bonus_reason({"value": 2, "points": 4, "max_points": 6}, bonus, "mô hình")


def test_values_words_and_periods() -> None:
    assert measure_text(None) == "—" and measure_text("Có", "có/không") == "Có"
    assert measure_text(1234.5, "%") == "1.234,5\u00a0%" and measure_text(12, " ") == "12"
    assert period_status_text({"locked": True, "entry_open": True}) == "Đã khóa (kết quả đã công bố)"
    assert period_status_text({"locked": False, "entry_open": True}) == "Đang mở nhập số liệu"
    assert period_status_text({"locked": False, "entry_open": False}) == "Ngoài thời hạn nhập"
