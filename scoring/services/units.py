"""What pages show of a registered unit: its heading (name, level, cluster) and names by code."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypedDict

from scoring.registry.store import load_registry_from_db
from scoring.tables import Unit
from storage.errors import ServiceError


class UnitCard(TypedDict):
    """A unit as a page heading names it; ``cluster_name`` falls back to the cluster's code."""

    code: str
    name: str
    level: str
    cluster: str | None
    cluster_name: str | None


async def unit_card(code: str) -> UnitCard:
    """From the registry this worker keeps (see :func:`load_registry_from_db`): no query of its own."""
    registry = await load_registry_from_db()
    if not registry.has(code):
        raise ServiceError("not_found", f"Không có đơn vị mã «{code}».")
    unit = registry.unit(code)
    cluster_name: str | None = None
    if unit.cluster:
        try:
            cluster_name = registry.cluster(unit.cluster).name
        except KeyError:
            cluster_name = unit.cluster
    return UnitCard(code=unit.code, name=unit.name, level=unit.level, cluster=unit.cluster,
                    cluster_name=cluster_name)


async def unit_names(codes: Iterable[str]) -> dict[str, str]:
    """Code → name of the registered units among ``codes`` (unknown codes are left out)."""
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    rows = await Unit.select(Unit.code, Unit.name).where(Unit.code.is_in(wanted))
    return {r["code"]: r["name"] for r in rows}
