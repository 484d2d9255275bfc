"""Clusters per period: a period keeps the composition it opened with, its own changes stay in it,
and its runs rank units within its own clusters."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from open_province import open_year

from criteria.model import Plan
from scoring.core.units import Registry
from scoring.registry.store import load_registry_from_db
from scoring.services.clusters_admin import set_members, set_officers
from scoring.services.period_clusters import copy_from_registry, registry_for_period
from scoring.services.periods import set_level_locked
from scoring.services.runs import run_results, start_run
from scoring.tables import PeriodCluster
from storage.audit import verify
from storage.errors import ServiceError
from storage.tables import AuditEntry

pytestmark = pytest.mark.db


@pytest.fixture
async def commune_period(clean_db: str, tmp_path: Path) -> tuple[int, Plan, Registry]:
    return await open_year(tmp_path)


def _two_clusters(registry: Registry) -> tuple[str, str]:
    communes = [c.code for c in registry.clusters if c.level == "commune" and registry.members(c.code)]
    return communes[0], communes[1]


async def test_a_period_keeps_its_own_composition(commune_period: tuple[int, Plan, Registry]) -> None:
    period_id, _, registry = commune_period
    first, second = _two_clusters(registry)
    moved = registry.members(second)[0].code
    leader = registry.members(first)[0].code

    # The period's change: one commune moves from the second cluster to the first, with a leader.
    members = [u.code for u in registry.members(first)] + [moved]
    await set_members("staff", first, members, period_id=period_id)
    await set_officers("staff", first, leader, moved, period_id=period_id)

    seen = await registry_for_period(period_id)
    assert seen.unit(moved).cluster == first
    assert moved not in [u.code for u in seen.members(second)]
    assert (seen.cluster(first).leader, seen.cluster(first).deputy) == (leader, moved)
    # ... and the registry, which the next period copies, is as it was.
    standing = await load_registry_from_db()
    assert standing.unit(moved).cluster == second and standing.cluster(first).leader is None

    # The period's runs rank within the period's clusters.
    run = await start_run(period_id, "commune", "admin")
    rows = {r["unit_code"]: r for r in await run_results(run["id"])}
    assert rows[moved]["cluster"] == first
    assert rows[moved]["cluster_size"] == len(members)
    assert sorted(r["rank_in_cluster"] for r in rows.values() if r["cluster"] == first) == list(
        range(1, len(members) + 1))

    entries = await AuditEntry.select(AuditEntry.action, AuditEntry.entity_id, AuditEntry.after).where(
        AuditEntry.action.like("period.cluster.%")).order_by(AuditEntry.seq)
    assert [e["action"] for e in entries] == ["period.cluster.members", "period.cluster.officers"]
    assert entries[0]["entity_id"] == str(period_id)
    assert moved in json.loads(str(entries[0]["after"]))["members"]
    assert (await verify()).ok


async def test_a_locked_level_refuses_and_copy_starts_again(
    commune_period: tuple[int, Plan, Registry],
) -> None:
    period_id, _, registry = commune_period
    first, second = _two_clusters(registry)
    moved = registry.members(second)[0].code
    await set_members("staff", first, [u.code for u in registry.members(first)] + [moved],
                      period_id=period_id)
    stored = await PeriodCluster.count()

    await set_level_locked(period_id, "commune", True, "staff", "đang thẩm định")
    with pytest.raises(ServiceError) as locked:
        await set_officers("staff", first, moved, None, period_id=period_id)
    assert locked.value.code == "period_locked" and "đã khóa" in locked.value.message
    with pytest.raises(ServiceError) as copying:
        await copy_from_registry(period_id, "staff")
    assert copying.value.code == "period_locked"
    assert (await registry_for_period(period_id)).unit(moved).cluster == first

    await set_level_locked(period_id, "commune", False, "staff", "mở lại để sửa")
    assert await copy_from_registry(period_id, "staff") == len(registry.clusters)
    assert (await registry_for_period(period_id)).unit(moved).cluster == second
    assert await PeriodCluster.count() == stored


async def test_unknown_or_foreign_members_are_refused_and_nothing_changes(
    commune_period: tuple[int, Plan, Registry],
) -> None:
    period_id, _, registry = commune_period
    first, _ = _two_clusters(registry)
    agency = next(u.code for u in registry.units if u.level == "agency")
    for members, word in (([agency], f"'{agency}'"), (["KHONG-CO"], "«KHONG-CO»")):
        with pytest.raises(ServiceError) as caught:
            await set_members("staff", first, members, period_id=period_id)
        assert word in caught.value.message
    assert [u.code for u in (await registry_for_period(period_id)).members(first)] == [
        u.code for u in registry.members(first)]
    assert await AuditEntry.count().where(AuditEntry.action.like("period.cluster.%")) == 0
