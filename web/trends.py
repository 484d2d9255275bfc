"""A unit's results over the years as a chart and a table, and the public ranking ordered by
improvement.

Which run each year shows (published only on the public pages; the unit's own dashboard adds
provisional years, drawn hollow) is decided by :mod:`scoring.services.unit_years`.
"""

from __future__ import annotations

from typing import Any

from presentation.numbers import percent_text, points_text
from presentation.words import RUN_PROVISIONAL
from scoring.services import runs as run_service
from scoring.services.unit_years import YearResult
from web.charts import Point, line_chart_svg
from web.templating import vn_number

PROVISIONAL_NOTE = "tạm thời"
SORTS = {"hang": "theo hạng", "cai-thien": "theo mức cải thiện"}


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
