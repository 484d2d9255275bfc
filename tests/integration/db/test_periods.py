"""Periods: creation with a submission deadline and its refusals; one level's data locked alone."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from open_province import YEAR, open_year, row_counts

from criteria.model import Plan
from demo.indicators import demo_values
from scoring.core.units import Registry
from scoring.intake.template import write_long_csv
from scoring.services.periods import get_period, open_period, set_level_locked, set_locked
from scoring.services.runs import start_run
from scoring.services.values import appraise, import_files, set_own_value
from storage.audit import AuditFilter, audit_entries, verify
from storage.errors import ServiceError

pytestmark = pytest.mark.db


class World:
    def __init__(self, period_id: int, plan: Plan, registry: Registry, tmp: Path) -> None:
        self.period_id, self.plan, self.registry, self.tmp = period_id, plan, registry, tmp

    def first(self, level: str) -> tuple[str, str]:
        """A unit of ``level`` and one of its level's percent (else any) indicators."""
        unit = next(u.code for u in self.registry.units if u.level == level)
        indicators = self.plan.indicators_of(level)
        ind = next((i for i in indicators if i.kind == "percent"), indicators[0])
        return unit, ind.id

    def level_file(self, level: str) -> Path:
        frame = demo_values(self.plan, self.registry, YEAR)
        ids = {i.id for i in self.plan.indicators_of(level)}
        path = self.tmp / f"cap-{level}.csv"
        write_long_csv(frame[frame["indicator"].isin(ids)], YEAR, path, plan=self.plan)
        return path


@pytest.fixture
async def world(clean_db: str, tmp_path: Path) -> World:
    period_id, plan, registry = await open_year(None)
    return World(period_id, plan, registry, tmp_path)


async def refusal(call: object) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        await call  # type: ignore[misc]
    return caught.value


async def test_a_period_keeps_its_submission_deadline(world: World) -> None:
    version = (await get_period(world.period_id))["plan_version"]
    opens = datetime(2025, 1, 2, 1, 0, tzinfo=UTC)
    closes, deadline = opens + timedelta(days=60), opens + timedelta(days=75)
    period_id = await open_period(version, 2025, opens, closes, "admin", submission_deadline=deadline,
                                  exists_ok=False)
    period = await get_period(period_id)
    assert (period["entry_opens"], period["entry_closes"]) == (opens, closes)
    assert period["submission_deadline"] == deadline and period["locked_levels"] == []
    assert (await get_period(world.period_id))["submission_deadline"] is None


async def test_creation_refuses_bad_input_naming_the_field(world: World) -> None:
    version = (await get_period(world.period_id))["plan_version"]
    now = datetime.now(UTC)
    before = await row_counts()
    backwards = await refusal(open_period(version, 2025, now, now - timedelta(hours=1), "admin",
                                          exists_ok=False))
    assert (backwards.code, backwards.details) == ("invalid_input", {"field": "closes"})
    again = await refusal(open_period(version, YEAR, now, now + timedelta(days=1), "admin",
                                      exists_ok=False))
    assert again.code == "conflict" and again.details["field"] == "year"
    assert f"Năm {YEAR}" in again.message
    unknown = await refusal(open_period(version + 99, 2025, now, now + timedelta(days=1), "admin"))
    assert (unknown.code, unknown.details) == ("invalid_input", {"field": "plan_version"})
    late = await refusal(open_period(version, 2025, now, now + timedelta(days=2), "admin",
                                     submission_deadline=now + timedelta(days=1)))
    assert late.details == {"field": "submission_deadline"}
    assert await row_counts() == before
    # The idempotent form (the demo's and the API's) still answers the existing period.
    assert await open_period(version, YEAR, now, now + timedelta(days=1), "admin") == world.period_id


async def test_a_locked_level_refuses_its_values_and_accepts_the_others(world: World) -> None:
    commune, commune_ind = world.first("commune")
    agency, agency_ind = world.first("agency")
    locked = await set_level_locked(world.period_id, "commune", True, "admin",
                                    reason="Đã chốt số liệu cấp xã để họp Hội đồng")
    assert locked["locked_levels"] == ["commune"] and not locked["locked"]
    before = await row_counts()
    for attempt in (
        set_own_value(world.period_id, commune, commune_ind, "80", actor="xa"),
        appraise(world.period_id, commune, commune_ind, actor="admin", accept=False, value="70",
                 reason="Theo báo cáo của Công an tỉnh"),
        import_files(world.period_id, [world.level_file("commune")], actor="admin"),
        start_run(world.period_id, "commune", "admin"),
    ):
        refused = await refusal(attempt)
        assert refused.code == "period_locked" and "cấp «" in refused.message, refused.message
    assert await row_counts() == before
    stored = await set_own_value(world.period_id, agency, agency_ind, "90", actor="so")
    assert stored["self_value"] == 90.0
    summary = await import_files(world.period_id, [world.level_file("agency")], actor="admin")
    assert summary["rows"] > 0
    assert (await start_run(world.period_id, "agency", "admin"))["level"] == "agency"


async def test_reopening_a_level_needs_a_reason_and_is_audited(world: World) -> None:
    commune, commune_ind = world.first("commune")
    no_reason = await refusal(set_level_locked(world.period_id, "commune", True, "admin", reason=" "))
    assert no_reason.details == {"field": "reason"}
    unknown = await refusal(set_level_locked(world.period_id, "khong-co", True, "admin", reason="x"))
    assert unknown.details == {"field": "level"}
    await set_level_locked(world.period_id, "commune", True, "admin", reason="Chốt số liệu")
    no_reason = await refusal(set_level_locked(world.period_id, "commune", False, "admin", reason=""))
    assert no_reason.details == {"field": "reason"}
    reopened = await set_level_locked(world.period_id, "commune", False, "lanhdao",
                                      reason="Sửa số liệu theo kết luận kiểm tra")
    assert reopened["locked_levels"] == []
    assert (await set_own_value(world.period_id, commune, commune_ind, "80", actor="xa"))["self_value"] == 80
    entry = (await audit_entries(AuditFilter(action="period.level_reopen"), 5))[0]
    assert entry["actor"] == "lanhdao" and entry["entity_id"] == str(world.period_id)
    assert json.loads(entry["after"])["reason"] == "Sửa số liệu theo kết luận kiểm tra"
    assert json.loads(entry["before"])["locked_levels"] == ["commune"]
    assert len(await audit_entries(AuditFilter(action="period.level_lock"), 5)) == 1
    assert (await verify()).ok


async def test_the_period_wide_lock_still_covers_every_level(world: World) -> None:
    agency, agency_ind = world.first("agency")
    await set_level_locked(world.period_id, "commune", True, "admin", reason="Chốt số liệu")
    await set_locked(world.period_id, True, "admin")
    refused = await refusal(set_own_value(world.period_id, agency, agency_ind, "90", actor="so"))
    assert refused.code == "period_locked"
    reopened = await set_locked(world.period_id, False, "admin", reason="Sửa sai sót")
    assert reopened["locked_levels"] == ["commune"], "reopening the period keeps a level's own lock"
