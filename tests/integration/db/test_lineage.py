"""Lineage on real data: Xã Tân Trào (from 1 Jul 2025) was formed from three former communes
of Tuyên Quang; their 2024 results and titles stay reachable from it."""

from __future__ import annotations

from pathlib import Path

import pytest
from open_province import open_year

from demo.history import write_history_csv
from demo.registry_2025 import build_tuyen_quang_2025_registry, current_code, new_communes
from nominations.conditions import Subject, check
from nominations.history import HistoryEntry
from nominations.history_store import import_history, load_history, predecessors
from nominations.rules import Condition
from scoring.registry.store import load_registry_from_db, save_registry
from scoring.services.predecessors import predecessor_results
from scoring.services.publish import publish_run
from scoring.services.runs import run_results, start_run
from storage.errors import ServiceError

pytestmark = pytest.mark.db

# From vietnamadminunits' 2025 conversion: Kim Quan (Yên Sơn), Trung Yên and Tân Trào (Sơn Dương),
# none of them divided, became Xã Tân Trào, which kept Tân Trào's official code 02545.
NEW, FORMED_FROM = "02545", ("02476", "02539", "02545")
TAN_TRAO = current_code(NEW)


def test_the_example_is_a_real_merger_of_exactly_three_tuyen_quang_communes() -> None:
    commune = next(c for c in new_communes() if c.official == NEW)
    assert (commune.name, commune.predecessors) == ("Xã Tân Trào", FORMED_FROM)
    registry = build_tuyen_quang_2025_registry()
    assert [registry.unit(code).successors for code in FORMED_FROM] == [(TAN_TRAO,)] * 3


async def test_the_predecessors_2024_results_are_reachable_from_the_new_commune(
        clean_db: str, tmp_path: Path) -> None:
    period_id, plan, legacy = await open_year(tmp_path)  # 2024: demo values of the legacy communes
    run = await start_run(period_id, "commune", actor="admin")
    await publish_run(run["id"], actor="admin")
    await save_registry(build_tuyen_quang_2025_registry(legacy), actor="admin")

    found = await predecessor_results(TAN_TRAO)

    assert [(p["unit_code"], p["successor"], p["depth"]) for p in found] == [
        (code, TAN_TRAO, 1) for code in FORMED_FROM]
    assert [p["unit_name"] for p in found] == ["Xã Kim Quan", "Xã Trung Yên", "Xã Tân Trào"]
    stored = {r["unit_code"]: r for r in await run_results(run["id"])}
    bands = {b.id: b.name for b in plan.bands_of("commune")}
    for p in found:
        (result,) = p["results"]
        row = stored[p["unit_code"]]
        assert (result["year"], result["level"], result["run_id"]) == (2024, "commune", run["id"])
        assert (result["total"], result["band"], result["rank_in_cluster"], result["cluster"]) == (
            row["total"], row["band"], row["rank_in_cluster"], row["cluster"])
        assert result["band_name"] == bands[row["band"]]
        assert result["cluster_name"].startswith("Cụm thi đua các xã")
    assert found[0]["results"][0]["cluster"] == "cum.xa.075"  # Kim Quan was in Yên Sơn
    assert found[1]["results"][0]["cluster"] == "cum.xa.076"  # Trung Yên in Sơn Dương

    ha_giang_only = next(c for c in new_communes() if c.official == "00691")  # Phường Hà Giang 2
    assert await predecessor_results(current_code(ha_giang_only.official)) == []
    with pytest.raises(ServiceError) as err:
        await predecessor_results("99999-2025")
    assert err.value.code == "not_found"


async def test_a_predecessor_title_counts_for_a_multi_year_condition(clean_db: str, tmp_path: Path) -> None:
    await save_registry(build_tuyen_quang_2025_registry(), actor="admin")
    entries = [
        HistoryEntry("02539", 2023, "title", "ttldxs", "Quyết định số 101/QĐ-UBND năm 2023"),
        HistoryEntry("02539", 2024, "title", "ttldxs", "Quyết định số 102/QĐ-UBND năm 2024"),
        HistoryEntry("02476", 2024, "title", "bang-khen-tinh", "Quyết định số 103/QĐ-UBND năm 2024"),
    ]
    await import_history([write_history_csv(tmp_path / "lich-su.csv", entries)], actor="admin")
    registry = await load_registry_from_db()
    assert predecessors(registry)[TAN_TRAO] == list(FORMED_FROM)
    history = await load_history([TAN_TRAO])  # History with the lineage of predecessors(registry)

    consecutive = Condition(kind="title_consecutive", title="ttldxs", years=2, ending="previous_year")
    held = Condition(kind="held_title", title="bang-khen-tinh")
    for condition in (consecutive, held):
        result = check(condition, Subject(TAN_TRAO, 2025, history))
        assert result.met, result
    assert check(consecutive, Subject(TAN_TRAO, 2025, history)).found == "2023, 2024"
    neighbour = current_code("02353")  # Xã Hoà An: other predecessors, no title
    assert not check(held, Subject(neighbour, 2025, await load_history([neighbour]))).met
