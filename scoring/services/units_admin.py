"""Staff changes to the unit registry, one unit at a time: create, edit, close, merge.

Every change is checked with the registry rules (:func:`registry_problems`) over the whole
registry with the change applied; a refused change writes nothing and names the unit and the
reasons in Vietnamese. An accepted change is written and audited (before → after) in one
transaction. Units are never deleted: closing sets ``valid_to``, merging also names the target
as the closed units' successor, so history survives.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Iterable
from datetime import date
from typing import Any

from presentation.times import date_text
from scoring.core.units import KIND_LEVELS, Cluster, Registry, Unit, registry_problems
from scoring.registry.store import load_registry_from_db, write_units
from storage.audit import record
from storage.db import write_transaction
from storage.errors import ServiceError


def unit_dict(unit: Unit) -> dict[str, Any]:
    """A unit as the audit log keeps it (dates as ISO text, lists for tuples)."""
    out: dict[str, Any] = {}
    for key in Unit.__dataclass_fields__:
        value = getattr(unit, key)
        out[key] = value.isoformat() if isinstance(value, date) else (
            list(value) if isinstance(value, tuple) else value)
    return out


def clean_text(value: str | None) -> str:
    return unicodedata.normalize("NFC", (value or "").strip())


def clean_optional(value: str | None) -> str | None:
    return clean_text(value) or None


def clean_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Tags as typed (blank ones dropped, each trimmed), in order, without repeats."""
    return tuple(dict.fromkeys(t for t in (clean_text(t) for t in tags) if t))


def _level_of(kind: str, code: str) -> str:
    level = KIND_LEVELS.get(kind)
    if level is None:
        raise ServiceError(
            "invalid_input", f"Đơn vị «{code}»: loại đơn vị '{kind}' không hợp lệ.",
            details={"unit_code": code, "field": "kind"})
    return level


def _refuse(action: str, codes: list[str], problems: list[str]) -> ServiceError:
    named = ", ".join(f"«{c}»" for c in codes)
    return ServiceError(
        "invalid_input",
        f"Không thể {action} đơn vị {named}: " + "; ".join(problems) + ".",
        details={"unit_codes": codes, "problems": problems},
    )


def applied(registry: Registry, units: Iterable[Unit] = (),
            clusters: Iterable[Cluster] = ()) -> tuple[tuple[Cluster, ...], tuple[Unit, ...]]:
    """The registry's clusters and units with these (new or replaced by code) applied."""
    new_units = {u.code: u for u in units}
    new_clusters = {c.code: c for c in clusters}
    all_units = tuple(new_units.pop(u.code, u) for u in registry.units) + tuple(new_units.values())
    all_clusters = tuple(new_clusters.pop(c.code, c) for c in registry.clusters) + tuple(
        new_clusters.values())
    return all_clusters, all_units


def problems_with(registry: Registry, units: Iterable[Unit] = (),
                  clusters: Iterable[Cluster] = ()) -> list[str]:
    """The registry rules broken once these units and clusters (new or replaced) are applied."""
    return registry_problems(*applied(registry, units, clusters))


def _check(registry: Registry, changed: list[Unit], action: str) -> None:
    """Refuse unless the registry with ``changed`` (new or replaced units) keeps every rule."""
    problems = problems_with(registry, changed)
    if problems:
        raise _refuse(action, [u.code for u in changed], problems)


def _found(registry: Registry, code: str) -> Unit:
    if not registry.has(code):
        raise ServiceError("not_found", f"Không có đơn vị mã «{code}».",
                           details={"unit_code": code})
    return registry.unit(code)


async def _write(actor: str, action: str, pairs: list[tuple[Unit | None, Unit]]) -> None:
    await write_units([after for _, after in pairs])
    for before, after in pairs:
        await record(actor, action, "unit", after.code, unit_code=after.code,
                     before=None if before is None else unit_dict(before),
                     after=unit_dict(after))


async def create_unit(actor: str, *, code: str, name: str, kind: str, parent: str | None,
                      cluster: str | None, valid_from: date,
                      tags: Iterable[str] = ()) -> Unit:
    """A new unit; refused if the code is taken or the registry rules would break."""
    code = clean_text(code)
    if not code:
        raise ServiceError("invalid_input", "Mã đơn vị không được để trống.",
                           details={"field": "code"})
    unit = Unit(code, clean_text(name), kind, _level_of(kind, code), clean_optional(parent),
                clean_optional(cluster), valid_from, None, clean_tags(tags))
    async with write_transaction():
        registry = await load_registry_from_db()
        if registry.has(code):
            raise ServiceError("conflict", f"Mã đơn vị «{code}» đã có trong danh mục "
                               f"({registry.unit(code).name}).",
                               details={"unit_code": code, "field": "code"})
        _check(registry, [unit], "thêm")
        await _write(actor, "unit.create", [(None, unit)])
    return unit


async def edit_unit(actor: str, code: str, *, name: str, kind: str, parent: str | None,
                    cluster: str | None, tags: Iterable[str]) -> Unit:
    """Change a unit's name, kind (and so level), parent, cluster and tags."""
    async with write_transaction():
        registry = await load_registry_from_db()
        before = _found(registry, code)
        after = dataclasses.replace(
            before, name=clean_text(name), kind=kind, level=_level_of(kind, code),
            parent=clean_optional(parent), cluster=clean_optional(cluster), tags=clean_tags(tags))
        if after == before:
            return before
        _check(registry, [after], "sửa")
        await _write(actor, "unit.edit", [(before, after)])
    return after


async def close_unit(actor: str, code: str, valid_to: date) -> Unit:
    """End a unit's validity on ``valid_to`` (inclusive); its row and history stay."""
    async with write_transaction():
        registry = await load_registry_from_db()
        before = _found(registry, code)
        after = dataclasses.replace(before, valid_to=valid_to)
        if after == before:
            return before
        _check(registry, [after], "đóng")
        await _write(actor, "unit.close", [(before, after)])
    return after


def _merged(registry: Registry, sources: list[str], target: Unit, last_day: date) -> list[Unit]:
    out: list[Unit] = []
    for code in sources:
        source = _found(registry, code)
        if source.valid_to is not None and source.valid_to < last_day:
            raise _refuse("sáp nhập", [code], [
                f"đơn vị đã hết hiệu lực từ {date_text(source.valid_to)}, "
                f"trước ngày sáp nhập {date_text(last_day)}"])
        successors = tuple(dict.fromkeys((*source.successors, target.code)))
        out.append(dataclasses.replace(source, valid_to=last_day, successors=successors))
    return out


async def merge_units(actor: str, sources: Iterable[str], target: str,
                      last_day: date) -> list[Unit]:
    """Close each source unit on ``last_day`` and name ``target`` as its successor.

    The target must still be valid the day after ``last_day`` and cannot be a source.
    """
    codes = list(dict.fromkeys(clean_text(c) for c in sources if clean_text(c)))
    target = clean_text(target)
    if not codes:
        raise ServiceError("invalid_input", "Hãy chọn ít nhất một đơn vị để sáp nhập.",
                           details={"field": "sources"})
    if target in codes:
        raise _refuse("sáp nhập", [target], ["đơn vị không thể sáp nhập vào chính nó"])
    async with write_transaction():
        registry = await load_registry_from_db()
        unknown = [c for c in (*codes, target) if not registry.has(c)]
        if unknown:
            raise ServiceError(
                "invalid_input", "Không thể sáp nhập: không có đơn vị mã "
                + ", ".join(f"«{c}»" for c in unknown) + " trong danh mục.",
                details={"unit_codes": unknown})
        into = registry.unit(target)
        if into.valid_to is not None and into.valid_to <= last_day:
            raise _refuse("sáp nhập vào", [target], [
                f"đơn vị nhận đã hết hiệu lực từ {date_text(into.valid_to)}"])
        merged = _merged(registry, codes, into, last_day)
        _check(registry, merged, "sáp nhập")
        await _write(actor, "unit.merge", [(registry.unit(u.code), u) for u in merged])
    return merged
