"""Synthetic but realistic indicator data for every competing unit of a plan.

Used for demonstrations, screenshots and end-to-end tests: the files written here are the
files a province would receive from its units, and read back through
:func:`scoring.intake.reader.read_indicator_files` to exactly the values generated.

Every unit has a latent capacity: a persistent part (strong, middling or weak) drawn from the
unit's code, plus a drift drawn once per (unit, period), plus the province-wide progress of
the movement (later years are better). Each value is placed around the target of the
criterion that uses its indicator, shifted by that capacity. All randomness comes from
``np.random.default_rng`` seeded with numbers only, so the same seed gives the same data on
every machine and every run.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from criteria.model import Indicator, Plan
from scoring.core.compile import applicability_mask, compile_level
from scoring.core.days import day_number
from scoring.core.pipeline import competing_units
from scoring.core.units import Registry, Unit, save_registry
from scoring.intake.template import write_long_csv, write_template

F64 = npt.NDArray[np.float64]
MISSING_SHARE = 0.03
LATE_SHARE = 0.15  # reports sent after the deadline, for a unit of middling capacity
BASE_YEAR = 2023  # progress is counted from here: +PROGRESS capacity per later year
PROGRESS = 0.35
# Share of a criterion's points a unit earns: ATTAIN_MEAN + ATTAIN_SLOPE × capacity + noise.
ATTAIN_MEAN, ATTAIN_SLOPE, ATTAIN_NOISE = 0.92, 0.10, 0.07
YES_FROM = 0.84  # a yes/no criterion is met from this attainment on (about 85 % of units)
BAND_AIM = 0.05  # units aim at the thresholds of a banded criterion, not between them
BONUS_RATE = 0.1  # expected bonus count, as a share of what earns a bonus item's maximum
# (share of units, mean, spread) of the persistent capacity: strong, middling, weak units.
TIERS = ((0.15, 1.4, 0.3), (0.7, 0.0, 0.45), (0.15, -1.3, 0.4))
# How the long-form files are named; levels not listed here are written as "<level>.csv".
FILE_NAMES = {
    "agency": "co-quan-cap-tinh.xlsx",
    "district": "cap-huyen.xlsx",
    "commune": "cap-xa.csv",
    "individual": "ca-nhan.csv",
}


@dataclass(frozen=True)
class _Profile:
    """What a good value of an indicator looks like, read from the plan items that use it."""

    kind: str
    role: str  # "criterion", "bonus", "deduction" or "other"
    method: str = ""
    higher: bool = True
    full: float = 1.0  # the value that earns full points
    zero: float = 0.0  # the value that earns nothing, or a low one (sets the spread)
    deadline: str | None = None  # "MM-DD" of a per_day_late deduction on a date indicator
    optional: bool = True  # a blank cell costs nothing (bonus, "exclude" criterion, …)


def _profile(plan: Plan, ind: Indicator) -> _Profile:
    crit = next((c for c in plan.criteria if c.indicator == ind.id), None)
    if crit is not None:
        target = crit.target if crit.target is not None else 1.0
        if crit.method == "count_cap":
            full, zero = crit.max_points / (crit.points_each or 1.0), 0.0
        elif crit.method == "bands":
            first, full = crit.bands[0][0], crit.bands[-1][0]
            zero = first - (full - first) / 2
        elif crit.method == "linear":
            full, zero = target, crit.floor if crit.floor is not None else 0.0
        elif crit.direction == "lower":  # threshold or ratio, e.g. "no violation at all"
            full, zero = target, max(target * 1.5, 1.0)
        else:
            full, zero = target, 0.0
        optional = crit.missing == "exclude"
        return _Profile(ind.kind, "criterion", crit.method, crit.direction == "higher", full, zero,
                        optional=optional)  # fmt: skip
    bonus = next((b for b in plan.bonuses if b.indicator == ind.id), None)
    if bonus is not None:
        full = bonus.max_points / bonus.points_each if bonus.points_each else 1.0
        return _Profile(ind.kind, "bonus", bonus.method, True, full)
    ded = next((d for d in plan.deductions if d.indicator == ind.id), None)
    if ded is not None:
        return _Profile(ind.kind, "deduction", ded.method, False, 0.0, 1.0, ded.deadline, False)
    return _Profile(ind.kind, "other")


def _criterion_values(prof: _Profile, s: F64, rng: np.random.Generator) -> F64:
    """Values that earn about the share ``s`` of a criterion's points (more above 1)."""
    n = len(s)
    if prof.kind == "yes_no":
        yes = s >= YES_FROM + rng.normal(0.0, 0.02, n)
        return np.where(yes if prof.higher else ~yes, 1.0, 0.0)
    span = prof.full - prof.zero
    value = prof.zero + (s + (BAND_AIM if prof.method == "bands" else 0.0)) * span
    if prof.kind == "number":  # indices (e.g. service quality) spread wider, well past the target
        value = prof.full + (s - 0.9) * span * 4
    if prof.kind != "count":
        return np.asarray(value, dtype=np.float64)
    if prof.method == "count_cap":
        return np.asarray(np.round(np.maximum(value + rng.normal(0.0, 0.5, n), 0.0)), dtype=np.float64)
    if prof.higher:
        return rng.poisson(np.maximum(value, 0.0)).astype(np.float64)
    # fewer is better (overdue files, violations): rare for units that do well
    lam = np.maximum((prof.zero - prof.full) * (1.0 - s) * 0.5, 0.02)
    return prof.full + rng.poisson(lam).astype(np.float64)


def _values(prof: _Profile, ind: Indicator, cap: F64, period: int, rng: np.random.Generator) -> F64:
    """One indicator's values for all units, given each unit's capacity ``cap``."""
    n = len(cap)
    out: npt.NDArray[np.float64 | np.int64]
    if prof.role == "criterion":
        # a yes/no criterion is met or not by the whole unit: weak units are the ones failing
        noise = 0.0 if prof.kind == "yes_no" else rng.normal(0.0, ATTAIN_NOISE, n)
        s = ATTAIN_MEAN + ATTAIN_SLOPE * cap + noise
        out = _criterion_values(prof, s, rng)
    elif prof.kind == "date":
        month, day = (int(x) for x in (prof.deadline or "12-15").split("-"))
        deadline = day_number(date(period, month, day))
        late = rng.random(n) < np.clip(LATE_SHARE * np.exp(-0.6 * cap), 0.0, 0.7)
        out = deadline + np.where(late, rng.integers(1, 11, n), -rng.integers(0, 8, n))
    elif prof.kind == "days":
        late = rng.random(n) < np.clip(0.2 * np.exp(-0.6 * cap), 0.0, 0.8)
        out = np.where(late, rng.integers(1, 11, n), 0)
    elif prof.kind == "yes_no":  # a bonus for going beyond the plan: the strong units
        out = np.where(rng.random(n) < _sigmoid(cap - 1.2), 1.0, 0.0)
    elif prof.kind == "count":
        if prof.role == "bonus":  # initiatives, awards, sponsors: a few units, mostly strong
            out = rng.poisson(BONUS_RATE * prof.full * np.exp(0.6 * cap))
        else:  # late monthly reports and the like
            out = rng.poisson(0.5 * np.exp(-0.8 * cap))
    else:
        out = 80.0 + 10.0 * cap + rng.normal(0.0, 5.0, n)
    result = np.asarray(out, dtype=np.float64)
    if prof.kind in ("percent", "number"):
        result = np.round(np.clip(result, 0.0, 100.0) if prof.kind == "percent" else result, 1)
    low = -np.inf if ind.min is None else ind.min
    high = np.inf if ind.max is None else ind.max
    return np.clip(result, low if prof.kind == "date" else max(low, 0.0), high) + 0.0


def _sigmoid(x: F64) -> F64:
    return np.asarray(1.0 / (1.0 + np.exp(-x)), dtype=np.float64)


def _capacity(units: Sequence[Unit], seed: int, level_index: int) -> F64:
    """The persistent part of each unit's capacity, drawn from its code (stable over periods)."""
    shares = np.cumsum([t[0] for t in TIERS])
    out = np.empty(len(units))
    for i, unit in enumerate(units):
        rng = np.random.default_rng([seed, level_index, zlib.crc32(unit.code.encode("utf-8"))])
        tier = TIERS[min(int(np.searchsorted(shares, rng.random())), len(TIERS) - 1)]
        out[i] = rng.normal(tier[1], tier[2])
    return out


def _missing_chance(
    plan: Plan,
    level: str,
    period: int,
    units: Sequence[Unit],
    profiles: Sequence[_Profile],
    capacity: F64,
) -> F64:
    """[units × indicators] chance that a cell is left blank, MISSING_SHARE on average.

    Units mostly leave blank what costs them nothing: bonuses they did not earn, criteria
    that do not apply to them. A blank that scores zero is rare and comes from weak units.
    """
    compiled = compile_level(plan, level, period)
    applies = applicability_mask(compiled, [u.kind for u in units], [u.tags for u in units])
    costly = np.zeros((len(units), len(profiles)), dtype=bool)
    for c, col in enumerate(compiled.crit_col):
        if not compiled.crit_exclude_missing[c]:
            costly[:, col] |= applies[:, c]
    weight = np.where([p.optional for p in profiles], 3.0, 1.0)[None, :] * np.ones_like(costly, float)
    weight = np.where(costly, 0.2 * np.exp(-capacity)[:, None], weight)
    if weight.size == 0:
        return weight
    return np.asarray(np.minimum(MISSING_SHARE * weight / weight.mean(), 0.5), dtype=np.float64)


def _level_values(plan: Plan, registry: Registry, period: int, seed: int, level_index: int) -> pd.DataFrame:
    level = plan.levels[level_index].id
    units = competing_units(registry, plan, level, period)
    indicators = plan.indicators_of(level)
    n, k = len(units), len(indicators)
    rng = np.random.default_rng([seed, period, level_index])
    capacity = (
        _capacity(units, seed, level_index)
        + rng.normal(0.0, 0.3, n)  # this period's drift
        + PROGRESS * (period - BASE_YEAR)
    )
    profiles = [_profile(plan, ind) for ind in indicators]
    values = np.empty((n, k))
    for j, (ind, prof) in enumerate(zip(indicators, profiles, strict=True)):
        values[:, j] = _values(prof, ind, capacity, period, rng)
    present = rng.random((n, k)) >= _missing_chance(plan, level, period, units, profiles, capacity)
    empty_rows = ~present.any(axis=1)
    present[empty_rows, rng.integers(0, max(k, 1), int(empty_rows.sum()))] = True
    rows, cols = np.nonzero(present)
    return pd.DataFrame(
        {
            "unit_code": pd.Series([units[r].code for r in rows], dtype=str),
            "indicator": pd.Series([indicators[c].id for c in cols], dtype=str),
            "value": pd.Series(values[rows, cols], dtype="float64"),
        }
    )


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["unit_code", "indicator"], kind="stable", ignore_index=True)


def demo_values(plan: Plan, registry: Registry, period: int, seed: int = 2024) -> pd.DataFrame:
    """Long-form values (unit_code, indicator, value) of every competing unit of every level."""
    frames = [_level_values(plan, registry, period, seed, i) for i in range(len(plan.levels))]
    return _sorted(pd.concat(frames, ignore_index=True))


def _normalise_xlsx(path: Path, stamp: str) -> None:
    """Fix the timestamps openpyxl puts in an XLSX (zip entries, document properties).

    Without this, writing the same workbook twice gives different bytes.
    """
    with zipfile.ZipFile(path) as src:
        entries = [(info.filename, src.read(info)) for info in src.infolist()]
    pattern = re.compile(rb"(<dcterms:(?:created|modified)\b[^>]*>)[^<]*")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in entries:
            if name == "docProps/core.xml":
                data = pattern.sub(lambda m: m.group(1) + stamp.encode("ascii"), data)
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            dst.writestr(info, data)


def write_demo(
    out_dir: Path,
    plan: Plan,
    registry: Registry,
    periods: Sequence[int] = (2023, 2024),
    seed: int = 2024,
) -> list[Path]:
    """Write ``units.json`` and, per period, one data file per level; return the paths.

    Levels named in :data:`FILE_NAMES` with an ``.xlsx`` name get the wide entry template
    filled in; the others a long CSV. A level with no competing unit in a period is skipped.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [out_dir / "units.json"]
    save_registry(registry, written[0])
    for period in periods:
        folder = out_dir / str(period)
        folder.mkdir(exist_ok=True)
        for index, level in enumerate(plan.levels):
            units = competing_units(registry, plan, level.id, period)
            if not units:
                continue
            frame = _sorted(_level_values(plan, registry, period, seed, index))
            path = folder / FILE_NAMES.get(level.id, f"{level.id}.csv")
            if path.suffix == ".xlsx":
                write_template(plan, level.id, units, path, values=frame)
                _normalise_xlsx(path, f"{period}-12-31T00:00:00Z")
            else:
                write_long_csv(frame, period, path, plan=plan)
            written.append(path)
    return written
