"""The two-level plan from 1 Jul 2025: its levels, its sources in seed 001, its fit to the registry."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import criteria
from api.cli import main
from criteria.loader import load_plan
from criteria.model import Plan
from demo.indicators import demo_values
from demo.registry_2025 import build_tuyen_quang_2025_registry
from scoring.core.compile import applicability_mask, compile_level
from scoring.core.pipeline import competing_units, score_level
from scoring.core.units import Registry

PLANS = Path(criteria.__file__).parent / "plans"
PATH = PLANS / "tuyen-quang-de-an-06-2025.toml"


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan(PATH)


@pytest.fixture(scope="module")
def registry() -> Registry:
    return build_tuyen_quang_2025_registry()


def test_plan_check_accepts_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "check", str(PATH)]) == 0
    assert "Kế hoạch hợp lệ: tuyen-quang-de-an-06-2025" in capsys.readouterr().out


def test_two_levels_from_1_july_2025(plan: Plan) -> None:
    assert plan.info.id == "tuyen-quang-de-an-06-2025"
    assert (plan.info.valid_from.isoformat(), plan.info.valid_to.year) == ("2025-07-01", 2030)
    assert [lvl.id for lvl in plan.levels] == ["agency", "commune"]
    for lvl in plan.levels:
        assert sum(c.max_points for c in plan.criteria_of(lvl.id)) == lvl.max_points == 100


def test_bands_keep_the_ids_award_rules_use(plan: Plan) -> None:
    legacy = load_plan(PLANS / "tuyen-quang-de-an-06-2022-2025.toml")
    for lvl in plan.levels:
        assert [b.id for b in plan.bands_of(lvl.id)] == [b.id for b in legacy.bands_of(lvl.id)]
        assert [b.id for b in plan.bands_of(lvl.id)] == ["htxs", "httnv", "htnv", "khong-ht"]


def test_every_item_cites_seed_001(plan: Plan) -> None:
    items = [*plan.criteria, *plan.bonuses, *plan.deductions]
    uncited = [i.id for i in items if not i.source.startswith("seeds/001 §")]
    assert not uncited, f"không ghi nguồn seeds/001: {uncited}"


def test_each_of_the_fifteen_2025_indicators_becomes_a_criterion(plan: Plan) -> None:
    cited = {int(n) for c in plan.criteria for n in re.findall(r"§II\.1\.(\d+)", c.source)}
    assert cited == set(range(1, 16))


def test_every_tag_names_a_current_agency(plan: Plan, registry: Registry) -> None:
    agencies = competing_units(registry, plan, "agency", 2025)
    tags = {t for u in agencies for t in u.tags}
    used = {t.removeprefix("tag:") for c in plan.criteria for t in c.applies_to}
    assert used <= tags, f"nhãn không có cơ quan nào mang: {used - tags}"


def test_every_agency_has_a_fair_share_of_the_criteria(plan: Plan, registry: Registry) -> None:
    agencies = competing_units(registry, plan, "agency", 2025)
    compiled = compile_level(plan, "agency", 2025)
    mask = applicability_mask(compiled, [u.kind for u in agencies], [u.tags for u in agencies])
    points = {u.code: sum(c.max_points for c, on in zip(compiled.criteria, row, strict=True) if on)
              for u, row in zip(agencies, mask, strict=True)}
    assert min(points.values()) >= 25, points


def test_the_demo_values_score_both_levels(plan: Plan, registry: Registry) -> None:
    values = demo_values(plan, registry, 2025)
    for lvl, n in (("agency", 21), ("commune", 124)):
        scored = score_level(plan, registry, values, lvl, 2025)
        assert len(scored.units) == n
        assert {scored.compiled.bands[i].id for i in scored.result.band} >= {"htxs", "httnv"}
