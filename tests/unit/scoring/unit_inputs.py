"""Hypothesis strategies for the engine's inputs: values, mask, clusters and unit codes."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from plans import day_number

from criteria.model import Plan
from scoring.core.compile import CompiledLevel
from scoring.core.engine import ScoreResult, score
from scoring.core.rules import Ranking, rank, unit_code_order

MAX_UNITS = 60
# raw draws in [0, 1] (often on a coarse grid, so units tie) or NaN for missing data
RAW = st.one_of(st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0]), st.floats(0.0, 1.0), st.just(math.nan))


@dataclass(frozen=True)
class Units:
    values: np.ndarray  # [units × indicators]
    mask: np.ndarray | None  # [units × criteria]
    clusters: np.ndarray  # int64
    codes: np.ndarray  # str, unique

    @property
    def n(self) -> int:
        return len(self.codes)

    def permuted(self, p: np.ndarray) -> Units:
        return Units(self.values[p], None if self.mask is None else self.mask[p],
                     self.clusters[p], self.codes[p])


def value_of(level: CompiledLevel, kind: str, raw: np.ndarray | float) -> np.ndarray:
    """Map raw draws in [0, 1] onto the range of an indicator kind (NaN stays NaN)."""
    u = np.asarray(raw, dtype=np.float64)
    if kind == "percent":
        return u * 100.0
    if kind == "days":
        return np.round(u * 30.0, 1)
    if kind == "count":
        return np.round(u * 10.0)
    if kind == "yes_no":
        return np.round(u)
    if kind == "date":  # around the year-end deadlines of the period
        return np.round(day_number(date(level.period, 11, 20)) + u * 60.0)
    return u * 200.0 - 50.0  # number


def kinds_of(plan: Plan, level: CompiledLevel) -> list[str]:
    by_id = {i.id: i.kind for i in plan.indicators_of(level.level.id)}
    return [by_id[i] for i in level.indicator_ids]


def better_direction(level: CompiledLevel) -> np.ndarray:
    """+1 where a higher value is better for the indicator's item, −1 where lower is."""
    sign = {c.indicator: 1.0 if c.direction == "higher" else -1.0 for c in level.criteria}
    sign |= {b.indicator: 1.0 for b in level.bonuses}
    sign |= {d.indicator: -1.0 for d in level.deductions}
    return np.array([sign.get(i, 0.0) for i in level.indicator_ids])


@st.composite
def units(draw: st.DrawFn, plan: Plan, level: CompiledLevel, min_units: int = 1,
          masked: bool | None = None, n_clusters: int = 4) -> Units:
    n = draw(st.integers(min_units, MAX_UNITS))
    raw = draw(arrays(np.float64, (n, len(level.indicator_ids)), elements=RAW))
    values = np.column_stack([value_of(level, k, raw[:, j]) for j, k in enumerate(kinds_of(plan, level))])
    use_mask = draw(st.booleans()) if masked is None else masked
    mask = None
    if use_mask:
        mask = draw(arrays(np.bool_, (n, level.n_criteria), elements=st.sampled_from([True, True, False])))
    cluster_pool = draw(st.sampled_from([list(range(n_clusters)), [-1, 3, 40_000]]))
    clusters = draw(arrays(np.int64, n, elements=st.sampled_from(cluster_pool)))
    numbers = draw(st.lists(st.integers(0, 999_999), min_size=n, max_size=n, unique=True))
    codes = np.array([f"X{x:06d}" for x in numbers])
    return Units(values, mask, clusters, codes)


def score_and_rank(level: CompiledLevel, u: Units) -> tuple[ScoreResult, Ranking]:
    result = score(level, u.values, u.mask)
    return result, rank(level, result, u.clusters, unit_code_order(u.codes))
