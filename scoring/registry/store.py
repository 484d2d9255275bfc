"""The unit registry in the database: save (upsert) a :class:`Registry`, load it back.

Units are never deleted here: a unit that left the registry keeps its row, so runs and
values that name it still resolve (history survives mergers through ``successors``).
"""

from __future__ import annotations

from typing import Any

from scoring.core.units import Cluster, Registry, Unit
from scoring.tables import Cluster as ClusterRow
from scoring.tables import Unit as UnitRow
from storage.audit import record
from storage.cache import TTLCache
from storage.db import bulk_write, in_write_transaction, write_transaction
from storage.errors import ServiceError
from storage.reads import once_per_read
from storage.tables import KeyValue
from storage.versions import REGISTRY, read_version

PROVINCE_CODE_KEY = "registry.province_code"
PROVINCE_NAME_KEY = "registry.province_name"
_CLUSTER_COLUMNS = ("code", "name", "level", "leader", "deputy")
_UNIT_COLUMNS = ("code", "name", "kind", "level", "parent", "cluster", "valid_from", "valid_to",
                 "tags", "sex", "successors")


def _joined(values: tuple[str, ...], code: str, field: str) -> str:
    bad = [v for v in values if "," in v]
    if bad:
        raise ServiceError(
            "invalid_input",
            f"Đơn vị '{code}': giá trị '{bad[0]}' ở trường '{field}' không được chứa dấu phẩy.",
            details={"unit_code": code, "field": field},
        )
    return ",".join(values)


def _unit_row(u: Unit) -> dict[str, Any]:
    return {
        "code": u.code, "name": u.name, "kind": u.kind, "level": u.level, "parent": u.parent,
        "cluster": u.cluster, "valid_from": u.valid_from, "valid_to": u.valid_to,
        "tags": _joined(u.tags, u.code, "tags"), "sex": u.sex,
        "successors": _joined(u.successors, u.code, "successors"),
    }


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(part for part in (text or "").split(",") if part)


async def _upsert(table: Any, rows: list[dict[str, Any]], columns: tuple[str, ...]) -> None:
    """Insert or update rows by ``code`` (inside the caller's transaction)."""
    await bulk_write(table, columns, [[row[c] for c in columns] for row in rows],
                     conflict="code", update=[c for c in columns if c != "code"])


async def _set_key(key: str, value: str) -> None:
    await KeyValue.insert(KeyValue(key=key, value=value)).on_conflict(
        target=KeyValue.key, action="DO UPDATE", values=[KeyValue.value])


def _changes(wanted: list[dict[str, Any]], stored: dict[str, dict[str, Any]],
             columns: tuple[str, ...]) -> tuple[list[dict[str, Any]], int, int]:
    """Rows to write, and how many of them are new and changed."""
    out: list[dict[str, Any]] = []
    new = changed = 0
    for row in wanted:
        old = stored.get(row["code"])
        if old is None:
            new += 1
        elif any(old[c] != row[c] for c in columns):
            changed += 1
        else:
            continue
        out.append(row)
    return out, new, changed


async def save_registry(registry: Registry, actor: str) -> dict[str, int]:
    """Upsert the province, its clusters and units in one transaction; returns the counts."""
    cluster_cols = _CLUSTER_COLUMNS
    clusters = [_cluster_row(c) for c in registry.clusters]
    units = [_unit_row(u) for u in registry.units]
    async with write_transaction():
        old_clusters = {r["code"]: r for r in await ClusterRow.select(
            *(getattr(ClusterRow, c) for c in cluster_cols))}
        old_units = {r["code"]: r for r in await UnitRow.select(
            *(getattr(UnitRow, c) for c in _UNIT_COLUMNS))}
        for row in old_units.values():
            row["tags"], row["successors"] = row["tags"] or "", row["successors"] or ""
        cluster_rows, clusters_new, clusters_changed = _changes(clusters, old_clusters, cluster_cols)
        unit_rows, units_new, units_changed = _changes(units, old_units, _UNIT_COLUMNS)
        await _upsert(ClusterRow, cluster_rows, cluster_cols)
        await _upsert(UnitRow, unit_rows, _UNIT_COLUMNS)
        await _set_key(PROVINCE_CODE_KEY, registry.province_code)
        await _set_key(PROVINCE_NAME_KEY, registry.province_name)
        wanted = {u["code"] for u in units}
        counts = {
            "clusters": len(clusters), "clusters_new": clusters_new,
            "clusters_changed": clusters_changed,
            "units": len(units), "units_new": units_new, "units_changed": units_changed,
            "units_kept_outside": sum(1 for code in old_units if code not in wanted),
        }
        await record(actor, "registry.save", "registry", registry.province_code, after={
            "province_code": registry.province_code, "province_name": registry.province_name,
            **counts,
        })
    return counts


def _cluster_row(c: Cluster) -> dict[str, Any]:
    return {"code": c.code, "name": c.name, "level": c.level, "leader": c.leader,
            "deputy": c.deputy}


async def write_clusters(clusters: list[Cluster]) -> None:
    """Insert or update these clusters by code; the caller holds the transaction and audits."""
    await _upsert(ClusterRow, [_cluster_row(c) for c in clusters], _CLUSTER_COLUMNS)


async def write_units(units: list[Unit]) -> None:
    """Insert or update these units by code; the caller holds the transaction and audits."""
    await _upsert(UnitRow, [_unit_row(u) for u in units], _UNIT_COLUMNS)


def _unit_of(r: dict[str, Any]) -> Unit:
    return Unit(r["code"], r["name"], r["kind"], r["level"], r["parent"], r["cluster"],
                r["valid_from"], r["valid_to"], _split(r["tags"]), r["sex"], _split(r["successors"]))


async def load_unit(code: str) -> Unit:
    """One stored unit, as :func:`load_registry_from_db` would give it."""
    row = await UnitRow.select(*(getattr(UnitRow, c) for c in _UNIT_COLUMNS)).where(
        UnitRow.code == code).first()
    if row is None:
        raise ServiceError("not_found", f"Không có đơn vị mã «{code}».")
    return _unit_of(row)


@once_per_read
async def load_registry_from_db() -> Registry:
    """The stored registry, clusters and units in the order they were first saved.

    Every change of the registry moves the registry version (:mod:`storage.versions`), so the
    registry this worker last built is reused as long as that version, read in the same read,
    has not moved: one small query instead of every unit."""
    if in_write_transaction():  # what it reads may yet roll back
        return await _read_registry()
    stamp = await read_version(REGISTRY)
    kept = _kept.get(stamp)
    if isinstance(kept, Registry):
        return kept
    registry = await _read_registry()
    _kept.put(stamp, registry)
    return registry


_kept: TTLCache[str, Registry] = TTLCache(maxsize=1, ttl=None)  # registry version → registry


async def _read_registry() -> Registry:
    keys = {r["key"]: r["value"] for r in await KeyValue.select(KeyValue.key, KeyValue.value).where(
        KeyValue.key.is_in([PROVINCE_CODE_KEY, PROVINCE_NAME_KEY]))}
    if PROVINCE_CODE_KEY not in keys or PROVINCE_NAME_KEY not in keys:
        raise ServiceError(
            "not_found",
            "Chưa có danh mục đơn vị trong cơ sở dữ liệu; hãy nạp danh mục đơn vị trước.",
        )
    cluster_rows = await ClusterRow.select(
        *(getattr(ClusterRow, c) for c in _CLUSTER_COLUMNS)).order_by(ClusterRow._meta.primary_key)
    unit_rows = await UnitRow.select(
        *(getattr(UnitRow, c) for c in _UNIT_COLUMNS)).order_by(UnitRow._meta.primary_key)
    clusters = tuple(Cluster(r["code"], r["name"], r["level"], r["leader"], r["deputy"])
                     for r in cluster_rows)
    units = tuple(_unit_of(r) for r in unit_rows)
    try:
        return Registry(keys[PROVINCE_CODE_KEY], keys[PROVINCE_NAME_KEY], clusters, units)
    except ValueError as exc:
        raise ServiceError("conflict", str(exc)) from None
