"""The right of reply: request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from api.schemas.docs import doc
from scoring.services.replies import MAX_REPLY_DAYS, MAX_TEXT, REPLY_DAYS

Text = Annotated[str, msgspec.Meta(max_length=MAX_TEXT)]
Code = Annotated[str, msgspec.Meta(max_length=40)]
Value = float | Annotated[str, msgspec.Meta(max_length=80)] | None
Shown = int | float | str | None
"""A value as users read it: a number, a date as dd/mm/yyyy, Có/Không; null when none."""

# --- requests ------------------------------------------------------------------------------------


class ShareBody(msgspec.Struct, forbid_unknown_fields=True):
    days: Annotated[int, msgspec.Meta(ge=1, le=MAX_REPLY_DAYS)] = REPLY_DAYS


class DisputeBody(msgspec.Struct, forbid_unknown_fields=True):
    criterion: Annotated[str, msgspec.Meta(max_length=80)]
    explanation: Text
    unit_code: Code | None = None  # a unit account: its own unit (the default)
    evidence_url: Text = ""
    claimed_value: Value = None


class MessageBody(msgspec.Struct, forbid_unknown_fields=True):
    body: Text


class AcceptBody(msgspec.Struct, forbid_unknown_fields=True):
    value: Value = None  # the corrected value: appraised, then the level is scored again
    note: Text = ""


class RejectBody(msgspec.Struct, forbid_unknown_fields=True):
    reason: Text


# --- responses -----------------------------------------------------------------------------------


class RunShare(msgspec.Struct):
    """A run shared with its units as provisional results, and its reply window."""

    run_id: int
    period_id: int
    level: str
    shared_at: datetime
    shared_by: str
    reply_until: datetime
    reply_until_text: Annotated[str, doc("reply_until theo giờ Việt Nam, dd/mm/yyyy HH:MM")]
    open: bool


class DisputeMessage(msgspec.Struct):
    """One message of a dispute's thread, from the unit or from staff."""

    id: int
    dispute_id: int
    side: Annotated[str, doc("unit (đơn vị) | staff (cán bộ)")]
    author: str
    body: str
    at: datetime


class Dispute(msgspec.Struct):
    """A unit's reply about one criterion of its breakdown, and staff's answer."""

    id: int
    unit_code: str
    criterion: str
    indicator: str
    level: str
    explanation: str
    evidence_url: str
    claimed_value: float | None
    status: Annotated[str, doc(
        "open (đang chờ trả lời) | accepted (được chấp nhận) | rejected (không được chấp nhận)")]
    opened_by: str
    opened_at: datetime
    answer: str
    corrected_value: float | None
    answered_by: str | None
    answered_at: datetime | None
    run_id: int
    period_id: int
    year: int
    new_run_id: Annotated[int | None, doc("Lượt chấm lại sau khi chấp nhận sửa số liệu")]
    criterion_name: str
    indicator_unit: str
    claimed_text: Shown
    corrected_text: Shown
    status_text: str


class DisputeWithMessages(Dispute):
    messages: list[DisputeMessage]
