"""The published results of a unit's predecessors: what each former unit achieved, year by year."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scoring.core.units import Registry
from scoring.registry.lineage import predecessors
from scoring.registry.store import load_registry_from_db
from scoring.services.plan_store import load_plan_version
from scoring.tables import UnitResult
from storage.errors import ServiceError

_COLUMNS = (
    UnitResult.unit_code, UnitResult.cluster, UnitResult.total_h, UnitResult.max_h,
    UnitResult.percent_h, UnitResult.band, UnitResult.rank_in_cluster, UnitResult.cluster_size,
    UnitResult.run.as_alias("run_id"), UnitResult.run.year.as_alias("year"),
    UnitResult.run.level.as_alias("level"), UnitResult.run.period.as_alias("period_id"),
    UnitResult.run.plan_version.as_alias("plan_version"),
)  # fmt: skip


async def _published(codes: list[str]) -> list[dict[str, Any]]:
    if not codes:
        return []
    rows: list[dict[str, Any]] = await UnitResult.select(*_COLUMNS).where(
        UnitResult.unit_code.is_in(codes) & (UnitResult.run.published == True)  # noqa: E712
    )
    return rows


async def _result(row: Mapping[str, Any], registry: Registry) -> dict[str, Any]:
    plan = await load_plan_version(int(row["plan_version"]))
    band = next((b for b in plan.bands_of(row["level"]) if b.id == row["band"]), None)
    cluster = row["cluster"]
    return {
        "year": int(row["year"]), "level": row["level"], "level_name": plan.level(row["level"]).name,
        "plan_id": plan.info.id, "period_id": int(row["period_id"]), "run_id": int(row["run_id"]),
        "total": row["total_h"] / 100, "max": row["max_h"] / 100, "percent": row["percent_h"] / 100,
        "band": row["band"], "band_name": band.name if band is not None else row["band"],
        "rank_in_cluster": int(row["rank_in_cluster"]), "cluster_size": int(row["cluster_size"]),
        "cluster": cluster, "cluster_name": _cluster_name(registry, cluster),
    }


def _cluster_name(registry: Registry, code: str | None) -> str:
    try:
        return registry.cluster(code).name if code else ""
    except KeyError:  # a cluster since removed from the registry
        return ""


async def predecessor_results(unit_code: str) -> list[dict[str, Any]]:
    """Each predecessor of the unit (transitively, nearest first) with its published results,
    oldest year first: total, band, rank in its cluster and the cluster."""
    registry = await load_registry_from_db()
    if not registry.has(unit_code):
        raise ServiceError("not_found", f"Không có đơn vị mã «{unit_code}» trong danh mục.")
    found = predecessors(registry, unit_code)
    by_unit: dict[str, list[dict[str, Any]]] = {p.unit.code: [] for p in found}
    for row in await _published(list(by_unit)):
        by_unit[row["unit_code"]].append(await _result(row, registry))
    out = []
    for p in found:
        results = sorted(by_unit[p.unit.code], key=lambda r: (r["year"], r["level"], r["run_id"]))
        out.append({
            "unit_code": p.unit.code, "unit_name": p.unit.name, "kind": p.unit.kind,
            "valid_from": p.unit.valid_from, "valid_to": p.unit.valid_to,
            "successor": p.successor, "depth": p.depth, "results": results,
        })
    return out
