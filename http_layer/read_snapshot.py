"""One database connection per read request on SQLite.

Piccolo opens a new SQLite connection (and thread) for every query made outside a
transaction, ~1.5–2 ms each; a page that makes nine queries spent most of its time there.
GET and HEAD requests therefore run inside one DEFERRED (read) transaction: one connection,
one consistent snapshot. Writes keep their own IMMEDIATE transactions. PostgreSQL uses its
connection pool. On both, a read request is one scope of :mod:`storage.reads`: the registry,
a plan, the periods are read once however many parts of the page ask for them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from storage.db import engine
from storage.reads import read_scope

READS = ("GET", "HEAD")
# Route option of a handler that opens ``snapshot`` itself, only when it reads (a cache miss).
OWN_SNAPSHOT = "own_snapshot"
# The API's hot reads are cached; a snapshot opened for a cache hit would cost more than it
# saves. (A dashboard's session lookup needs a connection anyway: its snapshot shares it.)
SKIP = ("/api/", "/static/", "/schema")


@asynccontextmanager
async def snapshot() -> AsyncIterator[None]:
    """One read for a block of queries: nothing loaded twice (:mod:`storage.reads`), and on
    SQLite one read transaction (one connection)."""
    db = engine()
    with read_scope():
        if isinstance(db, SQLiteEngine):
            async with db.transaction(transaction_type=TransactionType.deferred):
                yield
        else:
            yield


def _own_snapshot(scope: Scope) -> bool:
    handler = scope.get("route_handler")
    return bool(handler is not None and handler.opt.get(OWN_SNAPSHOT))


def read_snapshot_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != ScopeType.HTTP or scope["method"] not in READS
                or scope["path"].startswith(SKIP) or _own_snapshot(scope)):
            await app(scope, receive, send)
            return
        async with snapshot():
            await app(scope, receive, send)

    return middleware
