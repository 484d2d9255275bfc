"""Plan versions and the unit registry in the database."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

import pytest

from criteria.loader import PlanError, plan_from_dict
from criteria.tables import PlanVersion
from demo.registry_tuyen_quang import build_tuyen_quang_registry
from scoring.registry.store import load_registry_from_db, save_registry
from scoring.services.plan_store import list_plan_versions, load_plan_version, save_plan_version
from storage.audit import verify
from storage.errors import ServiceError
from storage.tables import AuditEntry

pytestmark = pytest.mark.db

PLAN_FILE = Path(__file__).parents[3] / "criteria" / "plans" / "tuyen-quang-de-an-06-2022-2025.toml"


@pytest.fixture
def plan_text() -> str:
    return PLAN_FILE.read_text(encoding="utf-8")


async def test_same_plan_is_stored_once_and_never_overwritten(clean_db: str, plan_text: str) -> None:
    first_id, plan, created = await save_plan_version(plan_text, "admin")
    assert created
    # Same content with a comment added: same hash, same version, original text kept.
    again_id, again, created_again = await save_plan_version("# bản sao\n" + plan_text, "admin")
    assert (again_id, again.sha256, created_again) == (first_id, plan.sha256, False)
    stored = await PlanVersion.select(PlanVersion.source_toml).where(PlanVersion.id == first_id).first()
    assert stored is not None and stored["source_toml"] == plan_text, "bản đã lưu không được bị ghi đè"
    versions = await list_plan_versions()
    assert [v["id"] for v in versions] == [first_id]
    assert versions[0]["sha256"] == plan.sha256 and versions[0]["plan_id"] == plan.info.id
    assert await AuditEntry.count().where(AuditEntry.action == "plan.upload") == 1
    assert (await load_plan_version(first_id)) == plan


async def test_a_changed_plan_is_a_second_version(clean_db: str, plan_text: str) -> None:
    first_id, first, _ = await save_plan_version(plan_text, "admin")
    changed = plan_text.replace('version = "2022.1"', 'version = "2022.2"', 1)
    second_id, second, created = await save_plan_version(changed, "admin")
    assert created and second_id != first_id and second.sha256 != first.sha256
    assert (await load_plan_version(first_id)).info.version == "2022.1", "phiên bản cũ phải giữ nguyên"
    assert (await load_plan_version(second_id)).info.version == "2022.2"
    assert len(await list_plan_versions()) == 2
    assert (await verify()).ok


async def test_an_invalid_plan_reports_every_issue_and_stores_nothing(clean_db: str, plan_text: str) -> None:
    broken = plan_text.replace('id = "tuyen-quang-de-an-06-2022-2025"', 'id = "Sai Mã"', 1).replace(
        "max_points = 100\nbonus_cap = 10", "max_points = -5\nbonus_cap = 10", 1)
    with pytest.raises(PlanError) as expected:
        plan_from_dict(tomllib.loads(broken))
    assert len(expected.value.issues) >= 2
    with pytest.raises(ServiceError) as caught:
        await save_plan_version(broken, "admin")
    assert caught.value.code == "plan_invalid"
    assert caught.value.details == [
        {"path": i.path, "message": i.message} for i in expected.value.issues
    ], "phải liệt kê đủ mọi lỗi của kế hoạch"
    assert await PlanVersion.count() == 0 and await AuditEntry.count() == 0


async def test_a_toml_syntax_error_is_plan_invalid(clean_db: str) -> None:
    with pytest.raises(ServiceError) as caught:
        await save_plan_version('[plan]\nid = "thiếu dấu ngoặc kép\n', "admin")
    assert caught.value.code == "plan_invalid"
    assert caught.value.details[0]["path"] == "(cú pháp TOML)"


async def test_registry_round_trip_and_upsert(clean_db: str) -> None:
    registry = build_tuyen_quang_registry()
    counts = await save_registry(registry, "admin")
    assert counts["units_new"] == len(registry.units) and counts["clusters_new"] == len(registry.clusters)
    loaded = await load_registry_from_db()
    assert loaded == registry, "danh mục đọc lại từ cơ sở dữ liệu phải giống hệt danh mục đã lưu"
    tagged = [u for u in registry.units if u.tags]
    assert tagged and loaded.unit(tagged[0].code).tags == tagged[0].tags

    unchanged = await save_registry(registry, "admin")
    assert (unchanged["units_new"], unchanged["units_changed"], unchanged["clusters_changed"]) == (0, 0, 0)

    renamed = dataclasses.replace(registry.units[3], name=registry.units[3].name + " (mới)")
    units = (*registry.units[:3], renamed, *registry.units[4:])
    changed = await save_registry(dataclasses.replace(registry, units=units), "admin")
    assert (changed["units_new"], changed["units_changed"]) == (0, 1)
    assert (await load_registry_from_db()).unit(renamed.code).name == renamed.name
    assert await AuditEntry.count().where(AuditEntry.action == "registry.save") == 3
    assert (await verify()).ok


async def test_loading_an_empty_registry_says_what_to_do(clean_db: str) -> None:
    with pytest.raises(ServiceError) as caught:
        await load_registry_from_db()
    assert caught.value.code == "not_found" and "danh mục" in caught.value.message
