"""One statement on a PostgreSQL server's maintenance database: creating and dropping the fresh
databases that tests and benchmarks run on."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor


async def _execute(server: str, sql: str) -> None:
    import asyncpg  # type: ignore[import-untyped]

    conn = await asyncpg.connect(f"{server}/postgres", timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def on_server(server: str, sql: str) -> None:
    """Run ``sql`` on ``server`` (``postgres://user@host:port``) in a thread of its own, so it
    also works where an event loop is running (Playwright's, in the browser tests)."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _execute(server, sql)).result()
