"""The scoring engine: a pure, vectorised function of (compiled level, values, mask).

No loop runs over units: every step is a numpy operation over all units at once; the only
Python loops run over criteria, bonus items, deductions and bands (tens, not millions).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from scoring.core.compile import (
    BANDS,
    COUNT_CAP,
    F64,
    I8,
    LINEAR,
    POINTS,
    RATIO,
    THRESHOLD,
    YES_NO,
    BoolArr,
    CompiledLevel,
)

MET, PARTIAL, NOT_MET, MISSING, NOT_APPLICABLE, GATE_FAILED = range(6)
STATUS_NAMES = ("met", "partial", "not_met", "missing", "not_applicable", "gate_failed")
EPS = 1e-9


@dataclass(frozen=True)
class ScoreResult:
    """Everything the engine computed, one row per unit (in input order)."""

    points_h: npt.NDArray[np.int32]  # [units × criteria] in hundredths of a point
    status: I8  # [units × criteria], codes of STATUS_NAMES
    exclude_missing: BoolArr  # [criteria] missing data leaves the maximum (plan policy)
    base_total: F64
    bonus: F64
    deductions: F64
    final_total: F64
    max_total: F64  # sum of the maxima of the criteria that apply
    percent: F64
    mandatory_met: npt.NDArray[np.int64]
    gate_failed: BoolArr
    band: npt.NDArray[np.int64]  # index into CompiledLevel.bands
    bonus_items: F64  # [units × bonus items], before the level's cap
    deduction_items: F64  # [units × deduction items], before the level's cap

    @property
    def points(self) -> F64:
        """[units × criteria] points, 0 where the criterion does not apply."""
        return self.points_h / 100.0

    @property
    def applicable(self) -> BoolArr:
        """[units × criteria] True where the criterion counts in the unit's maximum."""
        counted: BoolArr = self.status != NOT_APPLICABLE
        counted &= ~((self.status == MISSING) & self.exclude_missing)
        return counted


HALF_UP = 0.5 + 1e-9  # halves round up, as Excel's ROUND does; the 1e-9 absorbs binary error


def hundredths(x: F64) -> F64:
    """Round to 0.01 point (half up), the precision the plan scores and stores in."""
    out: F64 = np.floor(x * 100.0 + HALF_UP) / 100.0
    return out


BLOCK = 131072  # rows per block: the temporaries of one block stay in the CPU cache


@dataclass
class _RowTotals:
    """Per-unit accumulators filled block by block (points in hundredths)."""

    base: F64
    max_total: F64  # only the criteria whose maximum depends on the unit
    worst_share: F64  # lowest points/max over the applicable criteria (band floors)
    gate_failed: BoolArr
    mandatory_met: npt.NDArray[np.int64]


def score(compiled: CompiledLevel, values: F64, mask: BoolArr | None = None) -> ScoreResult:
    """Score every unit. ``values``: [units × indicators] with NaN for missing data."""
    values = np.asfortranarray(values, dtype=np.float64)
    n = values.shape[0]
    k = compiled.n_criteria
    if values.shape[1] != len(compiled.indicator_ids):
        raise ValueError("values must have one column per indicator of the level")
    if mask is not None and mask.shape != (n, k):
        raise ValueError("mask must be [units × criteria]")
    points_h = np.empty((n, k), dtype=np.int32, order="F")
    status = np.empty((n, k), dtype=np.int8, order="F")
    totals = _RowTotals(np.zeros(n), np.zeros(n), np.full(n, np.inf), np.zeros(n, dtype=bool),
                        np.zeros(n, dtype=np.int64))
    # Criteria that count in every unit's maximum: they apply to all and never drop out.
    fixed = ~compiled.crit_exclude_missing
    if mask is not None:
        fixed &= mask.all(axis=0)
    for a in range(0, n, BLOCK):
        b = min(a + BLOCK, n)
        _score_block(compiled, values[a:b], None if mask is None else mask[a:b],
                     points_h[a:b], status[a:b], a, totals, fixed)
    base = totals.base / 100.0
    max_total = (totals.max_total + float(compiled.crit_max[fixed].sum()) * 100.0) / 100.0
    bonus_items = _bonus(compiled, values, n)
    deduction_items = _deductions(compiled, values, n)
    bonus = hundredths(np.minimum(bonus_items.sum(axis=1), compiled.level.bonus_cap))
    deductions = hundredths(np.minimum(deduction_items.sum(axis=1), compiled.level.deduction_cap))
    final = hundredths(np.maximum(base + bonus - deductions, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        percent = np.where(max_total > 0, hundredths(final / max_total * 100.0), 0.0)
    band = _classify(compiled, totals.worst_share, percent, totals.gate_failed)
    return ScoreResult(points_h, status, compiled.crit_exclude_missing.copy(), base, bonus,
                       deductions, final, max_total, percent, totals.mandatory_met,
                       totals.gate_failed, band, bonus_items, deduction_items)


def _score_block(
    c: CompiledLevel, values: F64, mask: BoolArr | None, points_h: npt.NDArray[np.int32],
    status: I8, offset: int, totals: _RowTotals, fixed: BoolArr,
) -> None:
    """Fill the output rows of one block of units, criterion by criterion.

    Points are computed as whole hundredths so sums are exact. Each step is one
    branch-free pass over the block: this loop is the engine's hot path.
    """
    rows = slice(offset, offset + values.shape[0])
    base, max_total, worst = totals.base[rows], totals.max_total[rows], totals.worst_share[rows]
    gate, mandatory_met = totals.gate_failed[rows], totals.mandatory_met[rows]
    for j in range(c.n_criteria):
        v = values[:, c.crit_col[j]]
        top = float(c.crit_max[j]) * 100.0
        pts = _fraction(c, j, v)
        pts *= top
        pts += HALF_UP
        np.floor(pts, out=pts)  # whole hundredths, halves up
        np.fmax(pts, 0.0, out=pts)  # missing data (NaN) → 0 points
        missing = np.isnan(v)
        st = (pts < top - EPS).view(np.int8) + (pts <= 0.0).view(np.int8)
        st += missing.view(np.int8)  # 0 met, 1 partial, 2 not met, 3 missing
        counted: BoolArr | None = None
        if not fixed[j]:
            counted = ~missing if c.crit_exclude_missing[j] else np.ones(len(v), dtype=bool)
            if mask is not None:
                applies = mask[:, j]
                pts *= applies
                np.copyto(st, np.int8(NOT_APPLICABLE), where=~applies)
                counted &= applies
        if c.crit_mandatory[j]:
            not_met = (st >= PARTIAL) & (st <= MISSING)
            np.copyto(st, np.int8(GATE_FAILED), where=not_met)
            gate |= not_met
            mandatory_met += st == MET
        points_h[:, j] = pts
        status[:, j] = st
        base += pts
        share = pts * (1.0 / top)
        if counted is not None:
            max_total += counted * top
            share[~counted] = np.inf
        np.fmin(worst, share, out=worst)


def _fraction(c: CompiledLevel, j: int, v: F64) -> F64:
    """Share of the criterion's maximum earned, in [0, 1]; NaN or 0 where v is NaN."""
    method = c.crit_method[j]
    higher = bool(c.crit_higher[j])
    target = float(c.crit_target[j])
    out: F64
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == RATIO:
            out = np.clip(v / target, 0.0, 1.0) if higher else target / np.maximum(v, target)
        elif method == THRESHOLD:
            out = ((v >= target) if higher else (v <= target)).astype(np.float64)
        elif method == LINEAR:
            floor = float(c.crit_floor[j])
            out = np.clip((v - floor) / (target - floor), 0.0, 1.0)
        elif method == YES_NO:
            out = ((v >= 0.5) if higher else (v < 0.5)).astype(np.float64)
        elif method == COUNT_CAP:
            out = np.minimum(np.maximum(v, 0.0) * (c.crit_each[j] / c.crit_max[j]), 1.0)
            if not higher:
                out = 1.0 - out
        elif method == POINTS:  # the points entered (checked against the scale when read)
            out = np.clip(v / c.crit_max[j], 0.0, 1.0)
        elif method == BANDS:
            thresholds, pts = c.crit_bands[j]
            count = np.zeros(len(v), dtype=np.intp)
            for t in thresholds:  # a handful of thresholds, each one pass over the block
                count += (v >= t) if higher else (v <= t)
            table = np.concatenate(([0.0], pts)) / c.crit_max[j]
            out = table.take(count)
        else:
            raise ValueError(f"unknown method code {method}")
    return out


def _bonus(c: CompiledLevel, values: F64, n: int) -> F64:
    """[units × bonus items] points earned per item, before the level's cap."""
    items = np.zeros((n, len(c.bonuses)), order="F")
    for b in range(len(c.bonuses)):
        v = np.nan_to_num(values[:, c.bonus_col[b]], nan=0.0)
        if c.bonus_is_count[b]:
            items[:, b] = np.minimum(np.maximum(v, 0.0) * c.bonus_each[b], c.bonus_max[b])
        else:
            items[:, b] = np.where(v >= 0.5, c.bonus_max[b], 0.0)
    return hundredths(items)


def _deductions(c: CompiledLevel, values: F64, n: int) -> F64:
    """[units × deduction items] points taken per item, before the level's cap."""
    items = np.zeros((n, len(c.deductions)), order="F")
    for d in range(len(c.deductions)):
        v = values[:, c.ded_col[d]]
        if c.ded_is_late[d]:
            amount = np.ceil(np.maximum(v - c.ded_offset[d], 0.0) - EPS)  # whole days late
        else:
            amount = np.maximum(v, 0.0)
        items[:, d] = np.nan_to_num(np.minimum(amount * c.ded_each[d], c.ded_max[d]), nan=0.0)
    return hundredths(items)


def _classify(
    c: CompiledLevel, worst_share: F64, percent: F64, gate_failed: BoolArr
) -> npt.NDArray[np.int64]:
    """Index of the best band whose total, per-criterion floor and gate the unit meets."""
    band = np.full(len(percent), len(c.bands) - 1, dtype=np.int64)
    for b in range(len(c.bands) - 1, -1, -1):
        ok = (percent >= c.band_min_percent[b] - EPS) & (worst_share >= c.band_floor[b] - EPS)
        if c.band_requires_mandatory[b]:
            ok &= ~gate_failed
        band[ok] = b
    return band
