"""Assessment periods (kỳ đánh giá): one per plan version and year, with an entry window.

A period is locked when its results are published: no value may change until an admin
reopens it, giving a reason. Writers that change a period's data call
:func:`lock_period_row` first inside their transaction, which serialises them with each
other and with lock/reopen on PostgreSQL (SQLite's IMMEDIATE transaction already does).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from scoring.services.plan_store import load_plan_version
from scoring.tables import Period
from storage.audit import record
from storage.db import is_sqlite, write_transaction
from storage.errors import ServiceError

_COLUMNS = (
    Period.id, Period.key, Period.year, Period.plan_version, Period.entry_opens,
    Period.entry_closes, Period.locked,
    Period.plan_version.sha256.as_alias("plan_sha256"),
    Period.plan_version.plan_id.as_alias("plan_id"),
    Period.plan_version.title.as_alias("plan_title"),
)


def _utc(moment: datetime, field: str) -> datetime:
    if moment.tzinfo is None:
        raise ServiceError(
            "invalid_input",
            f"Thời điểm '{field}' phải kèm múi giờ (ví dụ 2025-01-15T08:00:00+07:00).",
            details={"field": field},
        )
    return moment.astimezone(UTC)


def _window(opens: datetime, closes: datetime) -> tuple[datetime, datetime]:
    opens, closes = _utc(opens, "opens"), _utc(closes, "closes")
    if closes <= opens:
        raise ServiceError(
            "invalid_input",
            "Thời hạn nhập số liệu không hợp lệ: thời điểm đóng phải sau thời điểm mở.",
            details={"field": "closes"},
        )
    return opens, closes


def _shape(row: dict[str, Any]) -> dict[str, Any]:
    now = datetime.now(UTC)
    locked = bool(row["locked"])
    return {
        "id": int(row["id"]), "key": row["key"], "year": int(row["year"]),
        "plan_version": int(row["plan_version"]), "plan_sha256": row["plan_sha256"],
        "plan_id": row["plan_id"], "plan_title": row["plan_title"],
        "entry_opens": row["entry_opens"], "entry_closes": row["entry_closes"], "locked": locked,
        "entry_open": not locked and row["entry_opens"] <= now <= row["entry_closes"],
    }


async def get_period(period_id: int) -> dict[str, Any]:
    row = await Period.select(*_COLUMNS).where(Period.id == period_id).first()
    if row is None:
        raise ServiceError("not_found", f"Không có kỳ đánh giá số {period_id}.")
    return _shape(row)


async def lock_period_row(period_id: int) -> dict[str, Any]:
    """Inside a write transaction: hold the period's row until commit, and return it."""
    if not is_sqlite():
        await Period.raw("SELECT id FROM period WHERE id = {} FOR UPDATE", period_id)
    return await get_period(period_id)


async def find_period(plan_version_id: int, year: int) -> dict[str, Any] | None:
    row = await Period.select(*_COLUMNS).where(
        (Period.plan_version == plan_version_id) & (Period.year == year)).first()
    return None if row is None else _shape(row)


async def list_periods() -> list[dict[str, Any]]:
    rows = await Period.select(*_COLUMNS).order_by(Period.year).order_by(Period.id)
    return [_shape(row) for row in rows]


async def open_period(plan_version_id: int, year: int, opens: datetime, closes: datetime,
                      actor: str) -> int:
    """Create the period of a plan version and year (or return the existing one's id)."""
    plan = await load_plan_version(plan_version_id)
    first, last = plan.info.valid_from.year, plan.info.valid_to.year
    if not first <= year <= last:
        raise ServiceError(
            "invalid_input",
            f"Năm {year} nằm ngoài thời gian hiệu lực của kế hoạch ({first}–{last}).",
            details={"field": "year"},
        )
    opens, closes = _window(opens, closes)
    key = f"{plan.sha256}|{year}"
    async with write_transaction():
        existing = await Period.select(Period.id).where(Period.key == key).first()
        if existing is not None:
            return int(existing["id"])
        rows = await Period.insert(Period(
            key=key, year=year, plan_version=plan_version_id, entry_opens=opens,
            entry_closes=closes, locked=False,
        ))
        period_id = int(rows[0]["id"])
        await record(actor, "period.open", "period", period_id, after={
            "plan_version": plan_version_id, "plan_sha256": plan.sha256, "year": year,
            "entry_opens": opens, "entry_closes": closes,
        })
    return period_id


async def set_locked(period_id: int, locked: bool, actor: str, reason: str = "") -> dict[str, Any]:
    """Lock a period's data, or reopen it (a reason is required to reopen)."""
    reason = reason.strip()
    if not locked and not reason:
        raise ServiceError(
            "invalid_input",
            "Mở lại kỳ đánh giá đã khóa phải ghi rõ lý do.",
            details={"field": "reason"},
        )
    async with write_transaction():
        period = await lock_period_row(period_id)
        if period["locked"] == locked:
            return period
        await Period.update({Period.locked: locked}).where(Period.id == period_id)
        await record(actor, "period.lock" if locked else "period.reopen", "period", period_id,
                     before={"locked": not locked}, after={"locked": locked, "reason": reason})
        return await get_period(period_id)


async def set_window(period_id: int, opens: datetime, closes: datetime, actor: str) -> dict[str, Any]:
    """Change when units may enter their own values."""
    opens, closes = _window(opens, closes)
    async with write_transaction():
        period = await lock_period_row(period_id)
        await Period.update({Period.entry_opens: opens, Period.entry_closes: closes}).where(
            Period.id == period_id)
        await record(actor, "period.window", "period", period_id,
                     before={"entry_opens": period["entry_opens"], "entry_closes": period["entry_closes"]},
                     after={"entry_opens": opens, "entry_closes": closes})
        return await get_period(period_id)
