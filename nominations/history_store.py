"""Stored history: import files all or nothing, load a :class:`History` with lineage, show a unit's.

A record's ``key`` is ``"<unit>|<year>|<kind>|<value>|<detail>"``: importing a file twice adds
nothing. A fact that contradicts a stored one (another rating for the same year, a title held
under another decision) refuses the import, naming the row; the stored record is corrected
deliberately, not overwritten by a file. Only an initiative's ``used_for`` is updated in place.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nominations.history import History, HistoryEntry
from nominations.history_codes import KIND_ORDER, kind_label, label, short_label
from nominations.history_io import HistoryRows, Source, identity, read_history
from nominations.tables import HistoryRecord
from scoring.core.units import Registry
from scoring.intake.checks import Issues
from scoring.intake.reader import IntakeError
from scoring.registry.store import load_registry_from_db
from storage.audit import record
from storage.db import CHUNK, write_transaction
from storage.errors import ServiceError

H = HistoryRecord
IN_CHUNK = 500  # codes per IN (...) list: well under SQLite's variable limit
_ENTRY_COLUMNS = (H.unit_code, H.year, H.kind, H.value, H.detail, H.used_for)


def record_key(entry: HistoryEntry) -> str:
    return f"{entry.unit_code}|{entry.year}|{entry.kind}|{entry.value}|{entry.detail}"


def _entry(row: Mapping[str, Any]) -> HistoryEntry:
    return HistoryEntry(row["unit_code"], int(row["year"]), row["kind"], row["value"],
                        row["detail"] or "", row["used_for"] or "")


def _refusal(issues: Sequence[Any]) -> ServiceError:
    return ServiceError(
        "import_invalid",
        f"Tệp có {len(issues)} lỗi; không có dòng lịch sử thi đua, khen thưởng nào được nhận.",
        details=[{"file": i.file, "row": i.row, "column": i.column, "reason": i.reason} for i in issues],
    )


async def _stored(codes: Iterable[str]) -> list[HistoryEntry]:
    wanted = sorted(set(codes))
    rows: list[dict[str, Any]] = []
    for start in range(0, len(wanted), IN_CHUNK):
        rows += await H.select(*_ENTRY_COLUMNS).where(H.unit_code.is_in(wanted[start:start + IN_CHUNK]))
    return [_entry(r) for r in rows]


Plan = tuple[list[HistoryEntry], list[HistoryEntry], int]


def _plan(data: HistoryRows, stored: list[HistoryEntry]) -> Plan:
    """New entries, entries whose ``used_for`` changes, and how many are already stored;
    a contradiction of a stored fact raises ``import_invalid`` naming the row."""
    by_key = {record_key(e): e for e in stored}
    by_identity = {identity(e): e for e in stored}
    issues = Issues()
    new: list[HistoryEntry] = []
    changed: list[HistoryEntry] = []
    unchanged = 0
    for entry, at in zip(data.entries, data.sources, strict=True):
        old = by_key.get(record_key(entry))
        if old is not None:
            if old.used_for == entry.used_for:
                unchanged += 1
            else:
                changed.append(entry)
            continue
        other = by_identity.get(identity(entry))
        if other is not None:
            _contradiction(issues, at, entry, other)
        else:
            new.append(entry)
    if issues:
        raise _refusal(issues.sorted())
    return new, changed, unchanged


def _contradiction(issues: Issues, at: Source, entry: HistoryEntry, other: HistoryEntry) -> None:
    if entry.kind == "rating":
        reason = (f"«{entry.unit_code}» đã có xếp loại năm {entry.year} là "
                  f"«{short_label('rating', other.value)}» trong cơ sở dữ liệu; mỗi năm chỉ có một xếp loại")
    else:
        reason = (f"«{entry.unit_code}» đã có «{short_label(entry.kind, entry.value)}» năm {entry.year} "
                  f"trong cơ sở dữ liệu với chi tiết «{other.detail}», khác với «{entry.detail}» ở tệp này")
    issues.add(at.index, at.file, at.row, at.column, reason)


def _sha256(path: Path | str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _content_sha256(entries: Iterable[HistoryEntry]) -> str:
    lines = sorted(f"{record_key(e)}|{e.used_for}\n" for e in entries)
    return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()


async def import_history(paths: Sequence[Path | str], actor: str, dry_run: bool = False) -> dict[str, Any]:
    """Check every file; if all is well, store every new record in one transaction (audited).

    Returns the counts: ``rows`` read, ``new``, ``changed`` (an initiative's ``used_for``),
    ``unchanged`` (already stored), ``by_kind``, ``units``, the files' ``sha256``.
    """
    registry = await load_registry_from_db()
    try:
        data = await asyncio.to_thread(read_history, list(paths), registry)
    except IntakeError as err:
        raise _refusal(err.issues) from None
    by_kind: dict[str, int] = dict.fromkeys(KIND_ORDER, 0)
    for entry in data.entries:
        by_kind[entry.kind] += 1
    summary: dict[str, Any] = {
        "files": [Path(p).name for p in paths],
        "sha256": {Path(p).name: _sha256(p) for p in paths},
        "content_sha256": _content_sha256(data.entries),
        "rows": len(data.entries),
        "units": len({e.unit_code for e in data.entries}),
        "by_kind": by_kind,
        "dry_run": dry_run,
    }
    codes = {e.unit_code for e in data.entries}
    if dry_run:
        new, changed, summary["unchanged"] = _plan(data, await _stored(codes))
        summary["new"], summary["changed"] = len(new), len(changed)
        return summary
    async with write_transaction():
        new, changed, summary["unchanged"] = _plan(data, await _stored(codes))
        summary["new"], summary["changed"] = len(new), len(changed)
        await _write(new, changed, actor)
        await record(actor, "history.import", "history", summary["content_sha256"], after=summary)
    return summary


async def _write(new: list[HistoryEntry], changed: list[HistoryEntry], actor: str) -> None:
    now = datetime.now(UTC)
    rows = [H(key=record_key(e), unit_code=e.unit_code, year=e.year, kind=e.kind, value=e.value,
              detail=e.detail, used_for=e.used_for, imported_by=actor, imported_at=now) for e in new]
    for start in range(0, len(rows), CHUNK):  # a concurrent import of the same rows adds nothing
        await H.insert(*rows[start:start + CHUNK]).on_conflict(target=H.key, action="DO NOTHING")
    for entry in changed:
        await H.update({H.used_for: entry.used_for, H.imported_by: actor, H.imported_at: now}).where(
            H.key == record_key(entry))


def predecessors(registry: Registry) -> dict[str, list[str]]:
    """Unit → the units it succeeded (those naming it in ``successors``), in registry order."""
    lineage: dict[str, list[str]] = defaultdict(list)
    for unit in registry.units:
        for successor in unit.successors:
            lineage[successor].append(unit.code)
    return dict(lineage)


def _with_predecessors(codes: Iterable[str], lineage: Mapping[str, Sequence[str]]) -> set[str]:
    found, todo = set(codes), list(codes)
    while todo:
        for before in lineage.get(todo.pop(), ()):
            if before not in found:
                found.add(before)
                todo.append(before)
    return found


async def load_history(unit_codes: Iterable[str] | None = None) -> History:
    """The stored history with the registry's lineage; with ``unit_codes``, only the records
    of those units and of their predecessors (transitively)."""
    lineage = predecessors(await load_registry_from_db())
    if unit_codes is None:
        entries = [_entry(r) for r in await H.select(*_ENTRY_COLUMNS)]
    else:
        entries = await _stored(_with_predecessors(list(unit_codes), lineage))
    return History(entries, lineage)


async def unit_history(unit_code: str) -> list[dict[str, Any]]:
    """A unit's records and its predecessors', newest year first, with Vietnamese labels."""
    registry = await load_registry_from_db()
    if not registry.has(unit_code):
        raise ServiceError("not_found", f"Không có đơn vị hoặc cá nhân mã «{unit_code}» trong danh mục.")
    own = _with_predecessors([unit_code], predecessors(registry))
    rows = []
    for start in range(0, len(own), IN_CHUNK):
        rows += await H.select(*_ENTRY_COLUMNS, H.imported_by, H.imported_at).where(
            H.unit_code.is_in(sorted(own)[start:start + IN_CHUNK]))
    order = {kind: i for i, kind in enumerate(KIND_ORDER)}
    rows.sort(key=lambda r: (-r["year"], order.get(r["kind"], 9), r["value"], r["detail"]))
    return [{
        "unit_code": r["unit_code"], "inherited": r["unit_code"] != unit_code,
        "unit_name": registry.unit(r["unit_code"]).name if registry.has(r["unit_code"]) else "",
        "year": r["year"], "kind": r["kind"], "kind_label": kind_label(r["kind"]),
        "value": r["value"], "value_label": label(r["kind"], r["value"]),
        "value_short": short_label(r["kind"], r["value"]), "detail": r["detail"] or "",
        "used_for": r["used_for"] or "",
        "used_for_label": label("title", r["used_for"]) if r["used_for"] else "",
        "imported_by": r["imported_by"], "imported_at": r["imported_at"],
    } for r in rows]
