"""Ranking rules: the multi-key sort, ranks within clusters, and the plan's tie-breaks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from plans import LEVEL, PERIOD, build, hand_plan_dict, perfect_row, score_rows
from unit_inputs import score_and_rank, units

from scoring.core.compile import CompiledLevel, compile_level
from scoring.core.rules import order_by_keys, rank, unit_code_order

INT64 = (-(2**63), 2**63 - 1)
# ranges from "many ties" to "too wide to pack": packing must fall back to a real sort
RANGES = [(0, 1), (0, 2), (-3, 3), (0, 1000), (-(2**40), 2**40), (0, 2**61), INT64]


@st.composite
def sort_keys(draw: st.DrawFn) -> tuple[list[np.ndarray], np.ndarray]:
    n = draw(st.integers(0, 200))
    ranges = draw(st.lists(st.sampled_from(RANGES), min_size=1, max_size=5))
    keys = [draw(arrays(np.int64, n, elements=st.integers(lo, hi))) for lo, hi in ranges]
    last = np.array(draw(st.permutations(range(n))), dtype=np.int64)
    return keys, last


@settings(max_examples=300, deadline=None)
@given(sort_keys())
def test_order_by_keys_agrees_with_lexsort(keys_and_last: tuple[list[np.ndarray], np.ndarray]) -> None:
    keys, last = keys_and_last
    expected = np.lexsort([last, *reversed(keys)])  # lexsort: the last key is the primary one
    got = order_by_keys(keys, last)
    assert got.dtype == np.int64
    assert got.tolist() == expected.tolist(), "Thứ tự sắp xếp theo nhiều khóa sai so với np.lexsort"


def test_order_by_keys_sorts_keys_too_wide_to_pack() -> None:
    wide = np.array([2**62, -(2**62), 5, 5, -(2**62)], dtype=np.int64)
    small = np.array([1, 0, 1, 0, 0], dtype=np.int64)
    last = np.array([4, 3, 2, 1, 0], dtype=np.int64)
    # (−2⁶², 0, 3) (−2⁶², 0, 0) → (5, 0, 1) → (5, 1, 2) → (2⁶², 1, 4)
    assert order_by_keys([wide, small], last).tolist() == [4, 1, 3, 2, 0]


def test_unit_code_order_is_the_position_in_ascending_code_order() -> None:
    assert unit_code_order(["02287", "00001", "CQ01", "073"]).tolist() == [1, 0, 3, 2]


HAND_PLAN = build(hand_plan_dict())
HAND = compile_level(HAND_PLAN, LEVEL, PERIOD)


def test_the_plans_tie_breaks_in_order() -> None:
    """order = percent, final_total, base_total, deductions, mandatory_met, then the code."""
    units = {
        "U1": ("X03", 0, "commune.xa", {}),  # 100 %, final 100
        "U2": ("X01", 1, "commune.phuong", {}),  # 94 / 94 = 100 %, final 94
        "U3": ("X02", 0, "commune.xa", {"so_mo_hinh": 1, "so_bao_cao_tre": 1}),  # 100 + 2 − 1 → 101 %
        "U4": ("X04", 1, "commune.xa", {"co_ke_hoach": 0}),  # base 95, mandatory 0 of 1
        "U5": ("X06", 0, "commune.xa", {"ty_le_so_hoa": 48}),  # 48/60 × 25 = 20: base 95, mandatory 1
        "U6": ("X07", 0, "commune.xa", {"ty_le_dvc": 0, "so_mo_hinh": 3}),  # base 90 + 5 = 95
        "U7": ("X09", 1, "commune.xa", {"so_bao_cao_tre": 5}),  # base 100 − 5 = 95
        "U8": ("X05", 1, "commune.xa", {"ty_le_so_hoa": 48}),  # the same as U5, smaller code
        "U9": ("X08", 1, "commune.xa", {"so_mo_hinh": 1, "so_bao_cao_tre": 5, "ngay_cham": 12}),
        # U9: base 100 + 2 − (5 + (12 − 2) × 0.2) = 95, deductions 7
    }
    names = list(units)
    result = score_rows(HAND, [{**perfect_row(), **u[3]} for u in units.values()],
                        kinds=[u[2] for u in units.values()])
    assert result.percent.tolist() == [100, 100, 101, 95, 95, 95, 95, 95, 95]
    ranking = rank(HAND, result, np.array([u[1] for u in units.values()], dtype=np.int64),
                   unit_code_order([u[0] for u in units.values()]))
    overall = [names[i] for i in np.argsort(ranking.rank_overall)]
    assert overall == ["U3", "U1", "U2", "U7", "U9", "U8", "U5", "U4", "U6"], (
        "Thứ tự: tỷ lệ %, tổng điểm, điểm cơ bản, điểm trừ (ít hơn trước), số điều kiện bắt buộc "
        "đạt, cuối cùng mã đơn vị tăng dần"
    )
    in_cluster = dict(zip(names, ranking.rank_in_cluster.tolist(), strict=True))
    assert in_cluster == {"U3": 1, "U1": 2, "U5": 3, "U6": 4, "U2": 1, "U7": 2, "U9": 3, "U8": 4, "U4": 5}
    sizes = dict(zip(names, ranking.cluster_size.tolist(), strict=True))
    assert sizes == {n: 4 if units[n][1] == 0 else 5 for n in names}


def test_criterion_and_bonus_keys_rank_by_those_points() -> None:
    raw = hand_plan_dict()
    raw["ranking"]["order"] = ["criterion:c.count-hi", "bonus", "percent"]
    level = compile_level(build(raw), LEVEL, PERIOD)
    rows = [
        {**perfect_row(), "so_mo_hinh_so": 2, "so_mo_hinh": 3},  # c.count-hi 5, bonus 5
        {**perfect_row(), "so_mo_hinh_so": 4},  # c.count-hi 8, bonus 0
        {**perfect_row(), "so_mo_hinh_so": 4, "so_mo_hinh": 1},  # c.count-hi 8, bonus 2
    ]
    result = score_rows(level, rows)
    ranking = rank(level, result, np.zeros(3, dtype=np.int64), unit_code_order(["A", "B", "C"]))
    assert ranking.rank_overall.tolist() == [3, 2, 1]


@pytest.fixture(scope="module")
def whole_level_ranking() -> CompiledLevel:
    raw = hand_plan_dict()
    raw["levels"][0]["ranking_scope"] = "level"
    return compile_level(build(raw), LEVEL, PERIOD)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_ranking_scope_level_ignores_clusters(
    whole_level_ranking: CompiledLevel, data: st.DataObject
) -> None:
    u = data.draw(units(HAND_PLAN, whole_level_ranking))
    _, ranking = score_and_rank(whole_level_ranking, u)
    assert ranking.rank_in_cluster.tolist() == ranking.rank_overall.tolist(), (
        "Kế hoạch xếp hạng toàn cấp: thứ hạng trong cụm phải bằng thứ hạng chung"
    )
    assert (ranking.cluster_size == u.n).all()
    assert sorted(ranking.rank_overall.tolist()) == list(range(1, u.n + 1))


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_rank_in_cluster_runs_one_to_size_in_each_cluster(data: st.DataObject) -> None:
    u = data.draw(units(HAND_PLAN, HAND, n_clusters=8))
    _, ranking = score_and_rank(HAND, u)
    for cluster in np.unique(u.clusters):
        members = u.clusters == cluster
        assert sorted(ranking.rank_in_cluster[members].tolist()) == list(range(1, members.sum() + 1)), (
            f"Cụm {cluster}: thứ hạng phải chạy từ 1 đến số đơn vị của cụm"
        )
        assert (ranking.cluster_size[members] == members.sum()).all()


def test_no_units_rank_to_empty_arrays() -> None:
    empty = score_rows(HAND, [])
    ranking = rank(HAND, empty, np.zeros(0, dtype=np.int64), unit_code_order([]))
    assert ranking.rank_overall.shape == ranking.rank_in_cluster.shape == (0,)

