"""A unit's results over the years, and the public ranking ordered by improvement.

One point per year: the published run of the unit's level (when a year has several periods,
the newest published one). The unit's own dashboard may add the newest run when it is not
yet published, drawn and labelled as provisional; the public pages never do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from presentation.numbers import percent_text, points_text
from presentation.words import RUN_PROVISIONAL
from scoring.services import periods as period_service
from scoring.services import runs as run_service
from scoring.services.plan_store import load_plan_version
from scoring.tables import UnitResult
from web.charts import Point, line_chart_svg
from web.templating import vn_number

PROVISIONAL_NOTE = "tạm thời"
SORTS = {"hang": "theo hạng", "cai-thien": "theo mức cải thiện"}


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


async def year_runs(level: str, provisional: bool = False) -> dict[int, dict[str, Any]]:
    """Year → the run shown for it: published runs, plus the newest unpublished one if asked."""
    periods = sorted(await period_service.list_periods(), key=lambda p: (p["year"], p["id"]))
    chosen: dict[int, dict[str, Any]] = {}
    newest: dict[str, Any] | None = None
    for period in periods:
        runs = await run_service.list_runs(period["id"], level)  # newest first
        published = next((r for r in runs if r["published"]), None)
        if published is not None:
            chosen[period["year"]] = published
        if runs:
            newest = published or runs[0]
    if provisional and newest is not None and not newest["published"] and newest["year"] not in chosen:
        chosen[newest["year"]] = newest
    return chosen


async def unit_years(code: str, level: str, provisional: bool = False) -> list[YearResult]:
    """The unit's total, band and ranks per year, oldest first (one query for all the years)."""
    runs = await year_runs(level, provisional)
    if not runs:
        return []
    by_id = {run["id"]: run for run in runs.values()}
    rows = await UnitResult.select(
        UnitResult.run, UnitResult.total_h, UnitResult.max_h, UnitResult.percent_h, UnitResult.band,
        UnitResult.rank_in_cluster, UnitResult.cluster_size, UnitResult.rank_overall,
    ).where(UnitResult.run.is_in(list(by_id)) & (UnitResult.unit_code == code))
    out = []
    for row in rows:
        run = by_id[int(row["run"])]
        plan = await load_plan_version(run["plan_version"])
        names = {b.id: b.name for b in plan.bands_of(level)}
        out.append(YearResult(
            year=run["year"], period_id=run["period_id"], run_id=run["id"], published=run["published"],
            total=row["total_h"] / 100, max=row["max_h"] / 100, percent=row["percent_h"] / 100,
            band=row["band"], band_name=names.get(row["band"], row["band"]),
            rank_in_cluster=row["rank_in_cluster"], cluster_size=row["cluster_size"],
            rank_overall=row["rank_overall"], n_units=run["n_units"],
        ))
    return sorted(out, key=lambda y: y.year)


def short_band(name: str) -> str:
    """ "Hoàn thành xuất sắc nhiệm vụ" → "HTXSNV", the usual written short form."""
    return "".join(word[0] for word in name.split()).upper()


def _sentence(y: YearResult) -> str:
    text = (f"Năm {y.year}: {points_text(y.total, y.max)} điểm ({percent_text(y.percent)}), "
            f"xếp loại {y.band_name}, hạng {y.rank_in_cluster}/{y.cluster_size} trong khối/cụm")
    return text if y.published else f"{text} ({RUN_PROVISIONAL})"


def trend_view(years: list[YearResult], unit_name: str, caption: str) -> dict[str, Any] | None:
    """What the trend partial shows: the chart and the same numbers as a table."""
    if not years:
        return None
    points = [
        Point(str(y.year), y.total, (f"hạng {y.rank_in_cluster}/{y.cluster_size}", short_band(y.band_name)
                                     + ("" if y.published else f" ({PROVISIONAL_NOTE})")),
              hollow=not y.published)
        for y in years
    ]
    bands = {short_band(y.band_name): y.band_name for y in years}
    title = f"Tổng điểm, xếp loại và hạng trong khối/cụm của {unit_name} qua các năm"
    desc = "; ".join(_sentence(y) for y in years) + "."
    svg = line_chart_svg(points, max(y.max for y in years), title, desc, "bieu-do-xu-huong")
    return {"svg": svg, "years": years, "caption": caption, "bands": sorted(bands.items()),
            "provisional": any(not y.published for y in years)}


# --- the ranking by improvement ----------------------------------------------------------------


async def previous_results(periods: list[dict[str, Any]], year: int,
                           level: str) -> tuple[int, list[dict[str, Any]]] | None:
    """The newest published results of ``level`` before ``year``: (its year, its rows)."""
    earlier = sorted((p for p in periods if p["year"] < year), key=lambda p: (p["year"], p["id"]),
                     reverse=True)
    for period in earlier:
        run = await run_service.published_run(period["id"], level)
        if run is not None:
            return period["year"], await run_service.run_results(run["id"])
    return None


def improvement(row: dict[str, Any], before: dict[str, Any] | None) -> dict[str, Any] | None:
    """Total minus last time's total; percentage points when the unit's maximum changed."""
    if before is None:
        return None
    same_scale = abs(row["max"] - before["max"]) < 0.005
    change = round(row["total"] - before["total"] if same_scale else row["percent"] - before["percent"], 2)
    sign = "+" if change > 0 else "−" if change < 0 else "±"
    unit = "điểm" if same_scale else "điểm %"
    return {"value": change, "text": f"{sign}{vn_number(abs(change))} {unit}"}


def improvement_order(row: dict[str, Any]) -> tuple[bool, float, int]:
    """Most improved first; units with nothing to compare last, in rank order."""
    change = row.get("improvement")
    return change is None, -change["value"] if change else 0.0, row["rank_in_cluster"]


async def add_improvements(levels: list[dict[str, Any]], periods: list[dict[str, Any]], year: int,
                           sort: str) -> None:
    """Give every ranked row its improvement; reorder each cluster when sorting by it."""
    for entry in levels:
        previous = await previous_results(periods, year, entry["level"])
        entry["previous_year"] = previous[0] if previous else None
        before = {r["unit_code"]: r for r in previous[1]} if previous else {}
        for cluster in entry["clusters"]:
            for row in cluster["rows"]:
                row["improvement"] = improvement(row, before.get(row["unit_code"]))
            if sort == "cai-thien":
                cluster["rows"].sort(key=improvement_order)
