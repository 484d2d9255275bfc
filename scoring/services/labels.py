"""Names for stored result rows: unit, cluster and band names people read."""

from __future__ import annotations

from typing import Any

from scoring.services.plan_store import load_plan_version
from scoring.tables import Cluster, Unit


async def label_results(run: dict[str, Any], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Copy of ``rows`` with ``unit_name``, ``cluster_name`` and ``band_name`` filled in."""
    plan = await load_plan_version(run["plan_version"])
    bands = {b.id: b.name for b in plan.bands_of(run["level"])}
    units = {
        u["code"]: u["name"]
        for u in await Unit.select(Unit.code, Unit.name).where(Unit.level == run["level"])
    }
    clusters = {c["code"]: c["name"] for c in await Cluster.select(Cluster.code, Cluster.name)}
    return [
        {
            **r,
            "unit_name": units.get(r["unit_code"], r["unit_code"]),
            "cluster_name": clusters.get(r.get("cluster") or ""),
            "band_name": bands.get(r["band"], r["band"]),
        }
        for r in rows
    ]
