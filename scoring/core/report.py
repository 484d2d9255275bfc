"""Turn a scored level into plain records: the JSON/CSV results and a unit's breakdown.

Explainability is data: every criterion row carries value, target, points, maximum and a
status code; the words for the codes and the reason sentences live in :mod:`presentation.words`.
"""

from __future__ import annotations

import math
from typing import Any

from criteria.model import Criterion, Indicator, Plan
from presentation.times import date_text
from scoring.core.days import day_of
from scoring.core.engine import STATUS_NAMES
from scoring.core.pipeline import LevelResult
from scoring.core.units import Registry


def plain_number(x: float) -> float | int | None:
    """JSON-friendly number: None for NaN, int when whole, else rounded to hundredths."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    x = round(float(x), 2)
    return int(x) if x.is_integer() else x


def shown_value(value: float, indicator: Indicator) -> float | int | str | None:
    """A value as users read it: dates as dd/mm/yyyy, yes/no as Có/Không."""
    if math.isnan(value):
        return None
    if indicator.kind == "date":
        return date_text(day_of(value))
    if indicator.kind == "yes_no":
        return "Có" if value >= 0.5 else "Không"
    return plain_number(value)


def criterion_target(c: Criterion) -> float | int | str | None:
    """What a unit must reach for full points, in the indicator's terms."""
    if c.method == "yes_no":
        return "Có" if c.direction == "higher" else "Không"
    if c.method == "bands" and c.bands:
        return plain_number(c.bands[-1][0])
    if c.method == "count_cap" and c.points_each:
        return plain_number(math.ceil(c.max_points / c.points_each - 1e-9))
    return None if c.target is None else plain_number(c.target)


def unit_records(plan: Plan, registry: Registry, scored: LevelResult) -> list[dict[str, Any]]:
    """One record per unit in the documented JSON shape, best rank first."""
    c = scored.compiled
    r = scored.result
    rk = scored.ranking
    indicators = {i.id: i for i in plan.indicators}
    points = r.points
    records: list[dict[str, Any]] = []
    for i in sorted(range(len(scored.units)), key=lambda i: int(rk.rank_overall[i])):
        unit = scored.units[i]
        cluster = registry.cluster(unit.cluster) if unit.cluster else None
        band = c.bands[int(r.band[i])]
        criteria = []
        for j, crit in enumerate(c.criteria):
            ind = indicators[crit.indicator]
            criteria.append({
                "id": crit.id,
                "group": crit.group,
                "name": crit.name,
                "value": shown_value(scored.values[i, c.crit_col[j]], ind),
                "unit": ind.unit,
                "target": criterion_target(crit),
                "points": plain_number(points[i, j]),
                "max_points": plain_number(crit.max_points),
                "status": STATUS_NAMES[int(r.status[i, j])],
                "mandatory": crit.mandatory,
            })
        records.append({
            "unit_code": unit.code,
            "unit_name": unit.name,
            "level": c.level.id,
            "cluster": unit.cluster,
            "cluster_name": cluster.name if cluster else None,
            "total": plain_number(r.final_total[i]),
            "max": plain_number(r.max_total[i]),
            "percent": plain_number(r.percent[i]),
            "band": band.id,
            "band_name": band.name,
            "rank_in_cluster": int(rk.rank_in_cluster[i]),
            "cluster_size": int(rk.cluster_size[i]),
            "rank_overall": int(rk.rank_overall[i]),
            "base_total": plain_number(r.base_total[i]),
            "bonus": plain_number(r.bonus[i]),
            "deductions": plain_number(r.deductions[i]),
            "gate_failed": bool(r.gate_failed[i]),
            "criteria": criteria,
            "bonus_items": [
                {"id": b.id, "name": b.name,
                 "value": shown_value(scored.values[i, c.bonus_col[k]], indicators[b.indicator]),
                 "points": plain_number(r.bonus_items[i, k]), "max_points": plain_number(b.max_points)}
                for k, b in enumerate(c.bonuses)
            ],
            "deduction_items": [
                {"id": d.id, "name": d.name,
                 "value": shown_value(scored.values[i, c.ded_col[k]], indicators[d.indicator]),
                 "points": plain_number(r.deduction_items[i, k]), "max_points": plain_number(d.max_points)}
                for k, d in enumerate(c.deductions)
            ],
        })
    return records


def results_document(
    plan: Plan, period: int, data_sha256: str, records: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "plan": {"id": plan.info.id, "version": plan.info.version, "sha256": plan.sha256},
        "period": period,
        "data_sha256": data_sha256,
        "results": records,
    }
