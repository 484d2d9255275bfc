"""Database helpers shared by the services: the engine, write transactions, migrations."""

from __future__ import annotations

from collections.abc import Sequence
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


def in_write_transaction() -> bool:
    """Whether this task is inside a transaction that may write (not a read snapshot): what it
    reads may not have been committed, so no cache may keep it."""
    db = engine()
    current = db.current_transaction.get()
    if current is None:
        return False
    return not isinstance(db, SQLiteEngine) or current.transaction_type != TransactionType.deferred


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


async def bulk_write(table: type[Any], columns: Sequence[str], rows: Sequence[Sequence[Any]], *,
                     conflict: str | None = None, update: Sequence[str] = ()) -> None:
    """Insert many rows in one prepared statement run for every row (the driver's
    ``executemany``), upserting on ``conflict`` (a unique column) with ``update``'s columns.

    For the bulk paths (an import, a run's results, a registry) where building one ORM object
    and one rendered statement per row costs more than the database's work. Must run inside
    :func:`write_transaction`: its connection is the one written on, so the rows commit or
    roll back with everything else.
    """
    if not rows:
        return
    db = engine()
    transaction = db.current_transaction.get()
    if transaction is None:
        raise RuntimeError("bulk_write must run inside write_transaction()")
    sqlite = isinstance(db, SQLiteEngine)
    marks = ", ".join("?" if sqlite else f"${n}" for n in range(1, len(columns) + 1))
    names = ", ".join(f'"{c}"' for c in columns)
    sql = f'INSERT INTO "{table._meta.tablename}" ({names}) VALUES ({marks})'
    if conflict is not None:
        changes = ", ".join(f'"{c}" = excluded."{c}"' for c in update)
        sql += f' ON CONFLICT ("{conflict}") ' + (f"DO UPDATE SET {changes}" if update else "DO NOTHING")
    await transaction.connection.executemany(sql, [tuple(r) for r in rows])


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
