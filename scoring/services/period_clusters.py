"""Clusters per period: each period keeps its own composition of the clusters (khối/cụm thi
đua) — which units are members that year, and their leader and deputy (cụm trưởng, cụm phó).

The registry's clusters are the catalogue (code, name, level) and the standing composition.
A period takes a copy of that composition when it opens; staff then change the period's copy
alone, so re-drawing the clusters for next year leaves the years already scored as they were.
A run ranks units within the clusters of its own period. A period with no copy (opened before
clusters were kept per period) follows the registry.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from scoring.core.units import Registry
from scoring.registry.store import load_registry_from_db
from scoring.tables import PeriodCluster
from storage.audit import record
from storage.db import write_transaction
from storage.errors import ServiceError


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(part for part in (text or "").split(",") if part)


def with_composition(registry: Registry, rows: list[dict[str, Any]]) -> Registry:
    """The registry with the period's members, leaders and deputies in place of its own.

    A cluster of the catalogue that the period's copy does not name has no members that year.
    """
    if not rows:
        return registry
    stored = {r["code"]: r for r in rows}
    member_of: dict[str, str] = {}
    for row in rows:
        for code in _split(row["members"]):
            if registry.has(code) and registry.cluster(row["code"]).level == registry.unit(code).level:
                member_of.setdefault(code, row["code"])
    clusters = tuple(
        dataclasses.replace(c, leader=stored[c.code]["leader"], deputy=stored[c.code]["deputy"])
        if c.code in stored else dataclasses.replace(c, leader=None, deputy=None)
        for c in registry.clusters)
    units = tuple(dataclasses.replace(u, cluster=member_of.get(u.code)) for u in registry.units)
    return Registry(registry.province_code, registry.province_name, clusters, units)


async def composition_rows(period_id: int) -> list[dict[str, Any]]:
    return list(await PeriodCluster.select(
        PeriodCluster.code, PeriodCluster.leader, PeriodCluster.deputy, PeriodCluster.members,
    ).where(PeriodCluster.period == period_id).order_by(PeriodCluster._meta.primary_key))


async def has_composition(period_id: int) -> bool:
    return bool(await PeriodCluster.exists().where(PeriodCluster.period == period_id))


async def registry_for_period(period_id: int) -> Registry:
    """The registry as the period sees it: its clusters' members, leaders and deputies."""
    registry = await load_registry_from_db()
    return with_composition(registry, await composition_rows(period_id))


def composition_of(registry: Registry) -> list[dict[str, Any]]:
    """Every cluster's composition in ``registry``, as the period's copy stores it."""
    return [{"code": c.code, "leader": c.leader, "deputy": c.deputy,
             "members": [u.code for u in registry.members(c.code)]} for c in registry.clusters]


async def write_composition(period_id: int, registry: Registry) -> None:
    """Replace the period's copy with ``registry``'s composition; the caller holds the
    transaction and audits."""
    await PeriodCluster.delete().where(PeriodCluster.period == period_id)
    rows = [PeriodCluster(key=f"{period_id}|{c['code']}", period=period_id, code=c["code"],
                          leader=c["leader"], deputy=c["deputy"], members=",".join(c["members"]))
            for c in composition_of(registry)]
    if rows:
        await PeriodCluster.insert(*rows)


async def copy_from_registry(period_id: int, actor: str) -> int:
    """Start the period's composition again from the registry's current one (staff asked);
    refused while the period is locked; audited with the composition before and after.
    Returns the number of clusters."""
    from scoring.services.periods import get_period, lock_period_row

    period = await get_period(period_id)
    registry = await load_registry_from_db()
    async with write_transaction():
        if (await lock_period_row(period_id))["locked"] or period["locked_levels"]:
            raise ServiceError(
                "period_locked",
                f"Kỳ đánh giá năm {period['year']} đang khóa (cả kỳ hoặc một cấp); không thể "
                "chép lại khối/cụm thi đua từ danh mục. Hãy mở lại kỳ trước.")
        before = await composition_rows(period_id)
        await write_composition(period_id, registry)
        await record(actor, "period.clusters.copy", "period", period_id,
                     before={"clusters": [_audit_row(r) for r in before]},
                     after={"clusters": composition_of(registry)})
    return len(registry.clusters)


def _audit_row(row: dict[str, Any]) -> dict[str, Any]:
    return {"code": row["code"], "leader": row["leader"], "deputy": row["deputy"],
            "members": list(_split(row["members"]))}
