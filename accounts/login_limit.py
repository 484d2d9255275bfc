"""The login limiter: per account and per client address, shared by every worker through the
database, atomic on both engines.

An attempt is *reserved* before its password is checked — counted as a failure at once, in one
write transaction that locks the two counters (SQLite's IMMEDIATE transaction; ``FOR UPDATE`` on
PostgreSQL) — so forty parallel guesses are forty reservations in turn, and only the first few are
checked. Once an account (or a client) has ``limit`` failures, each further attempt, the owner's
included, must wait a delay that doubles from one second up to 60 seconds, and is never refused
for longer (NIST SP 800-63B §5.2.2). A success clears the account's counter and this client's
share of it. Counters are forgotten ``window`` seconds after the last failure.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from accounts.security import token_digest
from storage.db import is_sqlite, write_transaction
from storage.errors import ServiceError
from storage.tables import KeyValue

PREFIX = "login"
MAX_DELAY_S = 60


@dataclass(frozen=True)
class Reservation:
    account_key: str
    client_key: str


def _key(kind: str, text: str) -> str:
    return f"{PREFIX}:{kind}:{token_digest(text)[:32]}"


def delay_after(failures: int, limit: int) -> float:
    """Seconds the next attempt waits after ``failures`` failures: none below the limit, then
    1, 2, 4, … seconds, at most 60."""
    if failures < limit:
        return 0.0
    return float(min(MAX_DELAY_S, 2 ** (failures - limit)))


async def _locked_state(key: str, now: datetime) -> dict[str, float]:
    """The counter's state, its row locked for this transaction (created if missing)."""
    await KeyValue.insert(KeyValue(key=key, value="{}", expires_at=now)).on_conflict(
        target=KeyValue.key, action="DO NOTHING")
    query = KeyValue.select(KeyValue.value, KeyValue.expires_at).where(KeyValue.key == key)
    if not is_sqlite():
        query = query.lock_rows("UPDATE")
    row = await query.first()
    if row is None or row["expires_at"] is None or row["expires_at"] <= now:
        return {"failures": 0, "next_at": 0.0}
    state: dict[str, float] = json.loads(row["value"] or "{}")
    return {"failures": state.get("failures", 0), "next_at": state.get("next_at", 0.0)}


async def reserve(username: str, client: str, *, limit: int, client_limit: int,
                  window_s: int) -> Reservation:
    """Count this attempt before its password is checked, or refuse it (``rate_limited``, with
    ``retry_after_s``) while the account or the client must still wait."""
    now = datetime.now(UTC)
    stamp = now.timestamp()
    keys = (_key("u", username), _key("c", client or "?"))
    async with write_transaction():
        states = [await _locked_state(k, now) for k in keys]
        wait = max(s["next_at"] - stamp for s in states)
        if wait > 0:
            seconds = math.ceil(wait)
            raise ServiceError(
                "rate_limited",
                f"Đăng nhập sai nhiều lần: vui lòng chờ {seconds} giây rồi thử lại.",
                {"retry_after_s": seconds})
        for key, state, most in zip(keys, states, (limit, client_limit), strict=True):
            failures = int(state["failures"]) + 1
            value = {"failures": failures, "next_at": stamp + delay_after(failures, most)}
            await KeyValue.update({KeyValue.value: json.dumps(value),
                                   KeyValue.expires_at: now + timedelta(seconds=window_s)}).where(
                KeyValue.key == key)
    return Reservation(*keys)


async def succeeded(reservation: Reservation) -> None:
    """A correct password: the account's counter starts again, and this client's attempt is not
    held against it."""
    now = datetime.now(UTC)
    async with write_transaction():
        await KeyValue.delete().where(KeyValue.key == reservation.account_key)
        state = await _locked_state(reservation.client_key, now)
        failures = max(0, int(state["failures"]) - 1)
        await KeyValue.update({KeyValue.value: json.dumps({"failures": failures, "next_at": 0.0})}).where(
            KeyValue.key == reservation.client_key)
        await KeyValue.delete().where(KeyValue.key.like(f"{PREFIX}:%"), KeyValue.expires_at <= now)
