"""The emulation plan as immutable data.

Every object here is a frozen dataclass built by :mod:`criteria.loader`; nothing in
this module reads files. See ``docs/plan-format.md`` for the meaning of each field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

INDICATOR_KINDS = ("percent", "number", "count", "yes_no", "days", "date", "points")
CRITERION_METHODS = (
    "ratio_to_target", "threshold", "linear", "bands", "yes_no", "count_cap", "points",
)
BONUS_METHODS = ("count_cap", "yes_no")
DEDUCTION_METHODS = ("per_occurrence", "per_day_late")
DIRECTIONS = ("higher", "lower")
MISSING_POLICIES = ("zero", "exclude")
RANKING_KEYS = (
    "percent",
    "final_total",
    "base_total",
    "bonus",
    "deductions",
    "mandatory_met",
)


@dataclass(frozen=True, slots=True)
class PlanInfo:
    id: str
    version: str
    title: str
    issuer: str
    source: str
    valid_from: date
    valid_to: date


@dataclass(frozen=True, slots=True)
class Level:
    id: str
    name: str
    subject: str
    unit_kinds: tuple[str, ...]
    max_points: float
    bonus_cap: float
    deduction_cap: float
    ranking_scope: str


@dataclass(frozen=True, slots=True)
class Indicator:
    id: str
    level: str
    name: str
    kind: str
    unit: str
    min: float | None = None
    max: float | None = None
    # The allowed values of a ``points`` indicator (its criterion's scale); empty: any in range.
    scale: tuple[float, ...] = ()


@dataclass(frozen=True, slots=True)
class Group:
    id: str
    level: str
    name: str


@dataclass(frozen=True, slots=True)
class Criterion:
    id: str
    level: str
    group: str
    name: str
    indicator: str
    direction: str
    method: str
    max_points: float
    mandatory: bool
    applies_to: tuple[str, ...]
    missing: str
    source: str
    target: float | None = None
    floor: float | None = None
    points_each: float | None = None
    bands: tuple[tuple[float, float], ...] = ()
    scale: tuple[float, ...] = ()  # ``points``: the allowed points, e.g. (0, 3, 5)


@dataclass(frozen=True, slots=True)
class Bonus:
    id: str
    level: str
    name: str
    indicator: str
    method: str
    max_points: float
    source: str
    points_each: float | None = None


@dataclass(frozen=True, slots=True)
class Deduction:
    id: str
    level: str
    name: str
    indicator: str
    method: str
    points_each: float
    max_points: float
    source: str
    grace_days: float = 0.0
    deadline: str | None = None  # "MM-DD" of the period's year


@dataclass(frozen=True, slots=True)
class Band:
    id: str
    level: str
    name: str
    min_percent: float
    criterion_floor: float
    requires_mandatory: bool


@dataclass(frozen=True, slots=True)
class Plan:
    info: PlanInfo
    levels: tuple[Level, ...]
    indicators: tuple[Indicator, ...]
    groups: tuple[Group, ...]
    criteria: tuple[Criterion, ...]
    bonuses: tuple[Bonus, ...]
    deductions: tuple[Deduction, ...]
    bands: tuple[Band, ...]
    ranking_order: tuple[str, ...]
    canonical_json: str = field(repr=False)
    sha256: str

    def level(self, level_id: str) -> Level:
        for lvl in self.levels:
            if lvl.id == level_id:
                return lvl
        raise KeyError(level_id)

    def indicators_of(self, level_id: str) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.level == level_id)

    def criteria_of(self, level_id: str) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if c.level == level_id)

    def groups_of(self, level_id: str) -> tuple[Group, ...]:
        return tuple(g for g in self.groups if g.level == level_id)

    def bonuses_of(self, level_id: str) -> tuple[Bonus, ...]:
        return tuple(b for b in self.bonuses if b.level == level_id)

    def deductions_of(self, level_id: str) -> tuple[Deduction, ...]:
        return tuple(d for d in self.deductions if d.level == level_id)

    def bands_of(self, level_id: str) -> tuple[Band, ...]:
        return tuple(b for b in self.bands if b.level == level_id)
