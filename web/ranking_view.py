"""What the public ranking adds to the published results so a visitor can use it: an anchor
per level, cluster and unit row (a unit's row one step away), a search by name or code that
ignores diacritics (a plain GET form: no JavaScript needed), and a note wherever a unit ranked
higher has a lower band than one below it (the band also weighs mandatory criteria and each
criterion's floor, the rank does not)."""

from __future__ import annotations

from typing import Any

from criteria.model import Plan
from presentation.text import fold

MAX_FOUND = 50


def annotate(levels: list[dict[str, Any]], plan: Plan) -> None:
    """Anchors for every level and cluster; ``band_note`` on rows whose band is below that of a
    unit ranked after them, and on their cluster."""
    for level in levels:
        order = {band.id: n for n, band in enumerate(plan.bands_of(level["level"]))}
        for n, cluster in enumerate(level["clusters"]):
            cluster["anchor"] = f"cum-{level['level']}-{n + 1}"
            rows = cluster["rows"]
            best_below = len(order)
            # from the last rank up (whatever order the rows are shown in): the best band below each
            for row in sorted(rows, key=lambda r: r["rank_in_cluster"], reverse=True):
                mine = order.get(row["band"], len(order))
                row["band_note"] = best_below < mine
                best_below = min(best_below, mine)
            cluster["band_note"] = any(r["band_note"] for r in rows)


def search(levels: list[dict[str, Any]], query: str) -> list[dict[str, Any]]:
    """The units whose name or code matches ``query`` (case and diacritics ignored), with where
    their row is; at most 50."""
    wanted = fold(query)
    if not wanted:
        return []
    found = []
    for level in levels:
        for cluster in level["clusters"]:
            for row in cluster["rows"]:
                if wanted in fold(row["unit_name"]) or wanted == fold(row["unit_code"]):
                    found.append({"row": row, "level_name": level["level_name"],
                                  "cluster_name": cluster["name"]})
                    if len(found) >= MAX_FOUND:
                        return found
    return found
