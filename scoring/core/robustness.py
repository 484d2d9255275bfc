"""Rank robustness: how far a unit's rank in its cluster moves when the plan's judgement calls move.

The uncertainty analysis of composite indicators (COINr, the OECD/JRC handbook): draw many
plausible variants of the plan, score and rank every unit under each, and report per unit the
interval its rank stays in. Each draw is seeded and the same settings give the same answer.

What one draw changes (one uniform factor per criterion and draw):

- every criterion's **weight** (its maximum points) by a factor in ``[1 − spread, 1 + spread]``
  (default ±20 %); band steps and points per item scale with it, so the share of the maximum a
  value earns is unchanged;
- the **judgement parameters** of criteria on a continuous indicator (``percent``, ``number``,
  ``days``) by a factor in ``[1 − param_spread, 1 + param_spread]`` (default ±10 %): the
  ``target`` of ``ratio_to_target`` and ``threshold``, the ``floor`` and ``target`` of
  ``linear`` (one factor: the ramp moves as a whole), the thresholds of ``bands`` (one factor:
  their order is kept). A moved parameter stays within the indicator's range (a percent target
  never passes 100 %); a zero target stays zero.

Not changed: yes/no criteria; parameters on counts and dates (“at least one initiative” is a
rule, not a degree); bonuses and deductions (fixed amounts per occurrence); classification
bands (they do not move a rank); the ranking order and its tie-breaks.

A draw is exactly what :func:`perturbed_level` describes as a plan; :func:`draw_ranks` computes
many draws at once with numpy broadcasting (the only Python loops run over criteria and blocks
of draws) and orders them with the plan's own ranking keys (:mod:`scoring.core.rules`), so ties break
as in a run. Interval ends are ranks a unit really took (numpy's ``inverted_cdf`` quantiles).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from criteria.model import Plan
from scoring.core.compile import (
    BANDS,
    COUNT_CAP,
    F64,
    LINEAR,
    POINTS,
    RATIO,
    THRESHOLD,
    YES_NO,
    BoolArr,
    CompiledLevel,
)
from scoring.core.engine import EPS, HALF_UP, NOT_APPLICABLE, ScoreResult, hundredths
from scoring.core.pipeline import LevelResult
from scoring.core.rules import I64, order_by_keys, rank, ranking_keys, unit_code_order

CONTINUOUS = ("percent", "number", "days")
PERTURBED_METHODS = (RATIO, THRESHOLD, LINEAR, BANDS)
ROWS_PER_BLOCK = 1 << 16  # draws × units scored at once: the temporaries stay a few MB
QUANTILES = (0.05, 0.5, 0.95)


@dataclass(frozen=True)
class Perturbation:
    """How many draws and how wide; ``seed`` makes the draws reproducible."""

    draws: int = 1000
    spread: float = 0.2
    param_spread: float = 0.1
    seed: int = 6

    def __post_init__(self) -> None:
        if self.draws < 1:
            raise ValueError("số lần rút thăm phải từ 1 trở lên")
        for name, value in (("spread", self.spread), ("param_spread", self.param_spread)):
            if not 0.0 <= value < 1.0:
                raise ValueError(f"{name} phải trong khoảng [0; 1)")


@dataclass(frozen=True)
class Draws:
    """The factors of every draw, and the range each criterion's moved parameters stay in."""

    weight: F64  # [draws × criteria] factor on the maximum points
    param: F64  # [draws × criteria] factor on the judgement parameters (1 where not moved)
    low: F64  # [criteria]
    high: F64  # [criteria]


@dataclass(frozen=True)
class RankIntervals:
    """Per unit (input order): the rank in its cluster as scored and over the draws."""

    nominal: I64
    median: I64
    p5: I64
    p95: I64
    share_first: F64  # share of draws in which the unit is first in its cluster
    cluster_size: I64


def _parameters(c: CompiledLevel, j: int) -> list[float]:
    if c.crit_method[j] == BANDS:
        return [float(t) for t in c.crit_bands[j][0]]
    if c.crit_method[j] == LINEAR:
        return [float(c.crit_floor[j]), float(c.crit_target[j])]
    return [float(c.crit_target[j])]


def draw_factors(plan: Plan, compiled: CompiledLevel, p: Perturbation) -> Draws:
    """Seeded uniform factors; parameters of criteria that are not judgement calls stay at 1."""
    kinds = {i.id: i for i in plan.indicators}
    k = compiled.n_criteria
    rng = np.random.default_rng(p.seed)
    weight = 1.0 + p.spread * rng.uniform(-1.0, 1.0, (p.draws, k))
    param = 1.0 + p.param_spread * rng.uniform(-1.0, 1.0, (p.draws, k))
    low, high = np.full(k, -np.inf), np.full(k, np.inf)
    for j, crit in enumerate(compiled.criteria):
        ind = kinds[crit.indicator]
        if ind.kind not in CONTINUOUS or compiled.crit_method[j] not in PERTURBED_METHODS:
            param[:, j] = 1.0
            continue
        own = _parameters(compiled, j)
        floor_of_kind = 0.0 if ind.kind in ("percent", "days") else -np.inf
        low[j] = min(*own, ind.min if ind.min is not None else floor_of_kind)
        top_of_kind = 100.0 if ind.kind == "percent" else np.inf
        high[j] = max(*own, min(top_of_kind, ind.max if ind.max is not None else np.inf))
    return Draws(weight, param, low, high)


def perturbed_level(compiled: CompiledLevel, draws: Draws, d: int) -> CompiledLevel:
    """Draw ``d`` as a compiled plan: what the engine would score if the plan said so."""
    w, g = draws.weight[d], draws.param[d]

    def moved(x: F64) -> F64:
        out: F64 = np.clip(x * g, draws.low, draws.high)
        return out

    bands = tuple(
        (np.clip(t * g[j], draws.low[j], draws.high[j]), pts * w[j])
        for j, (t, pts) in enumerate(compiled.crit_bands)
    )
    return replace(compiled, crit_max=compiled.crit_max * w, crit_each=compiled.crit_each * w,
                   crit_target=moved(compiled.crit_target), crit_floor=moved(compiled.crit_floor),
                   crit_bands=bands)


@dataclass(frozen=True)
class PreparedLevel:
    """What every block of draws reuses: columns, applicability, clusters, nominal extras."""

    compiled: CompiledLevel  # ranked within clusters, whatever the plan's scope
    values: F64
    applies: BoolArr  # [units × criteria]
    fixed: BoolArr  # [criteria] counted in every unit's maximum (as the engine sums them)
    groups: I64  # dense cluster index per unit
    n_groups: int
    code_order: I64
    bonus: F64
    deductions: F64


def prepare_level(compiled: CompiledLevel, values: F64, result: ScoreResult, clusters: I64,
                  code_order: I64) -> PreparedLevel:
    """Keep what every block of draws needs from the nominal scoring of ``values``."""
    applies: BoolArr = result.status != NOT_APPLICABLE
    fixed: BoolArr = ~compiled.crit_exclude_missing & applies.all(axis=0)
    if compiled.level.ranking_scope == "level":
        clusters = np.zeros(len(clusters), dtype=np.int64)
    uniques, groups = np.unique(clusters, return_inverse=True)
    as_cluster = replace(compiled, level=replace(compiled.level, ranking_scope="cluster"))
    return PreparedLevel(as_cluster, np.asarray(values, dtype=np.float64), applies, fixed,
                         groups.astype(np.int64).reshape(-1), len(uniques), code_order,
                         result.bonus, result.deductions)


def _fraction(c: CompiledLevel, j: int, v: F64, w: F64, g: F64, low: float, high: float) -> F64:
    """[draws × units] share of criterion ``j``'s maximum earned, as the engine computes it for
    the perturbed plan; ``w``, ``g``: [draws × 1] weight and parameter factors."""
    method, higher = c.crit_method[j], bool(c.crit_higher[j])
    out: F64
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == RATIO:
            t = np.clip(c.crit_target[j] * g, low, high)
            out = np.clip(v / t, 0.0, 1.0) if higher else t / np.maximum(v, t)
        elif method == THRESHOLD:
            t = np.clip(c.crit_target[j] * g, low, high)
            out = ((v >= t) if higher else (v <= t)).astype(np.float64)
        elif method == LINEAR:
            f = np.clip(c.crit_floor[j] * g, low, high)
            out = np.clip((v - f) / (np.clip(c.crit_target[j] * g, low, high) - f), 0.0, 1.0)
        elif method == YES_NO:
            out = ((v >= 0.5) if higher else (v < 0.5)).astype(np.float64)[None, :]
        elif method == COUNT_CAP:
            out = np.minimum(np.maximum(v, 0.0) * ((c.crit_each[j] * w) / (c.crit_max[j] * w)), 1.0)
            if not higher:
                out = 1.0 - out
        elif method == POINTS:  # a share of the maximum, whatever the weight
            out = np.clip(v / c.crit_max[j], 0.0, 1.0)[None, :]
        elif method == BANDS:
            thresholds, pts = c.crit_bands[j]
            count = np.zeros((len(g), len(v)), dtype=np.intp)
            for t in thresholds:
                moved = np.clip(t * g, low, high)
                count += (v >= moved) if higher else (v <= moved)
            table = np.concatenate((np.zeros((len(w), 1)), pts * w), axis=1) / (c.crit_max[j] * w)
            out = np.take_along_axis(table, count, axis=1)
        else:
            raise ValueError(f"unknown method code {method}")
    return out


def draw_ranks(lv: PreparedLevel, draws: Draws, start: int, stop: int) -> I64:
    """[draws × units] rank in cluster for draws ``start:stop``, every draw scored at once."""
    c, n, k = lv.compiled, lv.values.shape[0], lv.compiled.n_criteria
    w, g = draws.weight[start:stop], draws.param[start:stop]
    m = stop - start
    base, max_total = np.zeros((m, n)), np.zeros((m, n))
    mandatory_met = np.zeros((m, n), dtype=np.int64)
    keyed = {[x.id for x in c.criteria].index(key.removeprefix("criterion:"))
             for key in c.ranking_order if key.startswith("criterion:")}
    points_h = np.zeros((m * n, k if keyed else 0), dtype=np.int32)
    for j in range(k):
        v = lv.values[:, c.crit_col[j]]
        moves = bool((g[:, j] != 1.0).any())
        gj = g[:, j:j + 1] if moves else np.ones((1, 1))
        frac = _fraction(c, j, v, w[:, j:j + 1], gj, float(draws.low[j]), float(draws.high[j]))
        top = (c.crit_max[j] * w[:, j:j + 1]) * 100.0
        pts = np.broadcast_to(frac * top, (m, n)).copy()
        pts += HALF_UP
        np.floor(pts, out=pts)
        np.fmax(pts, 0.0, out=pts)
        missing = np.isnan(v)
        applies = lv.applies[:, j]
        if not lv.fixed[j]:
            pts *= applies
            counted = applies & ~missing if c.crit_exclude_missing[j] else applies
            max_total += counted * top
        if c.crit_mandatory[j] and "mandatory_met" in c.ranking_order:
            mandatory_met += (pts >= top - EPS) & (pts > 0.0) & ~missing & applies
        if j in keyed:
            points_h[:, j] = pts.reshape(-1)
        base += pts
    fixed_max = (c.crit_max[lv.fixed] * w[:, lv.fixed]).sum(axis=1) * 100.0
    max_total = (max_total + fixed_max[:, None]) / 100.0
    bonus, deductions = np.broadcast_to(lv.bonus, (m, n)), np.broadcast_to(lv.deductions, (m, n))
    final = hundredths(np.maximum(base / 100.0 + bonus - deductions, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        percent = np.where(max_total > 0, hundredths(final / max_total * 100.0), 0.0)
    rows = m * n
    empty = np.zeros((rows, 0))
    result = ScoreResult(  # only what the ranking keys read is filled in
        points_h, np.zeros((rows, 0), dtype=np.int8), c.crit_exclude_missing, (base / 100.0).reshape(-1),
        bonus.reshape(-1), deductions.reshape(-1), final.reshape(-1), max_total.reshape(-1),
        percent.reshape(-1), mandatory_met.reshape(-1), np.zeros(rows, dtype=bool),
        np.zeros(rows, dtype=np.int64), empty, empty)
    # One sort by (draw and cluster, the plan's keys, unit code): the order rules.rank gives
    # within each cluster. Every draw has the same cluster sizes, so each group's first
    # position in that order is known without a second pass.
    groups = (np.arange(m, dtype=np.int64)[:, None] * lv.n_groups + lv.groups[None, :]).reshape(-1)
    order = order_by_keys([groups, *ranking_keys(c, result)], np.tile(lv.code_order, m))
    sizes = np.tile(np.bincount(lv.groups, minlength=lv.n_groups), m)
    first = np.cumsum(sizes) - sizes
    ranks = np.empty(rows, dtype=np.int64)
    ranks[order] = np.arange(1, rows + 1, dtype=np.int64) - first[groups[order]]
    return ranks.reshape(m, n)


def _quantile(cum: npt.NDArray[np.int64], q: float, draws: int) -> I64:
    """Smallest rank r with share(rank ≤ r) ≥ q (numpy's ``inverted_cdf``), per unit."""
    need = max(1, math.ceil(q * draws - 1e-9))
    out: I64 = np.argmax(cum >= need, axis=1).astype(np.int64) + 1
    return out


def rank_intervals(compiled: CompiledLevel, values: F64, result: ScoreResult, clusters: I64,
                   code_order: I64, draws: Draws) -> RankIntervals:
    """Rank every unit under every draw; summarise each unit's ranks in its cluster.

    ``result`` is the engine's nominal result of ``values`` (it gives the applicability of each
    criterion, the bonuses and the deductions, which no draw changes).
    """
    lv = prepare_level(compiled, values, result, clusters, code_order)
    n, total = len(lv.groups), len(draws.weight)
    nominal = rank(lv.compiled, result, lv.groups, code_order)
    size = max(int(nominal.cluster_size.max()) if n else 1, 1)
    counts = np.zeros(n * size, dtype=np.int64)
    block = max(1, ROWS_PER_BLOCK // max(n, 1))
    cells = np.arange(n, dtype=np.int64) * size - 1  # histogram cell of rank 1 is unit × size
    for start in range(0, total, block):
        ranks = draw_ranks(lv, draws, start, min(start + block, total))
        counts += np.bincount((ranks + cells).reshape(-1), minlength=n * size)
    cum = np.cumsum(counts.reshape(n, size), axis=1)
    p5, median, p95 = (_quantile(cum, q, total) for q in QUANTILES)
    share = counts.reshape(n, size)[:, 0] / total
    return RankIntervals(nominal.rank_in_cluster, median, p5, p95, share, nominal.cluster_size)


def level_intervals(plan: Plan, scored: LevelResult, p: Perturbation) -> RankIntervals:
    """:func:`rank_intervals` of a scored level (a run's units, values and result)."""
    _, clusters = np.unique(np.array([u.cluster or "" for u in scored.units], dtype=str),
                            return_inverse=True)
    code_order = unit_code_order(np.array([u.code for u in scored.units], dtype=str))
    draws = draw_factors(plan, scored.compiled, p)
    return rank_intervals(scored.compiled, scored.values, scored.result,
                          clusters.astype(np.int64).reshape(-1), code_order, draws)


def robustness_records(scored: LevelResult, intervals: RankIntervals) -> list[dict[str, Any]]:
    """One row per unit, best nominal rank of the level first."""
    order = sorted(range(len(scored.units)), key=lambda i: int(scored.ranking.rank_overall[i]))
    return [{
        "unit_code": scored.units[i].code,
        "unit_name": scored.units[i].name,
        "cluster": scored.units[i].cluster,
        "cluster_size": int(intervals.cluster_size[i]),
        "rank_in_cluster": int(intervals.nominal[i]),
        "rank_median": int(intervals.median[i]),
        "rank_p5": int(intervals.p5[i]),
        "rank_p95": int(intervals.p95[i]),
        "share_first": round(float(intervals.share_first[i]), 4),
    } for i in order]
