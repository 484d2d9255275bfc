"""Small in-process caches for hot reads.

Results of a run never change once written, so a unit's breakdown is cached for good. Things
that can change (a run's published flag, a login session) are cached for a few seconds only,
and the worker that changes them drops its own entry at once; another worker sees the change
within ``ttl`` seconds (``THIDUA_CACHE_SECONDS``, default 5; 0 turns these caches off).
"""

from __future__ import annotations

import os
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")
MISSING = object()
_CLEARERS: list[Callable[[], None]] = []


def clear_all() -> None:
    """Empty every cache (after the database was emptied, e.g. between tests)."""
    for clear in _CLEARERS:
        clear()


def on_clear(clear: Callable[[], None]) -> None:
    """``clear`` runs with :func:`clear_all` (every ``TTLCache``, and caches kept elsewhere)."""
    _CLEARERS.append(clear)


def default_ttl() -> float:
    return float(os.environ.get("THIDUA_CACHE_SECONDS", "5"))


class TTLCache(Generic[K, V]):
    """Least-recently-used entries, each valid for ``ttl`` seconds (None: forever)."""

    def __init__(self, maxsize: int, ttl: float | None) -> None:
        self.maxsize = maxsize
        self.ttl = ttl
        self._data: OrderedDict[K, tuple[float, V]] = OrderedDict()
        on_clear(self.clear)

    def get(self, key: K) -> V | object:
        if self.ttl == 0:
            return MISSING
        found = self._data.get(key)
        if found is None:
            return MISSING
        expires, value = found
        if expires < time.monotonic():
            del self._data[key]
            return MISSING
        self._data.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        if self.ttl == 0:
            return
        expires = float("inf") if self.ttl is None else time.monotonic() + self.ttl
        self._data[key] = (expires, value)
        self._data.move_to_end(key)
        while len(self._data) > self.maxsize:
            self._data.popitem(last=False)

    def drop(self, key: K) -> None:
        self._data.pop(key, None)

    def clear(self) -> None:
        self._data.clear()
