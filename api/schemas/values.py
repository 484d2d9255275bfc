"""Indicator values: request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from api.schemas.docs import doc

# --- requests ------------------------------------------------------------------------------------


class ValueEntry(msgspec.Struct):
    value: str | float | int | bool | None
    evidence_url: str = ""
    comment: str = ""


class Appraisal(msgspec.Struct):
    accept: bool
    value: str | float | int | None = None
    reason: str = ""


# --- responses -----------------------------------------------------------------------------------


class IndicatorValue(msgspec.Struct):
    """One unit's value of one indicator: its own, the Department's appraisal, the one that counts."""

    id: int
    unit_code: str
    indicator: str
    self_value: float | None
    evidence_url: str
    comment: str
    entered_by: str | None
    entered_at: datetime | None
    appraised_value: float | None
    appraisal_note: str
    appraised_by: str | None
    appraised_at: datetime | None
    period_id: int
    effective_value: float | None
    pending: Annotated[bool, doc("Đã nhập hoặc sửa sau lần thẩm định gần nhất")]


class ValueImport(msgspec.Struct):
    """What an import read and (unless ``dry_run``) stored: rows new, changed and unchanged."""

    period_id: int
    files: list[str]
    rows: int
    units: int
    indicators: int
    sha256: str
    as_appraised: bool
    dry_run: bool
    new: int
    changed: int
    unchanged: int
