"""A criterion scored directly in points, through the real entry paths: the unit's own entry and
the Department's appraisal refuse a point off the scale (naming the allowed ones), and the run
scores the appraised points."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from criteria.loader import plan_from_dict
from criteria.model import Plan
from criteria.shipped import PLAN_2022_2025
from criteria.writer import plan_to_dict
from demo.registry_tuyen_quang import build_tuyen_quang_registry
from scoring.core.pipeline import competing_units
from scoring.registry.store import save_registry
from scoring.services.periods import open_period
from scoring.services.plan_store import parse_plan_source, save_plan
from scoring.services.runs import start_run, unit_breakdown
from scoring.services.values import appraise, set_own_value
from storage.errors import ServiceError

pytestmark = pytest.mark.db
YEAR = 2024


def points_plan() -> tuple[Plan, str, float]:
    """The shipped plan with its first commune criterion scored directly in points."""
    raw = plan_to_dict(parse_plan_source(PLAN_2022_2025.read_text(encoding="utf-8")))
    first = next(c for c in raw["criteria"] if c["level"] == "commune")
    top = first["max_points"]
    raw["indicators"].append({"id": "xa_diem_tu_cham", "level": "commune", "kind": "points", "unit": "điểm",
                              "name": "Điểm tự chấm công tác chỉ đạo"})
    for key in ("target", "floor", "points_each", "bands"):
        first.pop(key, None)
    first.update(indicator="xa_diem_tu_cham", method="points", direction="higher", scale=[0, top / 2, top])
    return plan_from_dict(raw), first["id"], top


async def test_points_are_entered_appraised_and_scored_on_the_scale(clean_db: str) -> None:
    plan, criterion, top = points_plan()
    version, plan, _ = await save_plan(plan, "admin")
    registry = build_tuyen_quang_registry()
    await save_registry(registry, "admin")
    now = datetime.now(UTC)
    period = await open_period(version, YEAR, now - timedelta(days=1), now + timedelta(days=30), "admin")
    unit = competing_units(registry, plan, "commune", YEAR)[0].code

    with pytest.raises(ServiceError) as off:
        await set_own_value(period, unit, "xa_diem_tu_cham", "1", actor="canbo")
    assert off.value.code == "invalid_value"
    half = top / 2
    assert "không thuộc các mức được chấm" in off.value.message
    with pytest.raises(ServiceError) as over:
        await set_own_value(period, unit, "xa_diem_tu_cham", str(top + 1), actor="canbo")
    assert "lớn hơn mức tối đa" in over.value.message
    await set_own_value(period, unit, "xa_diem_tu_cham", str(top).replace(".", ","), actor="canbo")

    with pytest.raises(ServiceError) as wrong:
        await appraise(period, unit, "xa_diem_tu_cham", actor="so", accept=False, value="1",
                       reason="chưa đủ tài liệu")
    assert "không thuộc các mức được chấm" in wrong.value.message
    await appraise(period, unit, "xa_diem_tu_cham", actor="so", accept=False, value=str(half),
                   reason="thiếu văn bản chỉ đạo quý IV")

    run = await start_run(period, "commune", "admin")
    detail = await unit_breakdown(run["id"], unit)
    cell = next(c for c in detail["criteria"] if c["id"] == criterion)
    assert cell["points"] == half and cell["status"] == "partial", json.dumps(cell, ensure_ascii=False)
