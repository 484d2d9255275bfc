"""Compile one level of a plan into flat numpy arrays the engine can broadcast over."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from criteria.model import Band, Bonus, Criterion, Deduction, Level, Plan
from scoring.core.days import day_number

F64 = npt.NDArray[np.float64]
I8 = npt.NDArray[np.int8]
BoolArr = npt.NDArray[np.bool_]

RATIO, THRESHOLD, LINEAR, BANDS, YES_NO, COUNT_CAP, POINTS = range(7)
METHOD_CODES = {
    "ratio_to_target": RATIO, "threshold": THRESHOLD, "linear": LINEAR,
    "bands": BANDS, "yes_no": YES_NO, "count_cap": COUNT_CAP, "points": POINTS,
}
PER_OCCURRENCE, PER_DAY_LATE = 0, 1


@dataclass(frozen=True)
class CompiledLevel:
    """The arrays of one level; column ``j`` of the value matrix is ``indicator_ids[j]``."""

    plan_id: str
    plan_sha256: str
    period: int
    level: Level
    indicator_ids: tuple[str, ...]
    criteria: tuple[Criterion, ...]
    crit_col: npt.NDArray[np.intp]
    crit_method: I8
    crit_higher: BoolArr
    crit_target: F64
    crit_floor: F64
    crit_each: F64
    crit_max: F64
    crit_mandatory: BoolArr
    crit_exclude_missing: BoolArr
    crit_bands: tuple[tuple[F64, F64], ...]  # per criterion; empty arrays unless method is bands
    bonuses: tuple[Bonus, ...]
    bonus_col: npt.NDArray[np.intp]
    bonus_is_count: BoolArr
    bonus_each: F64
    bonus_max: F64
    deductions: tuple[Deduction, ...]
    ded_col: npt.NDArray[np.intp]
    ded_each: F64
    ded_max: F64
    ded_offset: F64  # days subtracted from the value: deadline day number plus grace days
    ded_is_late: BoolArr
    bands: tuple[Band, ...]
    band_min_percent: F64
    band_floor: F64
    band_requires_mandatory: BoolArr
    ranking_order: tuple[str, ...]

    @property
    def n_criteria(self) -> int:
        return len(self.criteria)


def compile_level(plan: Plan, level_id: str, period: int) -> CompiledLevel:
    """Turn the level's criteria into arrays; ``period`` resolves report deadlines."""
    level = plan.level(level_id)
    indicator_ids = tuple(i.id for i in plan.indicators_of(level_id))
    col = {ind: j for j, ind in enumerate(indicator_ids)}
    crits = plan.criteria_of(level_id)
    bonuses = plan.bonuses_of(level_id)
    deds = plan.deductions_of(level_id)
    bands = plan.bands_of(level_id)

    def arr(values: Sequence[float | None]) -> F64:
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64)

    return CompiledLevel(
        plan_id=plan.info.id,
        plan_sha256=plan.sha256,
        period=period,
        level=level,
        indicator_ids=indicator_ids,
        criteria=crits,
        crit_col=np.array([col[c.indicator] for c in crits], dtype=np.intp),
        crit_method=np.array([METHOD_CODES[c.method] for c in crits], dtype=np.int8),
        crit_higher=np.array([c.direction == "higher" for c in crits], dtype=bool),
        crit_target=arr([c.target for c in crits]),
        crit_floor=arr([c.floor for c in crits]),
        crit_each=arr([c.points_each for c in crits]),
        crit_max=arr([c.max_points for c in crits]),
        crit_mandatory=np.array([c.mandatory for c in crits], dtype=bool),
        crit_exclude_missing=np.array([c.missing == "exclude" for c in crits], dtype=bool),
        crit_bands=tuple(
            (arr([t for t, _ in c.bands]), arr([p for _, p in c.bands])) for c in crits
        ),
        bonuses=bonuses,
        bonus_col=np.array([col[b.indicator] for b in bonuses], dtype=np.intp),
        bonus_is_count=np.array([b.method == "count_cap" for b in bonuses], dtype=bool),
        bonus_each=arr([b.points_each or 0.0 for b in bonuses]),
        bonus_max=arr([b.max_points for b in bonuses]),
        deductions=deds,
        ded_col=np.array([col[d.indicator] for d in deds], dtype=np.intp),
        ded_each=arr([d.points_each for d in deds]),
        ded_max=arr([d.max_points for d in deds]),
        ded_offset=arr([_deadline_day(d, period) + d.grace_days for d in deds]),
        ded_is_late=np.array([d.method == "per_day_late" for d in deds], dtype=bool),
        bands=bands,
        band_min_percent=arr([b.min_percent for b in bands]),
        band_floor=arr([b.criterion_floor for b in bands]),
        band_requires_mandatory=np.array([b.requires_mandatory for b in bands], dtype=bool),
        ranking_order=plan.ranking_order,
    )


def _deadline_day(deduction: Deduction, period: int) -> float:
    """Day number (days since 1970-01-01) of the deadline in the period's year, else 0."""
    if deduction.method != "per_day_late" or not deduction.deadline:
        return 0.0
    month, day = (int(x) for x in deduction.deadline.split("-"))
    return day_number(date(period, month, day))


def applicability_mask(
    compiled: CompiledLevel, kinds: Sequence[str], tags: Sequence[Sequence[str]]
) -> BoolArr:
    """[units × criteria] True where a criterion applies to the unit.

    Computed once per distinct (kind, tags) profile, then broadcast to the units, so the
    cost does not grow with a Python loop over units.
    """
    n = len(kinds)
    profiles = [k + "|" + ",".join(sorted(t)) for k, t in zip(kinds, tags, strict=True)]
    uniques, inverse = np.unique(np.array(profiles, dtype=object), return_inverse=True)
    table = np.ones((len(uniques), compiled.n_criteria), dtype=bool)
    for p, profile in enumerate(uniques):
        kind, _, tag_text = str(profile).partition("|")
        unit_tags = {"tag:" + t for t in tag_text.split(",") if t}
        for j, crit in enumerate(compiled.criteria):
            if crit.applies_to:
                table[p, j] = any(
                    entry in unit_tags
                    or (not entry.startswith("tag:") and (kind == entry or kind.startswith(entry + ".")))
                    for entry in crit.applies_to
                )
    return table[inverse.reshape(n)] if n else np.ones((0, compiled.n_criteria), dtype=bool)
