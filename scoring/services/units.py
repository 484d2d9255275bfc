"""What pages show of a registered unit: its heading (name, level, cluster) and names by code."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypedDict

from scoring.tables import Cluster, Unit
from storage.errors import ServiceError


class UnitCard(TypedDict):
    """A unit as a page heading names it; ``cluster_name`` falls back to the cluster's code."""

    code: str
    name: str
    level: str
    cluster: str | None
    cluster_name: str | None


async def unit_card(code: str) -> UnitCard:
    row = await Unit.select(Unit.code, Unit.name, Unit.level, Unit.cluster).where(Unit.code == code).first()
    if row is None:
        raise ServiceError("not_found", f"Không có đơn vị mã «{code}».")
    cluster_name: str | None = None
    if row["cluster"]:
        found = await Cluster.select(Cluster.name).where(Cluster.code == row["cluster"]).first()
        cluster_name = found["name"] if found else row["cluster"]
    return UnitCard(code=row["code"], name=row["name"], level=row["level"], cluster=row["cluster"],
                    cluster_name=cluster_name)


async def unit_names(codes: Iterable[str]) -> dict[str, str]:
    """Code → name of the registered units among ``codes`` (unknown codes are left out)."""
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    rows = await Unit.select(Unit.code, Unit.name).where(Unit.code.is_in(wanted))
    return {r["code"]: r["name"] for r in rows}
