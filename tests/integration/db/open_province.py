"""Shared set-up of the database tests: the shipped plan, Tuyên Quang's units, a 2024 period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from piccolo.conf.apps import Finder

from criteria.model import Plan
from criteria.shipped import shipped_plan_path
from demo.indicators import demo_values
from demo.registry_tuyen_quang import build_tuyen_quang_registry
from scoring.core.units import Registry
from scoring.intake.template import write_long_csv
from scoring.registry.store import save_registry
from scoring.services.periods import open_period
from scoring.services.plan_store import save_plan_version
from scoring.services.values import import_files

YEAR = 2024


async def open_year(folder: Path | None) -> tuple[int, Plan, Registry]:
    """Plan, registry and a 2024 period open for entry; with ``folder``, the demo commune data
    written there as ``cap-xa.csv`` and imported."""
    version_id, plan, _ = await save_plan_version(shipped_plan_path().read_text(encoding="utf-8"), "admin")
    registry = build_tuyen_quang_registry()
    await save_registry(registry, "admin")
    now = datetime.now(UTC)
    period_id = await open_period(version_id, YEAR, now - timedelta(days=1), now + timedelta(days=30),
                                  "admin")
    if folder is not None:
        values = demo_values(plan, registry, YEAR)
        commune = {i.id for i in plan.indicators_of("commune")}
        path = folder / "cap-xa.csv"
        write_long_csv(values[values["indicator"].isin(commune)], YEAR, path, plan=plan)
        await import_files(period_id, [path], actor="admin")
    return period_id, plan, registry


async def row_counts() -> dict[str, int]:
    """Rows in every table of every app: what a failed write must leave unchanged."""
    return {t._meta.tablename: await t.count() for t in Finder().get_table_classes()}
