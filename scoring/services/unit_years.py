"""A unit's results over the years, in one load: for its dashboard, its trend chart, its public page.

Each period shows one run of a level: the published one if there is one, else the newest
(provisional). Each year shows one result: the published run of the year's newest period that
has one; a year with no published run shows its newest provisional result only when asked
(the unit's own dashboard), never on the public pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypedDict

from scoring.services import periods as period_service
from scoring.services import runs as run_service
from scoring.services.plan_store import load_plan_version
from scoring.tables import UnitResult


class PeriodRun(TypedDict):
    """A period and the run its page shows for one level."""

    period: dict[str, Any]
    run: dict[str, Any]


@dataclass(frozen=True)
class YearResult:
    year: int
    period_id: int
    run_id: int
    published: bool
    total: float
    max: float
    percent: float
    band: str
    band_name: str
    rank_in_cluster: int
    cluster_size: int
    rank_overall: int
    n_units: int


@dataclass(frozen=True)
class UnitYears:
    choices: list[PeriodRun]  # every period with a run of the level, oldest first
    years: list[YearResult]  # the unit's result per year, oldest first


async def period_runs(level: str) -> list[PeriodRun]:
    """Each period (oldest first) with the run its page shows for ``level``."""
    periods = sorted(await period_service.list_periods(), key=lambda p: (p["year"], p["id"]))
    runs: dict[int, list[dict[str, Any]]] = {}
    for run in await run_service.list_runs(level=level):  # newest first
        runs.setdefault(run["period_id"], []).append(run)
    out = []
    for period in periods:
        of_period = runs.get(period["id"], [])
        if of_period:
            shown = next((r for r in of_period if r["published"]), of_period[0])
            out.append(PeriodRun(period=period, run=shown))
    return out


def year_runs(choices: list[PeriodRun], provisional: bool) -> dict[int, dict[str, Any]]:
    """Year → the run shown for it (see the module docstring)."""
    published: dict[int, dict[str, Any]] = {}
    newest: dict[int, dict[str, Any]] = {}
    for choice in choices:  # oldest first: a later period of the same year wins
        year = choice["period"]["year"]
        newest[year] = choice["run"]
        if choice["run"]["published"]:
            published[year] = choice["run"]
    if not provisional:
        return published
    return {year: published.get(year, run) for year, run in sorted(newest.items())}


async def unit_years(code: str, level: str, provisional: bool = False) -> UnitYears:
    """The periods with a run of ``level``, and the unit's total, band and ranks per year
    (one query for all the years; a year the unit did not compete in is left out)."""
    choices = await period_runs(level)
    by_id = {run["id"]: run for run in year_runs(choices, provisional).values()}
    if not by_id:
        return UnitYears(choices, [])
    rows = await UnitResult.select(
        UnitResult.run, UnitResult.total_h, UnitResult.max_h, UnitResult.percent_h, UnitResult.band,
        UnitResult.rank_in_cluster, UnitResult.cluster_size, UnitResult.rank_overall,
    ).where(UnitResult.run.is_in(list(by_id)) & (UnitResult.unit_code == code))
    years = []
    for row in rows:
        run = by_id[int(row["run"])]
        plan = await load_plan_version(run["plan_version"])
        names = {b.id: b.name for b in plan.bands_of(level)}
        years.append(YearResult(
            year=run["year"], period_id=run["period_id"], run_id=run["id"], published=run["published"],
            total=row["total_h"] / 100, max=row["max_h"] / 100, percent=row["percent_h"] / 100,
            band=row["band"], band_name=names.get(row["band"], row["band"]),
            rank_in_cluster=row["rank_in_cluster"], cluster_size=row["cluster_size"],
            rank_overall=row["rank_overall"], n_units=run["n_units"],
        ))
    return UnitYears(choices, sorted(years, key=lambda y: y.year))
