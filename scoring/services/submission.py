"""A unit sends its self-assessed values for appraisal: the moment is recorded with what it sent."""

from __future__ import annotations

from typing import Any

from scoring.services import periods as period_service
from scoring.services import values as value_service
from storage.audit import AuditFilter, AuditRow, audit_entries, record
from storage.db import write_transaction
from storage.errors import ServiceError

SUBMIT_ACTION = "values.submit"


async def last_submission(period_id: int, code: str) -> AuditRow | None:
    found = AuditFilter(action=SUBMIT_ACTION, unit_code=code, entity_id=str(period_id))
    return next(iter(await audit_entries(found, 1)), None)


async def submit_for_appraisal(period_id: int, code: str, actor: str) -> dict[str, Any]:
    """Record that the unit sends its values for appraisal, with the values it sends."""
    async with write_transaction():
        period = await period_service.lock_period_row(period_id)
        if period["locked"]:
            raise ServiceError(
                "period_locked", f"Kỳ đánh giá năm {period['year']} đã khóa; không thể gửi thẩm định."
            )
        if not period["entry_open"]:
            raise ServiceError(
                "entry_window_closed",
                f"Ngoài thời hạn nhập số liệu của kỳ năm {period['year']}; không thể gửi thẩm định.",
            )
        rows = [v for v in await value_service.list_values(period_id, code) if v["self_value"] is not None]
        if not rows:
            raise ServiceError("invalid_input", "Đơn vị chưa nhập số liệu nào; hãy nhập rồi gửi thẩm định.")
        after = {
            "year": period["year"],
            "indicators": len(rows),
            "pending": sum(1 for v in rows if v["pending"]),
            "values": {v["indicator"]: v["self_value"] for v in rows},
        }
        await record(actor, SUBMIT_ACTION, "period", period_id, unit_code=code, after=after)
    return after
