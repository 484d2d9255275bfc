"""Staff changes to clusters (khối/cụm thi đua): create, rename, members, leader and deputy.

Like the unit changes, each is checked with the registry rules over the whole registry with
the change applied (members of the cluster's level; the leader and deputy — cụm trưởng, cụm
phó — two of its members), refused with the cluster and the reasons in Vietnamese with nothing
written, or written and audited (before → after) in one transaction.

Members, leader and deputy are kept twice: in the registry (each unit's ``cluster``, the
standing composition new periods copy) and per period (``period_id``: that period's copy, see
:mod:`scoring.services.period_clusters`; refused while the period or the level is locked).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from scoring.core.units import COMPETING_LEVELS, Cluster, Registry, Unit
from scoring.registry.store import load_registry_from_db, write_clusters, write_units
from scoring.services.period_clusters import registry_for_period, write_composition
from scoring.services.periods import lock_period_row, refuse_locked_level
from scoring.services.units_admin import clean_optional, clean_text, problems_with
from storage.audit import record
from storage.db import write_transaction
from storage.errors import ServiceError


def cluster_dict(cluster: Cluster, members: Iterable[str] = ()) -> dict[str, Any]:
    """A cluster as the audit log keeps it, with its member codes."""
    return {"code": cluster.code, "name": cluster.name, "level": cluster.level,
            "leader": cluster.leader, "deputy": cluster.deputy, "members": list(members)}


def _member_codes(registry: Registry, code: str) -> list[str]:
    return [u.code for u in registry.members(code)]


def _found(registry: Registry, code: str) -> Cluster:
    try:
        return registry.cluster(code)
    except KeyError:
        raise ServiceError("not_found", f"Không có khối/cụm thi đua mã «{code}».",
                           details={"cluster_code": code}) from None


def _check(registry: Registry, action: str, cluster: Cluster, units: Iterable[Unit] = ()) -> None:
    problems = problems_with(registry, units, [cluster])
    if problems:
        raise ServiceError(
            "invalid_input",
            f"Không thể {action} khối/cụm thi đua «{cluster.code}»: " + "; ".join(problems) + ".",
            details={"cluster_code": cluster.code, "problems": problems},
        )


async def create_cluster(actor: str, *, code: str, name: str, level: str) -> Cluster:
    code, name = clean_text(code), clean_text(name)
    if not code or not name:
        raise ServiceError("invalid_input", "Mã và tên khối/cụm thi đua không được để trống.",
                           details={"field": "code" if not code else "name"})
    if level not in COMPETING_LEVELS:
        raise ServiceError("invalid_input", f"Cấp '{level}' không hợp lệ cho khối/cụm thi đua.",
                           details={"field": "level"})
    cluster = Cluster(code, name, level)
    async with write_transaction():
        registry = await load_registry_from_db()
        if code in {c.code for c in registry.clusters}:
            raise ServiceError("conflict", f"Mã khối/cụm thi đua «{code}» đã có trong danh mục.",
                               details={"cluster_code": code, "field": "code"})
        _check(registry, "thêm", cluster)
        await write_clusters([cluster])
        await record(actor, "cluster.create", "cluster", code, after=cluster_dict(cluster))
    return cluster


async def rename_cluster(actor: str, code: str, name: str) -> Cluster:
    name = clean_text(name)
    if not name:
        raise ServiceError("invalid_input", "Tên khối/cụm thi đua không được để trống.",
                           details={"field": "name"})
    async with write_transaction():
        registry = await load_registry_from_db()
        before = _found(registry, code)
        after = dataclasses.replace(before, name=name)
        if after != before:
            await write_clusters([after])
            await record(actor, "cluster.rename", "cluster", code,
                         before=cluster_dict(before), after=cluster_dict(after))
    return after


async def _open(period_id: int | None, code: str) -> tuple[Registry, Cluster]:
    """Inside the caller's transaction: the registry (``None``) or the period's composition
    (its row held, refused while the period or the cluster's level is locked), and the cluster."""
    if period_id is None:
        registry = await load_registry_from_db()
        return registry, _found(registry, code)
    period = await lock_period_row(period_id)
    registry = await registry_for_period(period_id)
    cluster = _found(registry, code)
    if period["locked"]:
        raise ServiceError(
            "period_locked",
            f"Kỳ đánh giá năm {period['year']} đã khóa; không thể thay đổi khối/cụm thi đua của kỳ.")
    refuse_locked_level(period, cluster.level)
    return registry, cluster


async def _save(actor: str, what: str, period_id: int | None, registry: Registry,
                before: dict[str, Any], after: dict[str, Any], units: Iterable[Unit] = (),
                clusters: Iterable[Cluster] = ()) -> None:
    """Write the change to the registry or to the period's composition, and audit it
    (``cluster.<what>`` on the cluster, or ``period.cluster.<what>`` on the period)."""
    units, clusters = list(units), list(clusters)
    if period_id is None:
        if units:
            await write_units(units)
        if clusters:
            await write_clusters(clusters)
        await record(actor, f"cluster.{what}", "cluster", before["code"], before=before, after=after)
        return
    changed = Registry(registry.province_code, registry.province_name,
                       tuple(next((c for c in clusters if c.code == x.code), x) for x in registry.clusters),
                       tuple({u.code: u for u in units}.get(x.code, x) for x in registry.units))
    await write_composition(period_id, changed)
    await record(actor, f"period.cluster.{what}", "period", period_id, before=before, after=after)


async def set_members(actor: str, code: str, members: Iterable[str],
                      period_id: int | None = None) -> list[str]:
    """Make exactly ``members`` the cluster's units (in the registry, or in one period's
    composition); units left out leave the cluster, units taken from another cluster leave it."""
    wanted = list(dict.fromkeys(c for c in (clean_text(m) for m in members) if c))
    async with write_transaction():
        registry, cluster = await _open(period_id, code)
        unknown = [m for m in wanted if not registry.has(m)]
        if unknown:
            raise ServiceError(
                "invalid_input",
                f"Không thể đặt thành viên khối/cụm thi đua «{code}»: không có đơn vị mã "
                + ", ".join(f"«{m}»" for m in unknown) + ".",
                details={"cluster_code": code, "unit_codes": unknown, "field": "members"})
        before = _member_codes(registry, code)
        changed = [dataclasses.replace(registry.unit(m), cluster=code)
                   for m in wanted if m not in before]
        changed += [dataclasses.replace(registry.unit(m), cluster=None)
                    for m in before if m not in wanted]
        if not changed:
            return before
        _check(registry, "đặt thành viên", cluster, changed)
        after = [u.code for u in registry.units if u.code in set(wanted)]
        await _save(actor, "members", period_id, registry, cluster_dict(cluster, before),
                    cluster_dict(cluster, after), units=changed)
    return after


async def set_officers(actor: str, code: str, leader: str | None, deputy: str | None,
                       period_id: int | None = None) -> Cluster:
    """Name the leader (cụm trưởng) and deputy (cụm phó), in the registry or in one period's
    composition; both must be members, or empty."""
    async with write_transaction():
        registry, before = await _open(period_id, code)
        after = dataclasses.replace(before, leader=clean_optional(leader),
                                    deputy=clean_optional(deputy))
        if after == before:
            return before
        _check(registry, "đặt cụm trưởng, cụm phó của", after)
        members = _member_codes(registry, code)
        await _save(actor, "officers", period_id, registry, cluster_dict(before, members),
                    cluster_dict(after, members), clusters=[after])
    return after
