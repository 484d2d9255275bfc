"""A unit's lineage: the units it succeeded, transitively (their results: ``scoring.services.predecessors``).

Units name their successors (``Unit.successors``); a unit's predecessors are the units that
name it. When communes merged on 1 Jul 2025 their results did not vanish: the new commune's
page can show what each former commune achieved, year by year.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from scoring.core.units import Registry, Unit


@dataclass(frozen=True, slots=True)
class Predecessor:
    unit: Unit
    successor: str  # the code of the unit it was succeeded by on the way to the one asked about
    depth: int  # 1: a direct predecessor, 2: a predecessor of one, …


def predecessor_map(registry: Registry) -> dict[str, tuple[str, ...]]:
    """Unit code → codes of the units naming it as a successor, in registry order."""
    found: dict[str, list[str]] = {}
    for unit in registry.units:
        for successor in unit.successors:
            found.setdefault(successor, []).append(unit.code)
    return {code: tuple(before) for code, before in found.items()}


def predecessors(registry: Registry, unit_code: str,
                 lineage: Mapping[str, tuple[str, ...]] | None = None) -> list[Predecessor]:
    """Every predecessor of a unit, nearest first (breadth first), each once; a cycle stops."""
    lineage = predecessor_map(registry) if lineage is None else lineage
    seen = {unit_code}
    out: list[Predecessor] = []
    level = [unit_code]
    depth = 0
    while level:
        depth += 1
        following: list[str] = []
        for code in level:
            for before in lineage.get(code, ()):
                if before in seen or not registry.has(before):
                    continue
                seen.add(before)
                out.append(Predecessor(registry.unit(before), code, depth))
                following.append(before)
        level = following
    return out
