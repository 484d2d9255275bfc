"""Score one level: registry units + validated indicator data → engine → ranking.

The one place that turns long-form data into the engine's matrix (one pivot, no loop
over units) and keeps everything the breakdown needs to explain each point.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from criteria.model import Plan
from scoring.core.compile import F64, CompiledLevel, applicability_mask, compile_level
from scoring.core.engine import ScoreResult, score
from scoring.core.rules import Ranking, rank, unit_code_order
from scoring.core.units import Registry, Unit


@dataclass(frozen=True)
class LevelResult:
    """A scored level: units in code order, their values, and the engine's output."""

    compiled: CompiledLevel
    units: tuple[Unit, ...]
    values: F64
    result: ScoreResult
    ranking: Ranking

    def index_of(self, code: str) -> int:
        for i, unit in enumerate(self.units):
            if unit.code == code:
                return i
        raise KeyError(code)


def competing_units(registry: Registry, plan: Plan, level: str, period: int) -> tuple[Unit, ...]:
    """Units of the level's kinds that existed at some time during the period (a year), within
    the plan's validity: a plan from 1 Jul 2025 does not score the communes that ended on 30 Jun."""
    kinds = plan.level(level).unit_kinds
    start = max(date(period, 1, 1), plan.info.valid_from)
    end = min(date(period, 12, 31), plan.info.valid_to)
    units = [
        u for u in registry.units
        if any(u.kind == k or u.kind.startswith(k + ".") for k in kinds)
        and u.valid_from <= end and (u.valid_to is None or u.valid_to >= start)
    ]
    return tuple(sorted(units, key=lambda u: u.code))


def value_matrix(frame: pd.DataFrame, codes: pd.Index, indicator_ids: tuple[str, ...]) -> F64:
    """Scatter long-form rows into a [units × indicators] matrix, NaN where absent."""
    values = np.full((len(codes), len(indicator_ids)), np.nan, order="F")
    if frame.empty:
        return values
    rows = codes.get_indexer(pd.Index(frame["unit_code"]))
    cols = pd.Index(indicator_ids).get_indexer(pd.Index(frame["indicator"]))
    keep = (rows >= 0) & (cols >= 0)
    values[rows[keep], cols[keep]] = frame["value"].to_numpy(dtype=np.float64)[keep]
    return values


def score_level(
    plan: Plan, registry: Registry, frame: pd.DataFrame, level: str, period: int
) -> LevelResult:
    """Score every unit of ``level`` for ``period`` from validated long-form data."""
    compiled = compile_level(plan, level, period)
    units = competing_units(registry, plan, level, period)
    codes = pd.Index([u.code for u in units])
    values = value_matrix(frame, codes, compiled.indicator_ids)
    mask = applicability_mask(compiled, [u.kind for u in units], [u.tags for u in units])
    result = score(compiled, values, mask)
    cluster_ids, _ = pd.factorize(pd.Series([u.cluster or "" for u in units], dtype=object))
    ranking = rank(compiled, result, cluster_ids.astype(np.int64), unit_code_order(codes.to_numpy()))
    return LevelResult(compiled, units, values, result, ranking)
