"""Evidence files (tài liệu kiểm chứng) per indicator value: a unit's scanned decisions,
photos, reports.

A file is at most ``THIDUA_MAX_EVIDENCE_MB`` (default 20) MB; its type is read from its content
(PDF, JPEG, PNG, WebP, Word, Excel, PowerPoint, OpenDocument), never from its name; anything
else is refused. Its bytes are stored once by sha256 in the database (every app server sees
them), and the file's row and its bytes are written in one transaction with the audit entry:
a crash mid-way leaves neither. A removal keeps the row and records who, when and why.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from datetime import UTC, datetime
from typing import Any

import filetype  # type: ignore[import-untyped]

from scoring.services.periods import get_period
from scoring.services.plan_store import load_plan_version
from scoring.tables import EvidenceBlob, EvidenceFile
from storage.audit import record
from storage.db import write_transaction
from storage.errors import ServiceError
from storage.faults import fault_point

ALLOWED = {  # media type read from the content → what people call it
    "application/pdf": "PDF",
    "image/jpeg": "ảnh JPEG",
    "image/png": "ảnh PNG",
    "image/webp": "ảnh WebP",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word (.docx)",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel (.xlsx)",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint (.pptx)",
    "application/msword": "Word (.doc)",
    "application/vnd.ms-excel": "Excel (.xls)",
    "application/vnd.oasis.opendocument.text": "OpenDocument (.odt)",
    "application/vnd.oasis.opendocument.spreadsheet": "OpenDocument (.ods)",
    "application/vnd.ms-powerpoint": "PowerPoint (.ppt)",
    "application/vnd.oasis.opendocument.presentation": "OpenDocument (.odp)",
}
INLINE = {"application/pdf", "image/jpeg", "image/png", "image/webp"}  # a browser shows these itself
MAX_NAME = 200
_COLUMNS = (EvidenceFile.id, EvidenceFile.unit_code, EvidenceFile.indicator, EvidenceFile.sha256,
            EvidenceFile.name, EvidenceFile.size, EvidenceFile.media_type, EvidenceFile.uploaded_by,
            EvidenceFile.uploaded_at, EvidenceFile.removed_by, EvidenceFile.removed_at,
            EvidenceFile.removal_reason)


def max_bytes() -> int:
    return int(float(os.environ.get("THIDUA_MAX_EVIDENCE_MB") or 20) * 1024 * 1024)


def media_type_of(data: bytes) -> str:
    """The type the content says it is (``filetype`` reads the first bytes); refused if not allowed."""
    kind = filetype.guess(data[:8192]) if data else None
    found: str | None = str(kind.mime) if kind is not None else None
    if found == "application/x-ole-storage" or (found is None and data.startswith(b"\xd0\xcf\x11\xe0")):
        found = "application/msword"  # an old Office file: served as a download, never shown
    if found not in ALLOWED:
        kinds = ", ".join(sorted(set(ALLOWED.values())))
        raise ServiceError("invalid_input", f"Tệp không phải tài liệu kiểm chứng được nhận ({kinds}).",
                           details={"field": "file"})
    return found


def clean_name(name: str) -> str:
    """The file's name as shown: no folder, no control characters, at most 200 characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C")
    return text.strip()[:MAX_NAME] or "tai-lieu"


async def _check_value(period_id: int, unit_code: str, indicator_id: str) -> None:
    period = await get_period(period_id)
    plan = await load_plan_version(period["plan_version"])
    if indicator_id not in {i.id for i in plan.indicators}:
        raise ServiceError("not_found", f"Kế hoạch của kỳ này không có chỉ tiêu «{indicator_id}».")


async def add_evidence(period_id: int, unit_code: str, indicator_id: str, name: str, data: bytes,
                       actor: str) -> dict[str, Any]:
    """Store one file for the value; the bytes once per content."""
    if not data:
        raise ServiceError("invalid_input", "Tệp rỗng.", details={"field": "file"})
    if len(data) > max_bytes():
        raise ServiceError("invalid_input", f"Tệp lớn hơn {max_bytes() // (1024 * 1024)} MB.",
                           details={"field": "file"})
    media_type = media_type_of(data)
    await _check_value(period_id, unit_code, indicator_id)
    digest = hashlib.sha256(data).hexdigest()
    row = EvidenceFile(period=period_id, unit_code=unit_code, indicator=indicator_id, sha256=digest,
                       name=clean_name(name), size=len(data), media_type=media_type, uploaded_by=actor,
                       uploaded_at=datetime.now(UTC))
    async with write_transaction():
        if not await EvidenceBlob.exists().where(EvidenceBlob.sha256 == digest):
            await EvidenceBlob.insert(EvidenceBlob(sha256=digest, size=len(data), media_type=media_type,
                                                   content=data))
        await fault_point("evidence.blob")  # the crash test's point (storage.faults)
        await row.save()
        await record(actor, "evidence.add", "evidence_file", row.id, unit_code=unit_code, after={
            "period": period_id, "indicator": indicator_id, "name": row.name, "sha256": digest,
            "size": len(data)})
    return await get_evidence(period_id, int(row.id))


async def list_evidence(period_id: int, unit_code: str, indicator_id: str) -> list[dict[str, Any]]:
    """The value's files, oldest first, removed ones included (marked)."""
    return list(await EvidenceFile.select(*_COLUMNS).where(
        (EvidenceFile.period == period_id) & (EvidenceFile.unit_code == unit_code)
        & (EvidenceFile.indicator == indicator_id)).order_by(EvidenceFile.id))


async def get_evidence(period_id: int, file_id: int) -> dict[str, Any]:
    row = await EvidenceFile.select(*_COLUMNS).where(
        (EvidenceFile.id == file_id) & (EvidenceFile.period == period_id)).first()
    if row is None:
        raise ServiceError("not_found", f"Không có tài liệu kiểm chứng số {file_id} trong kỳ này.")
    return dict(row)


async def evidence_content(sha256: str) -> bytes:
    row = await EvidenceBlob.select(EvidenceBlob.content).where(EvidenceBlob.sha256 == sha256).first()
    if row is None:
        raise ServiceError("not_found", "Không còn nội dung của tài liệu này.")
    return bytes(row["content"])


async def remove_evidence(period_id: int, file_id: int, reason: str, actor: str) -> dict[str, Any]:
    """Mark the file removed (it stays listed, with who, when and why); the reason is required."""
    reason = reason.strip()
    if not reason:
        raise ServiceError("invalid_input", "Gỡ tài liệu kiểm chứng phải ghi rõ lý do.",
                           details={"field": "reason"})
    row = await get_evidence(period_id, file_id)
    if row["removed_at"] is not None:
        raise ServiceError("conflict", "Tài liệu này đã được gỡ trước đó.")
    async with write_transaction():
        await EvidenceFile.update({
            EvidenceFile.removed_by: actor, EvidenceFile.removed_at: datetime.now(UTC),
            EvidenceFile.removal_reason: reason[:1000]}).where(EvidenceFile.id == file_id)
        await record(actor, "evidence.remove", "evidence_file", file_id, unit_code=row["unit_code"],
                     before={"name": row["name"], "sha256": row["sha256"]}, after={"reason": reason[:1000]})
    return await get_evidence(period_id, file_id)
