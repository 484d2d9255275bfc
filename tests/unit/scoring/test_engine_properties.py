"""Properties the engine and the ranking must keep for any data a province can send."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from plans import LEVEL, PERIOD, build, hand_plan_dict, without_criterion
from unit_inputs import (
    Units,
    better_direction,
    kinds_of,
    score_and_rank,
    units,
    value_of,
)

import criteria
from criteria.loader import load_plan
from criteria.model import Plan
from scoring.core.compile import CompiledLevel, compile_level
from scoring.core.engine import BLOCK, NOT_APPLICABLE, STATUS_NAMES, ScoreResult, score
from scoring.core.rules import Ranking

HAND_RAW = hand_plan_dict()
HAND_PLAN = build(HAND_RAW)
HAND = compile_level(HAND_PLAN, LEVEL, PERIOD)
SHIPPED_PLAN = load_plan(Path(criteria.__file__).parent / "plans" / "tuyen-quang-de-an-06-2022-2025.toml")
PER_UNIT = ("base_total", "bonus", "deductions", "final_total", "max_total", "percent",
            "mandatory_met", "gate_failed", "band")
SETTINGS = settings(max_examples=60, deadline=None)


def result_arrays(result: ScoreResult, ranking: Ranking | None = None) -> dict[str, np.ndarray]:
    out = {name: np.asarray(getattr(result, name)) for name in
           ("points_h", "status", "exclude_missing", *PER_UNIT, "bonus_items", "deduction_items")}
    if ranking is not None:
        out |= {"rank_overall": ranking.rank_overall, "rank_in_cluster": ranking.rank_in_cluster,
                "cluster_size": ranking.cluster_size}
    return out


LEVELS = [(HAND_PLAN, HAND)] + [(SHIPPED_PLAN, compile_level(SHIPPED_PLAN, lvl.id, 2024))
                                for lvl in SHIPPED_PLAN.levels]


LEVEL_IDS = ["thu-nghiem", *(lvl.id for lvl in SHIPPED_PLAN.levels)]


@pytest.mark.parametrize(("plan", "level"), LEVELS, ids=LEVEL_IDS)
@SETTINGS
@given(data=st.data())
def test_every_criterion_scores_between_zero_and_its_maximum(
    plan: Plan, level: CompiledLevel, data: st.DataObject
) -> None:
    u = data.draw(units(plan, level))
    r = score(level, u.values, u.mask)
    top = level.crit_max[None, :]
    assert ((r.points >= 0) & (r.points <= top)).all(), "Có tiêu chí bị chấm âm hoặc vượt điểm tối đa"
    assert (r.points[r.status == NOT_APPLICABLE] == 0).all(), "Tiêu chí không áp dụng vẫn có điểm"
    assert set(np.unique(r.status)) <= set(range(len(STATUS_NAMES)))
    assert (r.bonus <= level.level.bonus_cap).all() and (r.deductions <= level.level.deduction_cap).all()
    assert (r.final_total >= 0).all() and (r.max_total <= level.level.max_points).all()
    assert (r.band >= 0).all() and (r.band < len(level.bands)).all()


REPORTED = st.floats(0.0, 1.0) | st.sampled_from([0.0, 0.05, 0.1, 0.5, 0.95, 1.0])


def _improved(u: Units, data: st.DataObject, j: int, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(before, after): ``rows`` of column ``j`` reported, then moved in the better direction."""
    kind = kinds_of(HAND_PLAN, HAND)[j]
    fresh, candidate = value_of(HAND, kind, data.draw(arrays(np.float64, (2, len(rows)), elements=REPORTED)))
    before = u.values.copy()
    gaps = np.isnan(before[rows, j])  # start from a reported value: filling a gap is not "better"
    before[rows[gaps], j] = fresh[gaps]
    after = before.copy()
    pick = np.maximum if better_direction(HAND)[j] > 0 else np.minimum
    after[rows, j] = pick(before[rows, j], candidate)
    return before, after


@SETTINGS
@given(data=st.data())
def test_doing_better_on_any_indicator_never_costs_points(data: st.DataObject) -> None:
    u = data.draw(units(HAND_PLAN, HAND))
    every = np.arange(u.n)
    for j, indicator in enumerate(HAND.indicator_ids):  # each indicator in turn, every unit at once
        before, after = _improved(u, data, j, every)
        r0, r1 = score(HAND, before, u.mask), score(HAND, after, u.mask)
        worse = np.flatnonzero((r1.points_h < r0.points_h).any(axis=1))
        assert not len(worse), (
            f"Chỉ số {indicator} tốt hơn ({before[worse[0], j]} → {after[worse[0], j]}) mà điểm tiêu chí "
            f"giảm: {r0.points[worse[0]].tolist()} → {r1.points[worse[0]].tolist()}"
        )
        for name in ("base_total", "bonus", "final_total", "percent", "mandatory_met"):
            bad = np.flatnonzero(getattr(r1, name) < getattr(r0, name))
            assert not len(bad), f"Chỉ số {indicator} tốt hơn mà «{name}» giảm (đơn vị {bad.tolist()})"
        assert (r1.deductions <= r0.deductions).all(), f"Chỉ số {indicator} tốt hơn mà điểm trừ tăng"
        assert (r1.band <= r0.band).all(), f"Chỉ số {indicator} tốt hơn mà xếp loại kém đi"


@SETTINGS
@given(data=st.data())
def test_doing_better_on_one_indicator_never_costs_rank(data: st.DataObject) -> None:
    u = data.draw(units(HAND_PLAN, HAND))
    i = data.draw(st.integers(0, u.n - 1), label="unit")
    j = data.draw(st.integers(0, len(HAND.indicator_ids) - 1), label="indicator")
    before, after = _improved(u, data, j, np.array([i]))
    r0, k0 = score_and_rank(HAND, Units(before, u.mask, u.clusters, u.codes))
    r1, k1 = score_and_rank(HAND, Units(after, u.mask, u.clusters, u.codes))
    what = f"đơn vị {i}, chỉ số {HAND.indicator_ids[j]}: {before[i, j]} → {after[i, j]}"
    assert k1.rank_overall[i] <= k0.rank_overall[i], f"Thứ hạng chung tụt khi kết quả tốt hơn ({what})"
    assert k1.rank_in_cluster[i] <= k0.rank_in_cluster[i], f"Thứ hạng trong cụm tụt ({what})"
    others = np.arange(u.n) != i
    assert (r1.points_h[others] == r0.points_h[others]).all(), "Điểm của đơn vị khác bị thay đổi"


@SETTINGS
@given(data=st.data())
def test_the_order_of_units_in_the_file_changes_nothing(data: st.DataObject) -> None:
    u = data.draw(units(HAND_PLAN, HAND))
    p = np.array(data.draw(st.permutations(range(u.n)), label="permutation"), dtype=np.intp)
    original = result_arrays(*score_and_rank(HAND, u))
    shuffled = result_arrays(*score_and_rank(HAND, u.permuted(p)))
    for name, arr in original.items():
        expected = arr if name == "exclude_missing" else arr[p]
        assert np.array_equal(shuffled[name], expected), f"Đổi thứ tự đơn vị làm thay đổi «{name}»"


CRITERIA_IDS = [c.id for c in HAND.criteria]
WITHOUT = {cid: compile_level(build(without_criterion(HAND_RAW, cid)), LEVEL, PERIOD) for cid in CRITERIA_IDS}


@SETTINGS
@given(data=st.data(), criterion=st.sampled_from(CRITERIA_IDS))
def test_a_criterion_that_does_not_apply_is_as_if_the_plan_had_none(
    data: st.DataObject, criterion: str
) -> None:
    u = data.draw(units(HAND_PLAN, HAND, masked=True))
    assert u.mask is not None
    j = CRITERIA_IDS.index(criterion)
    absent = data.draw(st.lists(st.integers(0, u.n - 1), min_size=1, unique=True), label="units without it")
    mask = u.mask.copy()
    mask[absent, j] = False
    with_it = score(HAND, u.values, mask)
    without = score(WITHOUT[criterion], u.values, np.delete(mask, j, axis=1))
    for name in PER_UNIT:
        got, want = getattr(with_it, name)[absent], getattr(without, name)[absent]
        assert np.array_equal(got, want), (
            f"Tiêu chí {criterion} không áp dụng nhưng «{name}» khác với kế hoạch không có tiêu chí này: "
            f"{got.tolist()} ≠ {want.tolist()}"
        )
    assert np.array_equal(np.delete(with_it.points_h, j, axis=1)[absent], without.points_h[absent])


@SETTINGS
@given(data=st.data())
def test_same_input_gives_bit_identical_output(data: st.DataObject) -> None:
    u = data.draw(units(HAND_PLAN, HAND))
    first = result_arrays(*score_and_rank(HAND, u))
    again = result_arrays(*score_and_rank(HAND, u))
    fortran = Units(np.asfortranarray(u.values.copy()), None if u.mask is None else u.mask.copy(),
                    u.clusters.copy(), u.codes.copy())
    other_layout = result_arrays(*score_and_rank(HAND, fortran))
    for name, arr in first.items():
        assert arr.tobytes() == again[name].tobytes(), f"Chạy lại cùng số liệu cho «{name}» khác"
        assert arr.tobytes() == other_layout[name].tobytes(), f"«{name}» phụ thuộc cách lưu mảng"


@SETTINGS
@given(data=st.data())
def test_identical_units_are_ranked_by_ascending_code(data: st.DataObject) -> None:
    u = data.draw(units(HAND_PLAN, HAND, min_units=2, masked=False))
    same = Units(np.repeat(u.values[:1], u.n, axis=0), None, u.clusters, u.codes)
    _, ranking = score_and_rank(HAND, same)
    by_code = np.argsort(same.codes)
    assert ranking.rank_overall[by_code].tolist() == list(range(1, u.n + 1)), (
        "Các đơn vị bằng điểm phải xếp theo mã đơn vị tăng dần"
    )
    for cluster in np.unique(same.clusters):
        members = by_code[same.clusters[by_code] == cluster]
        assert ranking.rank_in_cluster[members].tolist() == list(range(1, len(members) + 1)), (
            f"Cụm {cluster}: các đơn vị bằng điểm phải xếp theo mã đơn vị tăng dần"
        )


@SETTINGS
@given(data=st.data())
def test_within_every_cluster_ranks_run_from_one_to_its_size(data: st.DataObject) -> None:
    u = data.draw(units(HAND_PLAN, HAND))
    _, ranking = score_and_rank(HAND, u)
    assert sorted(ranking.rank_overall.tolist()) == list(range(1, u.n + 1))
    for cluster in np.unique(u.clusters):
        members = np.flatnonzero(u.clusters == cluster)
        ranks = ranking.rank_in_cluster[members]
        assert sorted(ranks.tolist()) == list(range(1, len(members) + 1)), f"Cụm {cluster}: thứ hạng {ranks}"
        assert (ranking.cluster_size[members] == len(members)).all()
        # inside a cluster the order is the overall order
        assert np.array_equal(np.argsort(ranks), np.argsort(ranking.rank_overall[members]))


def test_a_file_larger_than_one_block_scores_like_its_parts() -> None:
    rng = np.random.default_rng(2024)
    n = BLOCK + 7
    raw = rng.random((n, len(HAND.indicator_ids)))
    raw[rng.random(raw.shape) < 0.05] = np.nan
    values = np.column_stack([value_of(HAND, k, raw[:, j]) for j, k in enumerate(kinds_of(HAND_PLAN, HAND))])
    mask = rng.random((n, HAND.n_criteria)) < 0.9
    whole = result_arrays(score(HAND, values, mask))
    parts = [result_arrays(score(HAND, values[s], mask[s])) for s in (slice(0, 100), slice(100, n))]
    for name, arr in whole.items():
        if name != "exclude_missing":
            joined = np.concatenate([p[name] for p in parts])
            assert np.array_equal(arr, joined), f"Chấm theo khối {BLOCK} đơn vị làm thay đổi «{name}»"
