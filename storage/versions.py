"""Versions of what pages show, shared by every server through the database.

Two versions are kept in the key-value table, each the audit entry (seq and hash: after the
database was emptied and filled again, a seq can come back) of the last change it covers,
written by :func:`storage.audit.record` in the same transaction as the change, so it moves
exactly when such a change commits, whichever server or CLI made it:

- ``public_version``: what a visitor of the public pages (the ranking, a unit's public page,
  the methodology) can see change: a publication, the registry (units, clusters, the
  province), a period, a plan, imported history, the first account;
- ``results_version``: all of that and every run (started, shared, published): what a unit's
  dashboard shows;
- ``registry_version``: the registry alone (units, clusters, the province), under which each
  worker keeps the registry it last read (``scoring.registry.store``).

Pages built from them are cached per version. Each worker reads a version at most once every
``THIDUA_PUBLIC_RECHECK_SECONDS`` (default 1): a page is never staler than that bound. A worker
that has just made or answered a write reads again at once (:meth:`VersionWatch.expire`), so
whoever publishes sees the new ranking on the next page.
"""

from __future__ import annotations

import asyncio
import os
import time

from storage.cache import on_clear
from storage.tables import KeyValue

PUBLIC, RESULTS, REGISTRY = "public_version", "results_version", "registry_version"
# Audit actions (or their prefixes) that move each version.
REGISTRY_ACTIONS = ("registry.", "unit.", "cluster.", "province.")
PUBLIC_ACTIONS = (*REGISTRY_ACTIONS, "run.publish", "period.", "plan.", "history.", "account.create")
RESULT_ACTIONS = (*PUBLIC_ACTIONS, "run.")
MOVES = ((PUBLIC, PUBLIC_ACTIONS), (RESULTS, RESULT_ACTIONS), (REGISTRY, REGISTRY_ACTIONS))


def versions_moved_by(action: str) -> tuple[str, ...]:
    return tuple(key for key, actions in MOVES if action.startswith(actions))


async def mark_changed(action: str, seq: int, entry_hash: str) -> None:
    """Inside the transaction of a change: the versions it moves become its audit entry; this
    worker's watches of them read again (and again after the commit: see ``web.page_cache``)."""
    for key in versions_moved_by(action):
        await KeyValue.insert(KeyValue(key=key, value=f"{seq}-{entry_hash[:12]}")).on_conflict(
            target=KeyValue.key, action="DO UPDATE", values=[KeyValue.value])
        if key in watches:
            watches[key].expire()


async def read_version(key: str = PUBLIC) -> str:
    row = await KeyValue.select(KeyValue.value).where(KeyValue.key == key).first()
    return str(row["value"]) if row else "0"


def recheck_seconds() -> float:
    return float(os.environ.get("THIDUA_PUBLIC_RECHECK_SECONDS", "1"))


class VersionWatch:
    """This worker's copy of version ``key``, read again once it is ``bound`` seconds old or
    expired. A read that was under way when :meth:`expire` was called does not count as fresh."""

    def __init__(self, key: str, bound: float | None = None) -> None:
        self.key = key
        self.bound = recheck_seconds() if bound is None else bound
        self.value = "0"
        self.read_at = float("-inf")
        self.generation = 0  # moved by every expiry
        self._locks: dict[asyncio.AbstractEventLoop, asyncio.Lock] = {}

    async def current(self) -> str:
        if time.monotonic() - self.read_at < self.bound:
            return self.value
        loop = asyncio.get_running_loop()
        if loop not in self._locks:  # a lock belongs to one event loop (tests start several)
            self._locks = {loop: asyncio.Lock()}
        async with self._locks[loop]:  # one read at a time; the others take what it read
            if time.monotonic() - self.read_at >= self.bound:
                started, generation = time.monotonic(), self.generation
                self.value = await read_version(self.key)
                if generation == self.generation:
                    self.read_at = started
        return self.value

    def expire(self) -> None:
        self.generation += 1
        self.read_at = float("-inf")


watches = {key: VersionWatch(key) for key in (PUBLIC, RESULTS)}
public_watch, results_watch = watches[PUBLIC], watches[RESULTS]


def expire_all() -> None:
    for one in watches.values():
        one.expire()


on_clear(expire_all)
