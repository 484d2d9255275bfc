"""The version of what the public sees, shared by every server through the database.

Published results never change, so the public pages (the ranking, a unit's public page, the
methodology) are cached per version. The version is the audit entry of the last
change a visitor could see: a publication, the registry (units, clusters, the province), a
period, a plan, imported history, the first account. :func:`storage.audit.record` stores it in
the same transaction as the change (key ``public_version`` of the key-value table), so it
moves exactly when such a change commits, whichever server or CLI made it.

Each worker reads it at most once every ``THIDUA_PUBLIC_RECHECK_SECONDS`` (default 1): a page
is never staler than that bound. A worker that has just answered a write re-reads at once
(:meth:`VersionWatch.expire`), so whoever publishes sees the new ranking on the next page.
"""

from __future__ import annotations

import asyncio
import os
import time

from storage.cache import on_clear
from storage.tables import KeyValue

KEY = "public_version"
# Audit actions (or their prefixes) whose change a visitor of the public pages can see.
PUBLIC_ACTIONS = ("run.publish", "run.unpublish", "registry.", "unit.", "cluster.", "period.",
                  "plan.", "province.", "history.", "account.create")


def is_public(action: str) -> bool:
    return action.startswith(PUBLIC_ACTIONS)


async def mark_changed(seq: int, entry_hash: str) -> None:
    """Inside the transaction of a public change: the version becomes its audit entry (its seq,
    and its hash: after the database was emptied and filled again, a seq can come back)."""
    await KeyValue.insert(KeyValue(key=KEY, value=f"{seq}-{entry_hash[:12]}")).on_conflict(
        target=KeyValue.key, action="DO UPDATE", values=[KeyValue.value])


async def read_version() -> str:
    row = await KeyValue.select(KeyValue.value).where(KeyValue.key == KEY).first()
    return str(row["value"]) if row else "0"


def recheck_seconds() -> float:
    return float(os.environ.get("THIDUA_PUBLIC_RECHECK_SECONDS", "1"))


class VersionWatch:
    """This worker's copy of the version, read again once it is ``bound`` seconds old."""

    def __init__(self, bound: float | None = None) -> None:
        self.bound = recheck_seconds() if bound is None else bound
        self.value = "0"
        self.read_at = float("-inf")
        self._locks: dict[asyncio.AbstractEventLoop, asyncio.Lock] = {}

    async def current(self) -> str:
        if time.monotonic() - self.read_at < self.bound:
            return self.value
        loop = asyncio.get_running_loop()
        if loop not in self._locks:  # a lock belongs to one event loop (tests start several)
            self._locks = {loop: asyncio.Lock()}
        async with self._locks[loop]:  # one read at a time; the others take what it read
            if time.monotonic() - self.read_at >= self.bound:
                started = time.monotonic()
                self.value = await read_version()
                self.read_at = started
        return self.value

    def expire(self) -> None:
        self.read_at = float("-inf")


watch = VersionWatch()
on_clear(watch.expire)
