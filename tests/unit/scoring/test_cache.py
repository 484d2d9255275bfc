"""The in-process cache: entries expire, the least recently used go first, 0 turns it off."""

from __future__ import annotations

import pytest

from storage import cache
from storage.cache import MISSING, TTLCache


def test_entries_expire_after_their_ttl(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(cache.time, "monotonic", lambda: now[0])
    c: TTLCache[str, int] = TTLCache(maxsize=10, ttl=5)
    c.put("phiên", 1)
    now[0] += 4.9
    assert c.get("phiên") == 1
    now[0] += 0.2
    assert c.get("phiên") is MISSING, "một phiên đã hết hạn trong bộ nhớ đệm vẫn được dùng"


def test_least_recently_used_is_evicted_first() -> None:
    c: TTLCache[str, int] = TTLCache(maxsize=2, ttl=None)
    c.put("a", 1)
    c.put("b", 2)
    assert c.get("a") == 1  # a is now the most recent
    c.put("c", 3)
    assert c.get("b") is MISSING and c.get("a") == 1 and c.get("c") == 3


def test_ttl_zero_disables_and_drop_and_clear_all_forget() -> None:
    off: TTLCache[str, int] = TTLCache(maxsize=2, ttl=0)
    off.put("a", 1)
    assert off.get("a") is MISSING
    on: TTLCache[str, int] = TTLCache(maxsize=2, ttl=None)
    on.put("a", 1)
    on.put("b", 2)
    on.drop("a")
    assert on.get("a") is MISSING and on.get("b") == 2
    cache.clear_all()
    assert on.get("b") is MISSING
