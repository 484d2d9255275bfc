"""Names for stored result rows: unit, cluster and band names people read."""

from __future__ import annotations

from typing import Any

from scoring.core.units import Registry
from scoring.registry.store import load_registry_from_db
from scoring.services.plan_store import load_plan_version


async def label_results(run: dict[str, Any], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Copy of ``rows`` with ``unit_name``, ``cluster_name`` and ``band_name`` filled in."""
    plan = await load_plan_version(run["plan_version"])
    bands = {b.id: b.name for b in plan.bands_of(run["level"])}
    registry = await load_registry_from_db()  # kept by the worker: no query for the names
    return [
        {
            **r,
            "unit_name": registry.unit(code).name if registry.has(code := r["unit_code"]) else code,
            "cluster_name": _cluster_name(registry, r.get("cluster")),
            "band_name": bands.get(r["band"], r["band"]),
        }
        for r in rows
    ]


def _cluster_name(registry: Registry, code: str | None) -> str | None:
    try:
        return registry.cluster(code).name if code else None
    except KeyError:  # a cluster since removed from the registry
        return None
