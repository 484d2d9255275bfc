"""Test database selection; runs before any test module imports a table.

``THIDUA_TEST_DATABASE=sqlite`` (default): a fresh SQLite file in a temporary folder.
``THIDUA_TEST_DATABASE=postgres``: a fresh database on the PostgreSQL server at
``THIDUA_TEST_PG`` (default ``postgres://postgres@127.0.0.1:5432``), dropped afterwards.
Tests marked ``db`` skip, saying why, only when that server does not answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
import uuid
from collections.abc import Iterator

import pytest

from storage.pg_server import on_server

KIND = os.environ.get("THIDUA_TEST_DATABASE", "sqlite")
PG_SERVER = os.environ.get("THIDUA_TEST_PG", "postgres://postgres@127.0.0.1:5432")
_pg_db = f"thidua_test_{uuid.uuid4().hex[:10]}"
_unavailable: str | None = None



if KIND == "postgres":
    try:
        on_server(PG_SERVER, f'CREATE DATABASE "{_pg_db}"')
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{_pg_db}"
    except (TimeoutError, OSError) as exc:  # no server answers
        _unavailable = f"PostgreSQL không trả lời tại {PG_SERVER}: {exc}"
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/unused.sqlite"
else:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='thidua-test-')}/thidua.sqlite"
os.environ.setdefault("THIDUA_DB_POOL", "0")
# Tests mix processes (CLI subprocesses, a browser's server) on one database: no stale reads.
os.environ.setdefault("THIDUA_CACHE_SECONDS", "0")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _unavailable:
        skip = pytest.mark.skip(reason=_unavailable)
        for item in items:
            if "db" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def migrated_database() -> Iterator[str]:
    """Every migration applied once per test session, on the chosen engine."""
    from storage.db import migrate

    asyncio.run(migrate())
    yield os.environ["DATABASE_URL"]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if KIND == "postgres" and not _unavailable:
        with contextlib.suppress(OSError):
            on_server(PG_SERVER, f'DROP DATABASE IF EXISTS "{_pg_db}" WITH (FORCE)')


@pytest.fixture
async def clean_db(migrated_database: str) -> str:
    """An empty database (all tables emptied, migrations kept) for one test."""
    from storage.db import truncate_all

    await truncate_all()
    return migrated_database
