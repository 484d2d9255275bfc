"""Evidence files of an indicator value (tài liệu kiểm chứng)."""

from __future__ import annotations

from datetime import datetime

import msgspec


class EvidenceFilePublic(msgspec.Struct):
    """One evidence file: what it is, who sent it and when; a removed one says who removed it and why."""

    id: int
    unit_code: str
    indicator: str
    sha256: str
    name: str
    size: int
    media_type: str
    uploaded_by: str
    uploaded_at: datetime
    removed_by: str | None
    removed_at: datetime | None
    removal_reason: str


class EvidenceRemoval(msgspec.Struct, forbid_unknown_fields=True):
    reason: str

