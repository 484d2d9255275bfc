"""Rank robustness: seeded draws of the plan's weights and targets, ranks in cluster per draw."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from plans import LEVEL, PERIOD, build, hand_plan_dict
from unit_inputs import better_direction, kinds_of, units

import criteria
from criteria.loader import load_plan, plan_from_dict
from criteria.model import Plan
from demo.indicators import demo_values
from demo.registry_tuyen_quang import build_tuyen_quang_registry
from scoring.core.compile import CompiledLevel, compile_level
from scoring.core.engine import score
from scoring.core.pipeline import score_level
from scoring.core.robustness import (
    Perturbation,
    draw_factors,
    draw_ranks,
    level_intervals,
    perturbed_level,
    prepare_level,
    rank_intervals,
    robustness_records,
)
from scoring.core.rules import rank, unit_code_order

SETTINGS = settings(max_examples=40, deadline=None)
SHIPPED = load_plan(Path(criteria.__file__).parent / "plans" / "tuyen-quang-de-an-06-2022-2025.toml")
HAND_PLAN = build(hand_plan_dict())
HAND = compile_level(HAND_PLAN, LEVEL, PERIOD)


def odd_weights() -> Plan:
    """The hand plan with every criterion worth 100/11 points: maxima that are not whole hundredths."""
    raw = hand_plan_dict()
    for c in raw["criteria"]:
        f = (100 / 11) / c["max_points"]
        c["max_points"] = 100 / 11
        if "bands" in c:
            c["bands"] = [[t, p * f] for t, p in c["bands"]]
        if "points_each" in c:
            c["points_each"] *= f
    return build(raw)


def level_scope() -> Plan:
    raw = hand_plan_dict()
    raw["levels"][0]["ranking_scope"] = "level"
    return build(raw)


LEVELS = [(HAND_PLAN, HAND), (odd_weights(), compile_level(odd_weights(), LEVEL, PERIOD)),
          (level_scope(), compile_level(level_scope(), LEVEL, PERIOD))] + [
    (SHIPPED, compile_level(SHIPPED, lvl.id, 2024)) for lvl in SHIPPED.levels]
LEVEL_IDS = ["thu-nghiem", "trong-so-le", "xep-hang-ca-cap", *(lvl.id for lvl in SHIPPED.levels)]
PERTURBATIONS = st.builds(Perturbation, draws=st.integers(1, 12), spread=st.floats(0.0, 0.5),
                          param_spread=st.floats(0.0, 0.3), seed=st.integers(0, 2**32 - 1))


def on_every_level(test: Callable[..., None]) -> Callable[..., None]:
    """A property test run on every level of :data:`LEVELS`, with data drawn by hypothesis."""
    with_data = SETTINGS(given(data=st.data())(test))
    return pytest.mark.parametrize(("plan", "level"), LEVELS, ids=LEVEL_IDS)(with_data)


def two_criteria_plan() -> Plan:
    """Two criteria of 50 points, full points at 100 %."""
    crit = [{"id": f"c{j}", "level": "x", "group": "g", "name": f"Tiêu chí {j}", "indicator": f"i{j}",
             "method": "ratio_to_target", "target": 100, "max_points": 50, "source": "thử"} for j in (1, 2)]
    return plan_from_dict({
        "plan": {"id": "hai", "version": "1", "title": "Hai tiêu chí", "issuer": "thử", "source": "thử",
                 "valid_from": date(2024, 1, 1), "valid_to": date(2024, 12, 31)},
        "levels": [{"id": "x", "name": "X", "subject": "collective", "unit_kinds": ["commune"],
                    "max_points": 100}],
        "indicators": [{"id": f"i{j}", "level": "x", "name": f"Chỉ số {j}", "kind": "percent", "unit": "%"}
                       for j in (1, 2)],
        "groups": [{"id": "g", "level": "x", "name": "G"}],
        "criteria": crit,
        "bands": [{"id": "z", "level": "x", "name": "Z", "min_percent": 0}],
        "ranking": {"order": ["percent", "final_total"]},
    }, source="<thử>")


def intervals_of(plan: Plan, level: CompiledLevel, values: np.ndarray, clusters: np.ndarray,
                 codes: np.ndarray, p: Perturbation, mask: np.ndarray | None = None) -> Any:
    return rank_intervals(level, values, score(level, values, mask), clusters, unit_code_order(codes),
                          draw_factors(plan, level, p))


def test_two_units_trade_first_place_in_a_tenth_of_the_draws() -> None:
    """A earns 50w₁ + 25w₂, B 25w₁ + 45w₂ (same maximum): B wins when w₂ > 1,25 w₁, which for
    w₁, w₂ uniform on [0,8; 1,2] happens with probability 0,1 exactly."""
    plan = two_criteria_plan()
    level = compile_level(plan, "x", 2024)
    values = np.array([[100.0, 50.0], [50.0, 90.0]])
    p = Perturbation(draws=4000, spread=0.2, param_spread=0.0)
    got = intervals_of(plan, level, values, np.zeros(2, dtype=np.int64), np.array(["A", "B"]), p)
    assert got.nominal.tolist() == [1, 2] and got.cluster_size.tolist() == [2, 2]
    assert got.share_first[0] == pytest.approx(0.9, abs=0.03), "A thường đứng đầu, B vượt lên khoảng 10 %"
    assert got.share_first[0] + got.share_first[1] == pytest.approx(1.0)
    assert (got.p5.tolist(), got.median.tolist(), got.p95.tolist()) == ([1, 1], [1, 2], [2, 2])
    same = intervals_of(plan, level, values, np.zeros(2, dtype=np.int64), np.array(["A", "B"]), p)
    assert same.share_first.tolist() == got.share_first.tolist(), "cùng hạt giống, cùng kết quả"


def test_a_lead_wider_than_any_weight_change_never_moves() -> None:
    plan = two_criteria_plan()
    level = compile_level(plan, "x", 2024)
    values = np.array([[100.0, 100.0], [50.0, 60.0], [10.0, 20.0]])
    got = intervals_of(plan, level, values, np.zeros(3, dtype=np.int64), np.array(["C", "B", "A"]),
                       Perturbation(draws=500))
    assert got.p5.tolist() == got.p95.tolist() == got.nominal.tolist() == [1, 2, 3]
    assert got.share_first.tolist() == [1.0, 0.0, 0.0]


@on_every_level
def test_without_spread_every_interval_is_the_nominal_rank(plan: Plan, level: CompiledLevel,
                                                           data: st.DataObject) -> None:
    u = data.draw(units(plan, level))
    p = Perturbation(draws=data.draw(st.integers(1, 5)), spread=0.0, param_spread=0.0,
                     seed=data.draw(st.integers(0, 99)))
    got = intervals_of(plan, level, u.values, u.clusters, u.codes, p, u.mask)
    result = score(level, u.values, u.mask)
    ranking = rank(level, result, u.clusters, unit_code_order(u.codes))
    assert got.nominal.tolist() == ranking.rank_in_cluster.tolist()
    for name in ("p5", "median", "p95"):
        assert getattr(got, name).tolist() == got.nominal.tolist(), f"{name} phải trùng thứ hạng gốc"
    assert got.share_first.tolist() == (got.nominal == 1).astype(float).tolist()


@on_every_level
def test_each_draw_ranks_as_the_engine_ranks_that_perturbed_plan(plan: Plan, level: CompiledLevel,
                                                                 data: st.DataObject) -> None:
    u = data.draw(units(plan, level))
    p = data.draw(PERTURBATIONS)
    draws = draw_factors(plan, level, p)
    code_order = unit_code_order(u.codes)
    nominal = score(level, u.values, u.mask)
    fast = draw_ranks(prepare_level(level, u.values, nominal, u.clusters, code_order), draws, 0, p.draws)
    clusters = np.zeros(u.n, dtype=np.int64) if level.level.ranking_scope == "level" else u.clusters
    for d in range(p.draws):
        moved = perturbed_level(level, draws, d)
        engine = rank(moved, score(moved, u.values, u.mask), clusters, code_order)
        expected = engine.rank_overall if level.level.ranking_scope == "level" else engine.rank_in_cluster
        assert fast[d].tolist() == expected.tolist(), f"lần rút {d} khác bộ chấm điểm"


def test_what_moves_and_what_stays() -> None:
    """Weights move by ±20 %, targets on percent/number/days by ±10 %; yes/no and counts do not."""
    level = compile_level(SHIPPED, "individual", 2024)
    draws = draw_factors(SHIPPED, level, Perturbation(draws=500))
    kinds = {i.id: i.kind for i in SHIPPED.indicators}
    assert (draws.weight >= 0.8).all() and (draws.weight <= 1.2).all() and draws.weight.std() > 0.1
    for j, crit in enumerate(level.criteria):
        moves = kinds[crit.indicator] in ("percent", "number", "days") and crit.method != "yes_no"
        column = draws.param[:, j]
        if moves:
            assert (column >= 0.9).all() and (column <= 1.1).all() and column.std() > 0.05, crit.id
        else:
            assert (column == 1.0).all(), f"{crit.id} ({crit.method}, {kinds[crit.indicator]}) không được đổi"
    agency = compile_level(SHIPPED, "agency", 2024)
    factors = draw_factors(SHIPPED, agency, Perturbation(draws=300))
    for d in range(300):
        moved = perturbed_level(agency, factors, d)
        percent = [j for j, c in enumerate(agency.criteria) if kinds[c.indicator] == "percent"]
        assert np.nanmax(moved.crit_target[percent]) <= 100.0, "chỉ tiêu phần trăm không vượt 100 %"
        for thresholds, points in moved.crit_bands:
            assert (np.diff(thresholds) >= 0).all(), "thứ tự các ngưỡng giữ nguyên"
            assert (np.diff(points) >= 0).all()
    first = perturbed_level(agency, factors, 0)
    np.testing.assert_array_equal(first.crit_max, agency.crit_max * factors.weight[0])


def test_the_settings_are_checked() -> None:
    for bad in ({"draws": 0}, {"spread": 1.0}, {"spread": -0.1}, {"param_spread": 1.5}):
        with pytest.raises(ValueError):
            Perturbation(**bad)


def _dominating_pair(data: st.DataObject, kinds: list[str], sign: np.ndarray, feeds: set[int],
                     row: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(A, B): A better than B on the indicator of every criterion, the same elsewhere."""
    a, b = row.copy(), row.copy()
    b[np.isnan(b)] = 0.0  # bonus and deduction values: the same for both (missing counts 0)
    a[:] = b
    for j in sorted(feeds):
        up = sign[j] > 0
        if kinds[j] == "yes_no":
            a[j], b[j] = (1.0, 0.0) if up else (0.0, 1.0)
        elif kinds[j] == "count":
            low = data.draw(st.integers(0, 8))
            high = low + data.draw(st.integers(1, 3))
            a[j], b[j] = (high, low) if up else (low, high)
        else:
            top = 100.0 if kinds[j] == "percent" else 30.0
            low = data.draw(st.floats(0.0, top * 0.8))
            high = low + data.draw(st.floats(0.01 * top, 0.2 * top))
            a[j], b[j] = (high, low) if up else (low, high)
    return a, b


@SETTINGS
@given(data=st.data())
def test_a_unit_better_on_every_criterion_never_has_a_worse_median_rank(data: st.DataObject) -> None:
    """Ties on every key go to the smaller unit code (the plan's last key), so A gets it."""
    u = data.draw(units(HAND_PLAN, HAND, min_units=2, masked=False))
    kinds = kinds_of(HAND_PLAN, HAND)
    feeds = {int(j) for j in HAND.crit_col}
    values = u.values.copy()
    values[0], values[1] = _dominating_pair(data, kinds, better_direction(HAND), feeds, values[0])
    clusters = u.clusters.copy()
    clusters[1] = clusters[0]
    codes = u.codes.copy()
    codes[0], codes[1] = "A0", "B0"
    got = intervals_of(HAND_PLAN, HAND, values, clusters, codes, data.draw(PERTURBATIONS))
    assert got.nominal[0] < got.nominal[1]
    assert got.median[0] <= got.median[1], "tốt hơn ở mọi tiêu chí mà trung vị thứ hạng lại kém hơn"
    assert got.p5[0] <= got.p5[1] and got.p95[0] <= got.p95[1]
    assert got.share_first[0] >= got.share_first[1]


def test_records_of_a_scored_level() -> None:
    registry = build_tuyen_quang_registry()
    scored = score_level(SHIPPED, registry, demo_values(SHIPPED, registry, 2024), "commune", 2024)
    rows = robustness_records(scored, level_intervals(SHIPPED, scored, Perturbation(draws=300)))
    best_first = np.argsort(scored.ranking.rank_overall)
    assert [r["unit_code"] for r in rows] == [scored.units[i].code for i in best_first]
    for r in rows:
        assert 1 <= r["rank_p5"] <= r["rank_median"] <= r["rank_p95"] <= r["cluster_size"], r
        assert 0.0 <= r["share_first"] <= 1.0
    assert any(r["rank_p5"] < r["rank_p95"] for r in rows), "có đơn vị có thứ hạng dao động"
    clusters = len({r["cluster"] for r in rows})
    assert sum(r["share_first"] for r in rows) == pytest.approx(clusters, abs=1e-3), "mỗi cụm một đơn vị đầu"
    first = copy.deepcopy(rows)
    again = robustness_records(scored, level_intervals(SHIPPED, scored, Perturbation(draws=300)))
    assert again == first
