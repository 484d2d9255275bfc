"""Assessment periods (kỳ đánh giá): one per plan version and year, with an entry window.

A period is locked when its results are published: no value may change until an admin
reopens it, giving a reason. One level's data may also be locked on its own
(:func:`set_level_locked`, a reason each way); writers of that level's values check
:func:`refuse_locked_level` as well. Writers that change a period's data call
:func:`lock_period_row` first inside their transaction, which serialises them with each
other and with lock/reopen on PostgreSQL (SQLite's IMMEDIATE transaction already does).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from scoring.core.units import Registry
from scoring.registry.store import load_registry_from_db
from scoring.services.period_clusters import write_composition
from scoring.services.plan_store import load_plan_version
from scoring.tables import Period
from storage.audit import record
from storage.db import is_sqlite, write_transaction
from storage.errors import ServiceError
from storage.reads import once_per_read

_COLUMNS = (
    Period.id, Period.key, Period.year, Period.plan_version, Period.entry_opens,
    Period.entry_closes, Period.locked, Period.submission_deadline, Period.locked_levels,
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


def _levels(stored: Any) -> list[str]:
    """The JSON column as read back (text on SQLite and PostgreSQL alike), as a sorted list."""
    found = json.loads(stored) if isinstance(stored, str | bytes) else stored
    return sorted(str(level) for level in found or [])


def _shape(row: dict[str, Any]) -> dict[str, Any]:
    now = datetime.now(UTC)
    locked = bool(row["locked"])
    return {
        "id": int(row["id"]), "key": row["key"], "year": int(row["year"]),
        "plan_version": int(row["plan_version"]), "plan_sha256": row["plan_sha256"],
        "plan_id": row["plan_id"], "plan_title": row["plan_title"],
        "entry_opens": row["entry_opens"], "entry_closes": row["entry_closes"], "locked": locked,
        "entry_open": not locked and row["entry_opens"] <= now <= row["entry_closes"],
        "submission_deadline": row["submission_deadline"],
        "locked_levels": _levels(row["locked_levels"]),
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


@once_per_read
async def list_periods() -> list[dict[str, Any]]:
    rows = await Period.select(*_COLUMNS).order_by(Period.year).order_by(Period.id)
    return [_shape(row) for row in rows]


async def _plan_of(plan_version_id: int) -> Any:
    try:
        return await load_plan_version(plan_version_id)
    except ServiceError as err:
        if err.code != "not_found":
            raise
        raise ServiceError(
            "invalid_input", f"Phiên bản kế hoạch: không có phiên bản kế hoạch số {plan_version_id}.",
            details={"field": "plan_version"}) from None


def _deadline(deadline: datetime | None, closes: datetime) -> datetime | None:
    if deadline is None:
        return None
    deadline = _utc(deadline, "submission_deadline")
    if deadline < closes:
        raise ServiceError(
            "invalid_input",
            "Hạn nộp hồ sơ không hợp lệ: không được trước thời điểm đóng nhập số liệu.",
            details={"field": "submission_deadline"},
        )
    return deadline


async def _registry_if_any() -> Registry | None:
    try:
        return await load_registry_from_db()
    except ServiceError:
        return None  # no province yet: the period follows the registry once there is one


async def open_period(plan_version_id: int, year: int, opens: datetime, closes: datetime,
                      actor: str, *, submission_deadline: datetime | None = None,
                      exists_ok: bool = True) -> int:
    """Create the period of a plan version and year (or return the existing one's id; with
    ``exists_ok=False`` an existing period is refused, naming the year)."""
    plan = await _plan_of(plan_version_id)
    first, last = plan.info.valid_from.year, plan.info.valid_to.year
    if not first <= year <= last:
        raise ServiceError(
            "invalid_input",
            f"Năm {year} nằm ngoài thời gian hiệu lực của kế hoạch ({first}–{last}).",
            details={"field": "year"},
        )
    opens, closes = _window(opens, closes)
    deadline = _deadline(submission_deadline, closes)
    key = f"{plan.sha256}|{year}"
    registry = await _registry_if_any()
    async with write_transaction():
        existing = await Period.select(Period.id).where(Period.key == key).first()
        if existing is not None:
            if exists_ok:
                return int(existing["id"])
            raise ServiceError(
                "conflict",
                f"Năm {year}: kế hoạch «{plan.info.title}» đã có kỳ đánh giá năm này.",
                details={"field": "year", "period_id": int(existing["id"])},
            )
        rows = await Period.insert(Period(
            key=key, year=year, plan_version=plan_version_id, entry_opens=opens,
            entry_closes=closes, locked=False, submission_deadline=deadline, locked_levels="[]",
        ))
        period_id = int(rows[0]["id"])
        if registry is not None:  # the period's own copy of the clusters' composition
            await write_composition(period_id, registry)
        await record(actor, "period.open", "period", period_id, after={
            "plan_version": plan_version_id, "plan_sha256": plan.sha256, "year": year,
            "entry_opens": opens, "entry_closes": closes, "submission_deadline": deadline,
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


def refuse_locked_level(period: dict[str, Any], level: str, level_name: str | None = None) -> None:
    """Raise ``period_locked`` if ``level``'s data is locked in this period on its own."""
    if level in period["locked_levels"]:
        raise ServiceError(
            "period_locked",
            f"Số liệu cấp «{level_name or level}» của kỳ đánh giá năm {period['year']} đã khóa; "
            "không thể thay đổi. Liên hệ Ban Thi đua – Khen thưởng nếu cần mở lại.",
            details={"level": level},
        )


async def set_level_locked(period_id: int, level: str, locked: bool, actor: str,
                           reason: str) -> dict[str, Any]:
    """Lock one level's data in a period, or reopen it; a reason is required either way."""
    reason = reason.strip()
    if not reason:
        raise ServiceError(
            "invalid_input",
            f"Lý do: {'khóa' if locked else 'mở lại'} số liệu một cấp phải ghi rõ lý do.",
            details={"field": "reason"},
        )
    period = await get_period(period_id)
    plan = await load_plan_version(period["plan_version"])
    if level not in {lvl.id for lvl in plan.levels}:
        raise ServiceError("invalid_input", f"Cấp «{level}» không có trong kế hoạch của kỳ này.",
                           details={"field": "level"})
    async with write_transaction():
        period = await lock_period_row(period_id)
        before = period["locked_levels"]
        after = sorted(set(before) | {level}) if locked else [lv for lv in before if lv != level]
        if after == before:
            return period
        await Period.update({Period.locked_levels: json.dumps(after)}).where(Period.id == period_id)
        await record(actor, "period.level_lock" if locked else "period.level_reopen", "period",
                     period_id, before={"locked_levels": before},
                     after={"locked_levels": after, "level": level, "reason": reason})
        return await get_period(period_id)
