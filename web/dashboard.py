"""A unit's score page, assembled: every point explained, beside its cluster's average.

The pure functions turn a stored breakdown (see :func:`scoring.core.report.unit_records`) into what
the page shows; :func:`load_dashboard` is the one loader that reads the database.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from criteria.model import Criterion, Plan
from presentation.numbers import percent_text
from presentation.words import RUN_PROVISIONAL, bonus_reason, criterion_reason, deduction_reason, goal_text
from scoring.core.robustness import Perturbation
from scoring.services import runs as run_service
from scoring.services import scenarios
from scoring.services.plan_store import load_plan_version
from scoring.services.predecessors import predecessor_results
from scoring.services.unit_years import PeriodRun, YearResult, unit_years
from scoring.services.units import unit_card
from storage.errors import ServiceError
from web import trends
from web.charts import Bar, group_bars_svg

TOP_GAINS = 5
ROBUSTNESS_DRAWS = 1000  # the robustness service's defaults: one cached computation per run
ROBUSTNESS_SPREAD = 0.2


def counts_in_maximum(c: dict[str, Any], rule: Criterion | None) -> bool:
    if c["status"] == "not_applicable":
        return False
    return not (c["value"] is None and rule is not None and rule.missing == "exclude")


def cluster_averages(breakdowns: list[dict[str, Any]]) -> dict[str, float]:
    """Average points per criterion over the units it applies to."""
    sums: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    for record in breakdowns:
        for c in record["criteria"]:
            if c["status"] != "not_applicable":
                sums[c["id"]] += c["points"] or 0
                counts[c["id"]] += 1
    return {cid: sums[cid] / counts[cid] for cid in counts}


def criteria_rows(record: dict[str, Any], plan: Plan, averages: dict[str, float]) -> list[dict[str, Any]]:
    rules = {c.id: c for c in plan.criteria}
    rows = []
    for c in record["criteria"]:
        rule = rules.get(c["id"])
        counted = counts_in_maximum(c, rule)
        rows.append(
            {
                **c,
                "reason": criterion_reason(c, rule),
                "counted": counted,
                "goal": goal_text(c, rule),
                "average": averages.get(c["id"]),
                "gap": (c["max_points"] or 0) - (c["points"] or 0) if counted else 0,
            }
        )
    return rows


def group_summaries(rows: list[dict[str, Any]], plan: Plan, level: str) -> list[dict[str, Any]]:
    """Points, maximum and cluster average per criteria group, in the plan's order."""
    out = []
    for group in plan.groups_of(level):
        members = [r for r in rows if r["group"] == group.id]
        if not members:
            continue
        counted = [r for r in members if r["counted"]]
        out.append(
            {
                "id": group.id,
                "name": group.name,
                "criteria": members,
                "points": sum(r["points"] or 0 for r in counted),
                "max_points": sum(r["max_points"] or 0 for r in counted),
                "average": sum(r["average"] or 0 for r in counted),
            }
        )
    return out


def chart_svg(groups: list[dict[str, Any]], unit_name: str, year: int) -> str:
    bars = [Bar(g["name"], g["points"], g["max_points"], g["average"]) for g in groups]
    return group_bars_svg(bars, f"Điểm theo nhóm tiêu chí của {unit_name}, năm {year}")


def points_to_gain(rows: list[dict[str, Any]], limit: int = TOP_GAINS) -> list[dict[str, Any]]:
    """The criteria with the most points still to gain, most first."""
    open_rows = [r for r in rows if r["gap"] > 0.0049]
    return sorted(open_rows, key=lambda r: (-r["gap"], r["name"]))[:limit]


def band_explanation(
    record: dict[str, Any], rows: list[dict[str, Any]], plan: Plan, level: str
) -> dict[str, Any] | None:
    """What the next band up asks for that the unit does not yet have (None at the top)."""
    bands = sorted(plan.bands_of(level), key=lambda b: b.min_percent)
    names = [b.id for b in bands]
    if record["band"] not in names or names.index(record["band"]) == len(bands) - 1:
        return None
    nxt = bands[names.index(record["band"]) + 1]
    needs = []
    if record["percent"] < nxt.min_percent:
        needs.append(
            f"tỷ lệ điểm từ {percent_text(nxt.min_percent)} trở lên (hiện {percent_text(record['percent'])})"
        )
    low = [
        r["name"]
        for r in rows
        if r["counted"]
        and r["max_points"]
        and (r["points"] or 0) / r["max_points"] < nxt.criterion_floor - 1e-9
    ]
    if low and nxt.criterion_floor > 0:
        needs.append(
            f"mỗi tiêu chí đạt ít nhất {percent_text(nxt.criterion_floor * 100)} số điểm của "
            f"tiêu chí (còn {len(low)} tiêu chí dưới mức này)"
        )
    if nxt.requires_mandatory and record.get("gate_failed"):
        needs.append("đạt đủ mọi tiêu chí bắt buộc")
    return {"band": nxt.name, "needs": needs, "low": low}


def trend(earlier: list[YearResult], current: dict[str, Any]) -> dict[str, Any] | None:
    """The change of the percentage since the newest earlier year (None without one)."""
    if not earlier:
        return None
    last = earlier[-1]
    change = round(current["percent"] - last.percent, 2)
    word = "tăng" if change > 0 else "giảm" if change < 0 else "không đổi"
    return {"year": last.year, "change": abs(change), "word": word}


# --- the loader -------------------------------------------------------------------------------


def pick_choice(choices: list[PeriodRun], period_id: int | None) -> PeriodRun | None:
    """The period asked for (the newest by default; None when there is no run at all)."""
    if not choices:
        return None
    chosen = next((c for c in choices if c["period"]["id"] == period_id), None) if period_id else choices[-1]
    if chosen is None:
        raise ServiceError("not_found", "Kỳ đánh giá này chưa có kết quả chấm điểm cho đơn vị.")
    return chosen


async def rank_interval(run_id: int, code: str, cluster_name: str | None) -> dict[str, Any] | None:
    """The unit's rank interval when the criteria weights move (None when the run cannot be
    reproduced in memory any more: the page then simply leaves the interval out)."""
    try:
        row = await scenarios.unit_robustness(run_id, code, ROBUSTNESS_DRAWS, ROBUSTNESS_SPREAD)
    except ServiceError:
        return None
    word = "khối" if (cluster_name or "").startswith("Khối") else "cụm"
    return {**row, "word": word, "draws": ROBUSTNESS_DRAWS, "spread_percent": ROBUSTNESS_SPREAD * 100,
            "param_spread_percent": Perturbation().param_spread * 100,
            "share_percent": row["share_first"] * 100}


async def load_dashboard(code: str, period_id: int | None) -> dict[str, Any]:
    """Everything the unit page shows for one period (the newest with a run by default)."""
    unit = await unit_card(code)
    level = unit["level"]
    over_years = await unit_years(code, level, provisional=True)
    choices = over_years.choices
    page: dict[str, Any] = {
        "unit": unit,
        "choices": list(reversed(choices)),
        "chosen": None,
        "provisional_text": RUN_PROVISIONAL,
        "predecessors": await predecessor_results(code),
    }
    chosen = pick_choice(choices, period_id)
    if chosen is None:
        return page
    period, run = chosen["period"], chosen["run"]
    page["chosen"], page["period"], page["run"] = chosen, period, run
    try:
        record = await run_service.unit_breakdown(run["id"], code)
    except ServiceError:
        page["record"] = None  # the unit did not compete in this run
        return page
    plan = await load_plan_version(run["plan_version"])
    averages = cluster_averages(await run_service.cluster_breakdowns(run["id"], record.get("cluster")))
    rows = criteria_rows(record, plan, averages)
    groups = group_summaries(rows, plan, level)
    earlier = [y for y in over_years.years if y.year < period["year"]]
    level_info = plan.level(level)
    bonus_rules = {b.id: b for b in plan.bonuses}
    deduction_rules = {d.id: d for d in plan.deductions}
    indicator_units = {i.id: i.unit for i in plan.indicators}
    units_of = {x.id: indicator_units.get(x.indicator, "") for x in plan.bonuses}
    units_of.update({x.id: indicator_units.get(x.indicator, "") for x in plan.deductions})
    page.update(
        record=record,
        rows=rows,
        groups=groups,
        chart=chart_svg(groups, unit["name"], period["year"]),
        gains=points_to_gain(rows),
        earlier_years=len(earlier),
        trends=trends.trend_view(over_years.years, unit["name"], f"Kết quả của {unit['name']} qua các năm"),
        trend=trend(earlier, record),
        interval=await rank_interval(run["id"], code, record.get("cluster_name")),
        next_band=band_explanation(record, rows, plan, level),
        bonus=[
            {**b, "reason": bonus_reason(b, bonus_rules.get(b["id"]), units_of.get(b["id"], ""))}
            for b in record["bonus_items"]
        ],
        deductions=[
            {**d, "reason": deduction_reason(d, deduction_rules.get(d["id"]), units_of.get(d["id"], ""))}
            for d in record["deduction_items"]
        ],
        level=level_info,
        plan={
            "id": plan.info.id,
            "version": plan.info.version,
            "sha256": plan.sha256,
            "version_id": run["plan_version"],
            "title": plan.info.title,
        },
    )
    return page
