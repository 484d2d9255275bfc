"""Start a province's registry from real data (``thidua province init``): refuse when the
registry already holds units, else save the province's starting registry in one audited
transaction (the registry's own entry and one ``province.init`` entry)."""

from __future__ import annotations

from typing import Any

from scoring.registry.provinces import ProvinceNotFound, build_province_registry, find_province
from scoring.registry.store import save_registry
from scoring.tables import Unit as UnitRow
from storage.audit import record
from storage.db import is_sqlite, write_transaction
from storage.errors import ServiceError


async def init_province(province: str, legacy: bool, actor: str) -> dict[str, Any]:
    """Save the starting registry of ``province`` (a code or a name) into an empty registry;
    returns what was saved. Nothing is written when the registry already holds units."""
    try:
        info = find_province(province)
    except ProvinceNotFound as exc:
        raise ServiceError("not_found", str(exc)) from None
    setup = build_province_registry(info, legacy=legacy)
    async with write_transaction():
        if not is_sqlite():  # two inits at once: the second waits, then sees the first's units
            await UnitRow.raw('LOCK TABLE "unit" IN SHARE ROW EXCLUSIVE MODE')
        held = await UnitRow.count()
        if held:
            raise ServiceError(
                "conflict",
                f"Danh mục đơn vị đã có {held} đơn vị; chỉ khởi tạo tỉnh khi danh mục còn trống. "
                "Không ghi gì.",
                details={"units": held},
            )
        await save_registry(setup.registry, actor)
        summary: dict[str, Any] = {
            "province_code": info.code, "province_name": info.full_name,
            "communes": setup.communes, "agencies": setup.agencies,
            "agency_blocks": len(setup.registry.clusters), "legacy_units": setup.legacy_units,
            "legacy_districts": setup.legacy_districts,
            "successor_links": setup.successor_links,
            "former_provinces": list(setup.former_provinces),
        }
        await record(actor, "province.init", "registry", info.code, after={"legacy": legacy, **summary})
    return summary


async def registry_size() -> int:
    """How many units the registry holds (0: a province may still be set up)."""
    return int(await UnitRow.count())
