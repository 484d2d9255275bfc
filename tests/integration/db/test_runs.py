"""Scoring runs: complete, reproducible, all-or-nothing; one published run per level and period."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from open_province import YEAR, open_year, row_counts

import scoring.services.runs
from criteria.model import Plan
from scoring.core.pipeline import competing_units
from scoring.core.units import Registry
from scoring.services.periods import get_period
from scoring.services.publish import publish_run
from scoring.services.runs import (
    list_runs,
    published_run,
    run_results,
    start_run,
    unit_breakdown,
)
from scoring.services.values import appraise, set_own_value
from scoring.tables import UnitResult
from storage.audit import verify
from storage.errors import ServiceError
from storage.tables import AuditEntry

pytestmark = pytest.mark.db



@pytest.fixture
async def commune_period(clean_db: str, tmp_path: Path) -> tuple[int, Plan, Registry]:
    """A 2024 period with the demo commune data imported."""
    return await open_year(tmp_path)


async def breakdowns(run_id: int) -> list[tuple[str, str]]:
    rows = await UnitResult.select(UnitResult.unit_code, UnitResult.breakdown).where(
        UnitResult.run == run_id).order_by(UnitResult.unit_code)
    return [(r["unit_code"], r["breakdown"]) for r in rows]


async def test_every_commune_is_ranked_within_its_cluster(
    commune_period: tuple[int, Plan, Registry],
) -> None:
    period_id, plan, registry = commune_period
    run = await start_run(period_id, "commune", "admin")
    expected = {u.code for u in competing_units(registry, plan, "commune", YEAR)}
    results = await run_results(run["id"])
    assert {r["unit_code"] for r in results} == expected, "mọi xã thi đua phải có kết quả"
    assert run["n_units"] == len(expected) and not run["published"]
    assert [r["rank_overall"] for r in results] == list(range(1, len(results) + 1))
    ranks: dict[str | None, list[int]] = defaultdict(list)
    for r in results:
        ranks[r["cluster"]].append(r["rank_in_cluster"])
        assert 0 <= r["total"] <= r["max"] + 10
    for cluster, got in ranks.items():
        assert sorted(got) == list(range(1, len(got) + 1)), f"thứ hạng trong cụm {cluster} phải là 1..n"
    top = results[0]
    detail = await unit_breakdown(run["id"], top["unit_code"])
    assert detail["total"] == top["total"] and detail["rank_overall"] == 1
    assert {c["id"] for c in detail["criteria"]} == {c.id for c in plan.criteria_of("commune")}
    with pytest.raises(ServiceError) as caught:
        await unit_breakdown(run["id"], "khong-co")
    assert caught.value.code == "not_found"


async def test_same_data_same_run_and_a_changed_value_a_new_hash(
    commune_period: tuple[int, Plan, Registry],
) -> None:
    period_id, plan, _ = commune_period
    first = await start_run(period_id, "commune", "admin")
    second = await start_run(period_id, "commune", "admin")
    assert second["id"] != first["id"]
    for key in ("run_hash", "data_sha256", "results_sha256", "plan_sha256"):
        assert second[key] == first[key], f"chấm lại trên cùng số liệu phải cho cùng {key}"
    assert await breakdowns(second["id"]) == await breakdowns(first["id"]), "kết quả phải giống hệt từng byte"

    unit, _ = (await breakdowns(first["id"]))[0]
    ind = next(i.id for i in plan.indicators_of("commune") if i.kind == "percent")
    await appraise(period_id, unit, ind, actor="admin", accept=False, value="12,5",
                   reason="Kiểm tra thực tế chỉ đạt 12,5%")
    third = await start_run(period_id, "commune", "admin")
    assert third["data_sha256"] != first["data_sha256"] and third["run_hash"] != first["run_hash"]
    listed = [r["id"] for r in await list_runs(period_id, "commune")]
    assert listed == [third["id"], second["id"], first["id"]], "mới nhất trước"


async def test_a_failure_mid_run_leaves_no_trace(
    commune_period: tuple[int, Plan, Registry], monkeypatch: pytest.MonkeyPatch,
) -> None:
    period_id, _, _ = commune_period
    before = await row_counts()
    original = scoring.services.runs.bulk_write
    calls: list[int] = []

    async def failing_write(table: Any, columns: Any, rows: Any, **how: Any) -> None:
        calls.append(len(rows))
        if len(calls) == 2:
            raise RuntimeError("mất kết nối giữa chừng")
        await original(table, columns, rows, **how)

    monkeypatch.setattr(scoring.services.runs, "CHUNK", 40)
    monkeypatch.setattr(scoring.services.runs, "bulk_write", failing_write)
    with pytest.raises(RuntimeError):
        await start_run(period_id, "commune", "admin")
    assert calls == [40, 40], "lần ghi thứ hai phải là lúc lỗi xảy ra"
    assert await row_counts() == before, "lần chấm lỗi giữa chừng không được để lại dòng nào"
    assert await list_runs() == []


async def test_publish_locks_the_period_and_only_one_run_is_published(
    commune_period: tuple[int, Plan, Registry],
) -> None:
    period_id, plan, _ = commune_period
    stale = await start_run(period_id, "commune", "admin")
    unit, _ = (await breakdowns(stale["id"]))[0]
    ind = next(i.id for i in plan.indicators_of("commune") if i.kind == "percent")
    await set_own_value(period_id, unit, ind, "55", actor="xa")
    with pytest.raises(ServiceError) as caught:
        await publish_run(stale["id"], "admin")
    assert caught.value.code == "conflict", "không được công bố lần chấm trên số liệu cũ"

    current = await start_run(period_id, "commune", "admin")
    other = await start_run(period_id, "commune", "admin")
    published = await publish_run(current["id"], "admin")
    assert published["published"] and published["published_by"] == "admin"
    assert (await get_period(period_id))["locked"], "công bố kết quả phải khóa số liệu của kỳ"
    assert (await published_run(period_id, "commune") or {})["id"] == current["id"]
    again = await publish_run(current["id"], "admin")
    assert again["id"] == current["id"], "công bố lại cùng lần chấm: không đổi"

    with pytest.raises(ServiceError) as caught:
        await publish_run(other["id"], "admin")
    assert caught.value.code == "already_published"
    assert caught.value.details == {"published_run_id": current["id"]}
    with pytest.raises(ServiceError) as caught:
        await set_own_value(period_id, unit, ind, "60", actor="xa")
    assert caught.value.code == "period_locked"

    actions = [r["action"] for r in await AuditEntry.select(AuditEntry.action).order_by(AuditEntry.seq)]
    assert actions.count("run.publish") == 1 and actions.count("period.lock") == 1
    assert actions.count("run.start") == 3
    assert (await verify()).ok, "nhật ký phải nguyên vẹn sau mọi thao tác"
