"""Criteria scored directly in points (điểm tự chấm, method ``points``): the points entered are
the points earned, within 0 and the maximum and on the criterion's scale when it has one; the
plan refuses a scale or an indicator that does not fit; reading a value refuses a point off the
scale with the allowed ones named."""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from plans import (
    LEVEL,
    build,
    col,
    hand_plan_dict,
    perfect_row,
    points_of,
    score_rows,
    statuses_of,
    totals_of,
)

from criteria.loader import PlanError
from scoring.core.compile import CompiledLevel, compile_level
from scoring.core.reading import parse_value

NAN = math.nan


def points_plan(scale: list[float] | None = None, **criterion: Any) -> dict[str, Any]:
    """The hand plan with its count criterion (8 points) replaced by a self-scored one."""
    raw = hand_plan_dict()
    raw["indicators"].append({"id": "diem_tu_cham", "level": LEVEL, "name": "Điểm tự chấm công tác chỉ đạo",
                              "kind": "points", "unit": "điểm"})
    [count] = [c for c in raw["criteria"] if c["id"] == "c.count-hi"]
    count.update({"id": "c.points", "indicator": "diem_tu_cham", "method": "points", **criterion})
    del count["points_each"]
    if scale is not None:
        count["scale"] = scale
    return raw


def level_of(raw: dict[str, Any]) -> CompiledLevel:
    return compile_level(build(raw), LEVEL, 2024)


def row(points: float) -> dict[str, float]:
    return {**perfect_row(), "diem_tu_cham": points}  # so_mo_hinh_so stays, scored by nothing


@pytest.mark.parametrize(("entered", "status"), [(0, "not_met"), (0.5, "partial"), (3, "partial"),
                                                 (7.75, "partial"), (8, "met")])
def test_the_points_entered_are_the_points_earned(entered: float, status: str) -> None:
    level = level_of(points_plan())
    result = score_rows(level, [row(entered)])
    assert points_of(level, result, 0)["c.points"] == entered
    assert statuses_of(level, result, 0)["c.points"] == status
    assert totals_of(result, 0)["base_total"] == 100 - 8 + entered


def test_missing_points_score_zero_or_leave_the_maximum_as_the_plan_says() -> None:
    level = level_of(points_plan())
    result = score_rows(level, [row(NAN)])
    assert points_of(level, result, 0)["c.points"] == 0
    assert statuses_of(level, result, 0)["c.points"] == "missing"
    assert totals_of(result, 0)["max_total"] == 100
    excluded = level_of(points_plan(missing="exclude"))
    result = score_rows(excluded, [row(NAN)])
    assert statuses_of(excluded, result, 0)["c.points"] == "missing"
    assert totals_of(result, 0)["max_total"] == 92, "thiếu số liệu, tiêu chí không tính vào điểm tối đa"


def test_the_indicator_takes_the_criterion_bounds_and_scale() -> None:
    plan = build(points_plan(scale=[0, 3, 5, 8]))
    indicator = next(i for i in plan.indicators if i.id == "diem_tu_cham")
    assert (indicator.min, indicator.max, indicator.scale) == (0.0, 8.0, (0.0, 3.0, 5.0, 8.0))
    assert parse_value("5", indicator) == 5.0 and parse_value(3, indicator) == 3.0
    with pytest.raises(ValueError, match=r"không thuộc các mức được chấm: 0; 3; 5; 8"):
        parse_value("4", indicator)
    with pytest.raises(ValueError, match="lớn hơn mức tối đa 8"):
        parse_value("9", indicator)
    with pytest.raises(ValueError, match="nhỏ hơn mức tối thiểu 0"):
        parse_value("-1", indicator)
    free = next(i for i in build(points_plan()).indicators if i.id == "diem_tu_cham")
    assert parse_value("7,25", free) == 7.25 and free.scale == ()


def test_an_unscaled_plan_keeps_its_hash_and_a_scale_changes_it() -> None:
    plain = build(hand_plan_dict())
    assert '"scale"' not in plain.canonical_json
    assert build(points_plan(scale=[0, 8])).sha256 != build(points_plan()).sha256


@pytest.mark.parametrize(("change", "where", "words"), [
    ({"scale": [0, 5, 3, 8]}, "criteria[10].scale", "tăng dần"),
    ({"scale": [0, 3, 9]}, "criteria[10].scale", "trong khoảng 0–8"),
    ({"scale": [-1, 8]}, "criteria[10].scale", "tăng dần"),
    ({"direction": "lower"}, "criteria[10].direction", "«higher»"),
])
def test_a_scale_or_direction_that_does_not_fit_is_refused(change: dict[str, Any], where: str,
                                                          words: str) -> None:
    with pytest.raises(PlanError) as caught:
        build(points_plan(**change))
    assert any(i.path == where and words in i.message for i in caught.value.issues), caught.value


def test_the_indicator_must_be_of_kind_points_and_within_the_maximum() -> None:
    raw = points_plan()
    raw["indicators"][-1]["kind"] = "number"
    with pytest.raises(PlanError) as wrong_kind:
        build(raw)
    assert any("cần kiểu points" in i.message for i in wrong_kind.value.issues)
    raw = points_plan()
    raw["indicators"][-1]["max"] = 10
    with pytest.raises(PlanError) as too_high:
        build(raw)
    assert any("vượt điểm tối đa của tiêu chí" in i.message for i in too_high.value.issues)
    raw = copy.deepcopy(hand_plan_dict())
    raw["criteria"][0]["scale"] = [0, 25]
    with pytest.raises(PlanError) as other_method:
        build(raw)
    assert any(i.path == "criteria[0].scale" for i in other_method.value.issues)


@given(st.floats(min_value=0, max_value=8, allow_nan=False))
def test_points_are_never_more_than_the_maximum_nor_other_than_entered(entered: float) -> None:
    level = _LEVEL
    got = points_of(level, score_rows(level, [row(entered)]), 0)["c.points"]
    assert 0 <= got <= 8
    assert got == pytest.approx(entered, abs=0.005)
    assert level.criteria[col(level, "c.points")].method == "points"


_LEVEL = level_of(points_plan())
