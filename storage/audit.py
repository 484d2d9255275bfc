"""The append-only, hash-chained audit log.

Every write goes through :func:`record` inside the caller's transaction, so an audited change
and its entry commit or roll back together. Each entry's hash covers its own content and
the previous entry's hash: altering, inserting or deleting a row breaks the chain, and
:func:`verify` names the first entry where it breaks.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypedDict, cast

from storage.db import is_sqlite
from storage.tables import AuditEntry
from storage.versions import mark_changed

GENESIS = "0" * 64
_PG_LOCK = 6_062_022  # advisory lock id: one writer appends to the chain at a time


def canonical(value: Any) -> str:
    if value is None:
        return ""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(seq: int, at: datetime, actor: str, action: str, entity: str, entity_id: str,
               unit_code: str | None, before: str, after: str, prev_hash: str) -> str:
    body = "\x1f".join([str(seq), _stamp(at), actor, action, entity, entity_id, unit_code or "",
                        before, after, prev_hash])
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


async def record(actor: str, action: str, entity: str, entity_id: str | int, *,
                 before: Any = None, after: Any = None, unit_code: str | None = None) -> int:
    """Append one entry (call inside the transaction that makes the change); returns its seq."""
    if not is_sqlite():
        await AuditEntry.raw("SELECT pg_advisory_xact_lock({})", _PG_LOCK)
    last = await AuditEntry.select(AuditEntry.seq, AuditEntry.entry_hash).order_by(
        AuditEntry.seq, ascending=False).limit(1)
    seq = last[0]["seq"] + 1 if last else 1
    prev = last[0]["entry_hash"] if last else GENESIS
    at = datetime.now(UTC)
    b, a = canonical(before), canonical(after)
    digest = entry_hash(seq, at, actor, action, entity, str(entity_id), unit_code, b, a, prev)
    await AuditEntry.insert(AuditEntry(
        seq=seq, at=at, actor=actor, action=action, entity=entity, entity_id=str(entity_id),
        unit_code=unit_code, before=b, after=a, prev_hash=prev, entry_hash=digest,
    ))
    await mark_changed(action, seq, digest)
    return seq


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


async def verify(batch: int = 5000) -> Verification:
    """Walk the chain in order; the first entry whose hash or link is wrong is reported."""
    prev = GENESIS
    expected_seq = 1
    checked = 0
    after_seq = 0
    while True:
        rows = await AuditEntry.select().where(AuditEntry.seq > after_seq).order_by(
            AuditEntry.seq).limit(batch)
        if not rows:
            return Verification(True, checked)
        for row in rows:
            seq = row["seq"]
            if seq != expected_seq:
                return Verification(False, checked, expected_seq,
                                    f"thiếu mục số {expected_seq} (mục tiếp theo là {seq})")
            if row["prev_hash"] != prev:
                return Verification(False, checked, seq, "liên kết tới mục trước không khớp")
            digest = entry_hash(seq, row["at"], row["actor"], row["action"], row["entity"],
                                row["entity_id"], row["unit_code"], row["before"], row["after"],
                                row["prev_hash"])
            if digest != row["entry_hash"]:
                return Verification(False, checked, seq, "nội dung đã bị sửa sau khi ghi")
            prev = row["entry_hash"]
            expected_seq += 1
            checked += 1
        after_seq = rows[-1]["seq"]


# --- reading ------------------------------------------------------------------------------------


class AuditRow(TypedDict):
    """One stored entry, every column as the table holds it (``at`` in UTC)."""

    id: int
    seq: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    unit_code: str | None
    before: str
    after: str
    prev_hash: str
    entry_hash: str


@dataclass(frozen=True)
class AuditFilter:
    """Which entries to read; an empty field does not filter. ``until`` is exclusive."""

    unit_code: str | None = None
    actor: str | None = None
    action: str | None = None
    entity_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _where(found: AuditFilter) -> list[Any]:
    where: list[Any] = []
    if found.unit_code:
        where.append(AuditEntry.unit_code == found.unit_code)
    if found.actor:
        where.append(AuditEntry.actor == found.actor)
    if found.action:
        where.append(AuditEntry.action == found.action)
    if found.entity_id:
        where.append(AuditEntry.entity_id == found.entity_id)
    if found.since:
        where.append(AuditEntry.at >= found.since)
    if found.until:
        where.append(AuditEntry.at < found.until)
    return where


async def audit_entries(found: AuditFilter, limit: int, offset: int = 0) -> list[AuditRow]:
    """The entries matching ``found``, newest first, one page of at most ``limit``."""
    query = AuditEntry.select().order_by(AuditEntry.seq, ascending=False).limit(limit)
    if offset:
        query = query.offset(offset)
    if where := _where(found):
        query = query.where(*where)
    return cast(list[AuditRow], await query)


async def count_audit_entries(found: AuditFilter) -> int:
    """How many entries match ``found`` (for paging)."""
    query = AuditEntry.count()
    if where := _where(found):
        query = query.where(*where)
    return int(await query)
