"""The data the browser tests start from, loaded straight through the services (seconds).

A lighter cousin of ``thidua demo load``: the shipped plan, the Tuyên Quang registry, the 2024
period (entry window open now) with the demo commune values and one unpublished commune run,
an empty 2023 period for the administrator to fill through the import page, and two demo
accounts with the demo passwords (``admin`` and the officer of commune 02200), instead of
the ~174 argon2 accounts of the full demo.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd

from accounts.service import create_account
from criteria.model import Plan
from criteria.shipped import shipped_plan_path
from demo.indicators import demo_values
from demo.load import ADMIN, unit_password, unit_username
from demo.registry_tuyen_quang import build_tuyen_quang_registry
from scoring.core.units import Registry
from scoring.intake.template import write_long_csv
from scoring.registry.store import save_registry
from scoring.services import periods, runs, values
from scoring.services.plan_store import save_plan_version
from storage.db import truncate_all

OPEN_YEAR, IMPORT_YEAR = 2024, 2023
UNIT, OTHER_UNIT = "02200", "02203"  # two communes of the same cluster (Tuyên Quang city)
LEVEL = "commune"
IMPORT_LEVEL = "district"  # the administrator imports, scores and publishes this level of 2023


@dataclass(frozen=True)
class Account:
    username: str
    password: str


@dataclass
class World:
    plan: Plan
    registry: Registry
    open_period: int  # 2024: entry open, commune values, one unpublished commune run
    import_period: int  # 2023: empty until the administrator imports into it
    run: int  # the 2024 commune run
    unit: str
    other_unit: str
    officer: Account
    admin: Account

    def level_values(self, level: str, year: int) -> pd.DataFrame:
        """The demo values of one level in one year (long form: unit_code, indicator, value)."""
        frame = demo_values(self.plan, self.registry, year)
        return frame[frame["indicator"].isin({i.id for i in self.plan.indicators_of(level)})]

    def write_csv(self, frame: pd.DataFrame, year: int, path: Path) -> Path:
        write_long_csv(frame, year, path, plan=self.plan)
        return path


async def load_world() -> World:
    await truncate_all()
    version, plan, _ = await save_plan_version(shipped_plan_path().read_text(encoding="utf-8"), "system")
    registry = build_tuyen_quang_registry()
    await save_registry(registry, actor="system")
    now = datetime.now(UTC)
    open_period = await periods.open_period(version, OPEN_YEAR, now - timedelta(days=1),
                                            now + timedelta(days=30), actor="system")
    import_period = await periods.open_period(version, IMPORT_YEAR, datetime(2023, 1, 1, tzinfo=UTC),
                                              datetime(2024, 1, 15, tzinfo=UTC), actor="system")
    world = World(plan=plan, registry=registry, open_period=open_period, import_period=import_period,
                  run=0, unit=UNIT, other_unit=OTHER_UNIT,
                  officer=Account(unit_username(UNIT), unit_password(UNIT)),
                  admin=Account(ADMIN[0], ADMIN[2]))
    with tempfile.TemporaryDirectory(prefix="thidua-e2e-") as tmp:
        path = world.write_csv(world.level_values(LEVEL, OPEN_YEAR), OPEN_YEAR, Path(tmp) / "cap-xa.csv")
        await values.import_files(open_period, [path], actor="system")
    world.run = (await runs.start_run(open_period, LEVEL, actor="system"))["id"]
    await create_account(ADMIN[0], ADMIN[1], ADMIN[2], "admin", actor="system")
    await create_account(world.officer.username, registry.unit(UNIT).name, world.officer.password, "unit",
                         unit_code=UNIT, actor="system")
    return world
