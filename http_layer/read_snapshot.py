"""One database connection per read request on SQLite.

Piccolo opens a new SQLite connection (and thread) for every query made outside a
transaction, ~1.5–2 ms each; a page that makes nine queries spent most of its time there.
GET and HEAD requests therefore run inside one DEFERRED (read) transaction: one connection,
one consistent snapshot. Writes keep their own IMMEDIATE transactions. PostgreSQL uses its
connection pool and needs nothing of this.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from storage.db import engine

READS = ("GET", "HEAD")
# The API's hot reads and the dashboards are cached; a snapshot opened for a cache hit would
# cost more than it saves (the dashboard takes one itself, on a miss: see ``snapshot``).
SKIP = ("/api/", "/static/", "/schema", "/don-vi/")


@asynccontextmanager
async def snapshot() -> AsyncIterator[None]:
    """One read transaction (one connection) for a block of queries on SQLite."""
    db = engine()
    if isinstance(db, SQLiteEngine):
        async with db.transaction(transaction_type=TransactionType.deferred):
            yield
    else:
        yield


def read_snapshot_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        db = engine()
        if (scope["type"] != ScopeType.HTTP or scope["method"] not in READS
                or not isinstance(db, SQLiteEngine) or scope["path"].startswith(SKIP)):
            await app(scope, receive, send)
            return
        async with db.transaction(transaction_type=TransactionType.deferred):
            await app(scope, receive, send)

    return middleware
