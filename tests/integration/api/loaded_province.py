"""One loaded province per test module, for the API tests that need real data.

The fixtures are re-exported by ``conftest.py``. ``world`` empties the database and loads,
once per module: the shipped plan, the Tuyên Quang registry, the 2024 period (entry window
open now) with the demo commune values and an unpublished commune run, the 2023 period with
the demo commune values and a published commune run (so that period is locked), and five
callers: an administrator, the officers of communes 02200 (A) and 02203 (B), a council member,
and nobody. The async loading runs through ``asyncio.run`` before the module's ``TestClient``
starts its own event loop.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from litestar.testing import TestClient

from accounts.service import create_account, create_api_token
from criteria.model import Plan
from criteria.shipped import shipped_plan_path
from demo.indicators import write_demo
from demo.registry_tuyen_quang import build_tuyen_quang_registry
from scoring.core.units import Registry
from scoring.registry.store import save_registry
from scoring.services import periods, runs, values
from scoring.services.plan_store import save_plan_version
from scoring.services.publish import publish_run
from server.app import create_app
from storage.db import truncate_all

T = TypeVar("T")
PASSWORD = "mat-khau-dung-2025"
UNIT_A, UNIT_B = "02200", "02203"
LEVEL = "commune"
OPEN_YEAR, PUBLISHED_YEAR = 2024, 2023
# role → (username, account role, unit); "unit_other" is B's officer looking at A's data
PEOPLE = {
    "admin": ("quantri", "admin", None),
    "unit_own": ("canbo.a", "unit", UNIT_A),
    "unit_other": ("canbo.b", "unit", UNIT_B),
    "council": ("hoidong", "council", None),
}
ROLES = ("anonymous", "unit_own", "unit_other", "council", "admin")


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run one coroutine on a fresh loop (the tests are sync; the client has its own loop)."""
    return asyncio.run(coro)


@dataclass
class World:
    plan: Plan
    plan_version: int
    registry: Registry
    period: int  # 2024, entry open, not locked
    published_period: int  # 2023, locked by its published run
    run: int  # 2024 commune run, not published
    published_run: int  # 2023 commune run, published
    indicator: str  # a percent indicator of the commune level, scored by a criterion
    criterion: str  # that criterion
    own_value: float  # A's stored value of that indicator
    tokens: dict[str, str] = field(default_factory=dict)  # role → bearer token
    awards: Any = None  # nomination_world.Awards, where a test module adds them

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"} if role in self.tokens else {}

    def username(self, role: str) -> str:
        return PEOPLE[role][0]


async def _import_demo(plan_version: int, year: int, opens: datetime, closes: datetime,
                       folder: Path) -> int:
    period = await periods.open_period(plan_version, year, opens, closes, actor="system")
    await values.import_files(period, [folder / str(year) / "cap-xa.csv"], actor="system")
    return period


async def load_world() -> World:
    await truncate_all()
    version, plan, _ = await save_plan_version(shipped_plan_path().read_text(encoding="utf-8"), "system")
    registry = build_tuyen_quang_registry()
    await save_registry(registry, actor="system")
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="thidua-api-test-") as tmp:
        folder = Path(tmp)
        write_demo(folder, plan, registry, periods=(PUBLISHED_YEAR, OPEN_YEAR))
        period = await _import_demo(version, OPEN_YEAR, now - timedelta(days=1), now + timedelta(days=30),
                                    folder)
        closed = await _import_demo(version, PUBLISHED_YEAR, datetime(2023, 1, 1, tzinfo=UTC),
                                    datetime(2024, 1, 15, tzinfo=UTC), folder)
    unpublished = await runs.start_run(period, LEVEL, actor="system")
    published = await runs.start_run(closed, LEVEL, actor="system")
    await publish_run(published["id"], actor="system")
    stored = {r["indicator"]: r["self_value"] for r in await values.list_values(period, UNIT_A)}
    kinds = {i.id: i.kind for i in plan.indicators}
    criterion = next(c for c in plan.criteria_of(LEVEL)
                     if kinds[c.indicator] == "percent" and stored.get(c.indicator) is not None)
    world = World(plan=plan, plan_version=version, registry=registry, period=period, published_period=closed,
                  run=unpublished["id"], published_run=published["id"], indicator=criterion.indicator,
                  criterion=criterion.id, own_value=stored[criterion.indicator])
    for role, (username, account_role, unit) in PEOPLE.items():
        account = await create_account(username, f"Người thử {role}", PASSWORD, account_role,
                                       unit_code=unit, actor="system")
        world.tokens[role] = await create_api_token(account["id"], "kiểm thử")
    return world


@pytest.fixture(scope="module")
def world(migrated_database: str) -> World:
    return run(load_world())


@pytest.fixture(scope="module")
def api(world: World) -> Iterator[TestClient[Any]]:
    """The app, started once per module; every test leaves it without cookies."""
    with TestClient(app=create_app()) as client:
        yield client


@pytest.fixture
def client(api: TestClient[Any]) -> Iterator[TestClient[Any]]:
    api.cookies.clear()
    yield api
    api.cookies.clear()
