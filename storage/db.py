"""Database helpers shared by the services: the engine, write transactions, migrations."""

from __future__ import annotations

from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.finder import engine_finder
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

CHUNK = 1000  # rows per multi-row INSERT


def engine() -> Engine[Any]:
    found = engine_finder()
    if found is None:
        raise RuntimeError("piccolo_conf.py not found: run from the project folder")
    return found


def is_sqlite() -> bool:
    return isinstance(engine(), SQLiteEngine)


def write_transaction() -> Any:
    """A transaction that takes the write lock at once on SQLite (no 'database is locked'
    between a read and a write of two concurrent requests); a plain one on PostgreSQL."""
    db = engine()
    if isinstance(db, SQLiteEngine):
        return db.transaction(transaction_type=TransactionType.immediate)
    return db.transaction()


async def migrate() -> None:
    """Apply every pending migration of every app (what ``thidua db migrate`` runs)."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    db = engine()
    if isinstance(db, SQLiteEngine):
        await db.run_ddl("PRAGMA journal_mode=WAL")
    response = await run_forwards(app_name="all")
    if not response.success:
        raise RuntimeError(response.message)


async def start_pool() -> None:
    db = engine()
    if not isinstance(db, SQLiteEngine):
        await db.start_connection_pool()  # type: ignore[no-untyped-call]


async def close_pool() -> None:
    db = engine()
    if not isinstance(db, SQLiteEngine):
        await db.close_connection_pool()  # type: ignore[no-untyped-call]


async def truncate_all() -> None:
    """Empty every table of every app (tests, and `thidua demo load --reset`)."""
    from piccolo.conf.apps import Finder

    from storage.cache import clear_all

    clear_all()
    tables = Finder().get_table_classes()
    db = engine()
    async with write_transaction():
        for table in reversed(tables):  # children before parents
            name = table._meta.tablename
            if isinstance(db, SQLiteEngine):
                await db.run_ddl(f'DELETE FROM "{name}"')
            else:
                await db.run_ddl(f'TRUNCATE "{name}" RESTART IDENTITY CASCADE')
