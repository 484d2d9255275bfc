"""Indicator values of a period: file imports, a unit's own entries, appraisal, the data a run uses.

Each row is one (period, unit, indicator) with the unit's self-assessed value and, once
appraised, the Department's value beside it: both stay visible, the appraised one counts.
Every write takes the period's row lock first (see :func:`scoring.services.periods.lock_period_row`)
so two imports into one period run one after the other and neither loses a value.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from criteria.model import Indicator, Plan
from presentation.times import datetime_text
from scoring.core.reading import parse_value
from scoring.intake.reader import IndicatorData, IntakeError, read_indicator_files
from scoring.registry.store import load_registry_from_db
from scoring.services.periods import get_period, lock_period_row, refuse_locked_level
from scoring.services.plan_store import load_plan_version
from scoring.tables import IndicatorValue
from scoring.tables import Unit as UnitRow
from storage.audit import record
from storage.db import bulk_write, write_transaction
from storage.errors import ServiceError

V = IndicatorValue
_AUDITED = ("self_value", "evidence_url", "comment", "appraised_value", "appraisal_note")


def value_key(period_id: int, unit_code: str, indicator: str) -> str:
    return f"{period_id}|{unit_code}|{indicator}"


def _refuse_locked(period: dict[str, Any]) -> None:
    if period["locked"]:
        raise ServiceError(
            "period_locked",
            f"Kỳ đánh giá năm {period['year']} đã khóa (kết quả đã công bố); không thể thay đổi "
            "số liệu. Liên hệ Ban Thi đua – Khen thưởng nếu cần mở lại.",
        )


def _refuse_locked_levels(period: dict[str, Any], plan: Plan, indicators: Sequence[str]) -> None:
    """A level locked on its own refuses its indicators' values (other levels stay open)."""
    if not period["locked_levels"]:
        return
    level_of = {i.id: i.level for i in plan.indicators}
    for level in sorted({level_of[i] for i in indicators if i in level_of}):
        refuse_locked_level(period, level, plan.level(level).name)


def _refuse_closed(period: dict[str, Any]) -> None:
    if not period["entry_open"]:
        opens, closes = datetime_text(period["entry_opens"]), datetime_text(period["entry_closes"])
        raise ServiceError(
            "entry_window_closed",
            f"Ngoài thời hạn nhập số liệu của kỳ năm {period['year']} (từ {opens} đến {closes}, "
            "giờ Việt Nam). Liên hệ Ban Thi đua – Khen thưởng nếu cần gia hạn.",
        )


def _shape(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: row[k] for k in ("id", "unit_code", "indicator", "self_value", "evidence_url",
                               "comment", "entered_by", "entered_at", "appraised_value",
                               "appraisal_note", "appraised_by", "appraised_at")}
    out["period_id"] = int(row["period"])
    appraised, entered = row["appraised_at"], row["entered_at"]
    out["effective_value"] = row["appraised_value"] if row["appraised_value"] is not None \
        else row["self_value"]
    out["pending"] = _pending(row["self_value"], entered, appraised)
    return out


def _pending(self_value: float | None, entered: datetime | None, appraised: datetime | None) -> bool:
    """Entered or changed since its last appraisal."""
    return self_value is not None and (appraised is None or (entered is not None and entered > appraised))


async def _row(key: str) -> dict[str, Any] | None:
    row = await V.select().where(V.key == key).first()
    return None if row is None else _shape(row)


def _audit_view(row: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if row is None else {k: row[k] for k in _AUDITED}


# --- file import -------------------------------------------------------------------------

async def _stored(period_id: int, column: str) -> pd.DataFrame:
    rows = await V.select(V.unit_code, V.indicator, getattr(V, column).as_alias("old")).where(
        V.period == period_id)
    return pd.DataFrame(rows, columns=["unit_code", "indicator", "old"])


def _diff(frame: pd.DataFrame, stored: pd.DataFrame) -> tuple[pd.DataFrame, int, int]:
    """Rows that are new or differ from what is stored, and how many of each."""
    merged = frame.merge(stored, on=["unit_code", "indicator"], how="left", indicator=True)
    new = (merged["_merge"] == "left_only").to_numpy()
    old = pd.to_numeric(merged["old"], errors="coerce").to_numpy(dtype=np.float64)
    changed = ~new & ~(old == merged["value"].to_numpy(dtype=np.float64))
    return merged.loc[new | changed, ["unit_code", "indicator", "value"]], int(new.sum()), int(
        changed.sum())


def _import_issues(err: IntakeError) -> ServiceError:
    return ServiceError(
        "import_invalid",
        f"Tệp có {err.count_text()}; không có số liệu nào được nhận.",
        details=[{"file": i.file, "row": i.row, "column": i.column, "reason": i.reason}
                 for i in err.issues],
    )


def _foreign_rows(frame: pd.DataFrame, unit_code: str) -> ServiceError | None:
    foreign = sorted(set(frame.loc[frame["unit_code"] != unit_code, "unit_code"]))
    if not foreign:
        return None
    return ServiceError(
        "import_invalid",
        f"Tệp có {len(foreign)} lỗi; không có số liệu nào được nhận.",
        details=[{"file": None, "row": None, "column": None,
                  "reason": f"đơn vị «{code}» không phải đơn vị của bạn ({unit_code})"}
                 for code in foreign],
    )


async def import_files(period_id: int, paths: Sequence[Path | str], *, actor: str,
                       dry_run: bool = False, as_appraised: bool = False,
                       level: str | None = None, unit_code: str | None = None) -> dict[str, Any]:
    """Validate every file; if all is well, store every value (or, with ``dry_run``, nothing).

    ``as_appraised`` stores the values as the Department's appraised values (staff only).
    ``unit_code`` restricts the files to one unit's rows and to the entry window (an officer's
    own upload).
    """
    period = await get_period(period_id)
    _refuse_locked(period)
    if unit_code is not None:
        _refuse_closed(period)
    plan = await load_plan_version(period["plan_version"])
    registry = await load_registry_from_db()
    try:
        data = await asyncio.to_thread(
            read_indicator_files, list(paths), plan, registry, period["year"], level)
    except IntakeError as err:
        raise _import_issues(err) from None
    except ValueError as exc:
        raise ServiceError("invalid_input", str(exc), details={"field": "level"}) from None
    frame = data.frame
    indicators = sorted(set(frame["indicator"].tolist()))
    _refuse_locked_levels(period, plan, indicators)
    if unit_code is not None and (refused := _foreign_rows(frame, unit_code)) is not None:
        raise refused
    column = "appraised_value" if as_appraised else "self_value"
    summary: dict[str, Any] = {
        "period_id": period_id, "files": [Path(p).name for p in paths], "rows": len(frame),
        "units": int(frame["unit_code"].nunique()), "indicators": int(frame["indicator"].nunique()),
        "sha256": data.sha256, "as_appraised": as_appraised, "dry_run": dry_run,
    }
    if dry_run:
        _, summary["new"], summary["changed"] = _diff(frame, await _stored(period_id, column))
        summary["unchanged"] = summary["rows"] - summary["new"] - summary["changed"]
        return summary
    async with write_transaction():
        period = await lock_period_row(period_id)
        _refuse_locked(period)
        _refuse_locked_levels(period, plan, indicators)
        if unit_code is not None:
            _refuse_closed(period)
        todo, summary["new"], summary["changed"] = _diff(frame, await _stored(period_id, column))
        summary["unchanged"] = summary["rows"] - summary["new"] - summary["changed"]
        await _write_imported(period_id, todo, actor, as_appraised, summary["files"])
        await record(actor, "values.import", "period", period_id, after=summary)
    return summary


async def _write_imported(period_id: int, todo: pd.DataFrame, actor: str, as_appraised: bool,
                          files: list[str]) -> None:
    now = datetime.now(UTC)
    if as_appraised:
        note = "Nhập số liệu thẩm định từ tệp: " + ", ".join(files)
        fields: dict[str, Any] = {"appraised_value": None, "appraisal_note": note,
                                  "appraised_by": actor, "appraised_at": now}
    else:
        fields = {"self_value": None, "entered_by": actor, "entered_at": now}
    value_column = "appraised_value" if as_appraised else "self_value"
    new_row: dict[str, Any] = {  # a value not stored yet: the table's defaults, then ``fields``
        "evidence_url": "", "comment": "", "self_value": None, "entered_by": None,
        "entered_at": None, "appraised_value": None, "appraisal_note": "", "appraised_by": None,
        "appraised_at": None, **fields}
    columns = ["key", "period", "unit_code", "indicator", *new_row]
    at = columns.index(value_column)
    rows = []
    for u, i, v in zip(todo["unit_code"].tolist(), todo["indicator"].tolist(), todo["value"].tolist(),
                       strict=True):
        row = [value_key(period_id, u, i), period_id, u, i, *new_row.values()]
        row[at] = float(v)
        rows.append(row)
    await bulk_write(V, columns, rows, conflict="key", update=list(fields))


# --- one value at a time -----------------------------------------------------------------

async def _unit_indicator(plan: Plan, year: int, unit_code: str, indicator_id: str) -> Indicator:
    """The indicator, if it is one of the unit's level in this plan and the unit exists then."""
    unit = await UnitRow.select(UnitRow.kind, UnitRow.valid_from, UnitRow.valid_to).where(
        UnitRow.code == unit_code).first()
    if unit is None:
        raise ServiceError("not_found", f"Không có đơn vị mã «{unit_code}» trong danh mục.")
    indicator = next((i for i in plan.indicators if i.id == indicator_id), None)
    if indicator is None:
        raise ServiceError("invalid_input", f"Chỉ tiêu «{indicator_id}» không có trong kế hoạch.",
                           details={"field": indicator_id})
    kinds = plan.level(indicator.level).unit_kinds
    if not any(unit["kind"] == k or unit["kind"].startswith(k + ".") for k in kinds):
        raise ServiceError(
            "invalid_input",
            f"Chỉ tiêu «{indicator.name}» thuộc cấp «{plan.level(indicator.level).name}», "
            f"không áp dụng cho đơn vị «{unit_code}».",
            details={"field": indicator_id},
        )
    if unit["valid_from"] > date(year, 12, 31) or (
            unit["valid_to"] is not None and unit["valid_to"] < date(year, 1, 1)):
        raise ServiceError("invalid_input",
                           f"Đơn vị «{unit_code}» không còn hiệu lực trong năm {year}.")
    return indicator


def _parse(raw: object, indicator: Indicator) -> float:
    try:
        return parse_value(raw, indicator) + 0.0
    except ValueError as err:
        raise ServiceError(
            "invalid_value",
            f"Giá trị của chỉ tiêu «{indicator.name}» không hợp lệ: {err}",
            details={"field": indicator.id, "reason": str(err)},
        ) from None


async def _save_row(key: str, period_id: int, unit_code: str, indicator: str,
                    before: dict[str, Any] | None, changes: dict[str, Any]) -> None:
    if before is None:
        await V.insert(V(key=key, period=period_id, unit_code=unit_code, indicator=indicator,
                         **changes))
    else:
        await V.update({getattr(V, k): v for k, v in changes.items()}).where(V.key == key)


async def set_own_value(period_id: int, unit_code: str, indicator_id: str, raw_value: object, *,
                        evidence_url: str = "", comment: str = "", actor: str) -> dict[str, Any]:
    """A unit's officer enters (or changes) one of its own values within the entry window."""
    period = await get_period(period_id)
    plan = await load_plan_version(period["plan_version"])
    indicator = await _unit_indicator(plan, period["year"], unit_code, indicator_id)
    value = _parse(raw_value, indicator)
    evidence_url = evidence_url.strip()
    if evidence_url and not evidence_url.lower().startswith(("https://", "http://")):
        raise ServiceError("invalid_input", "Đường dẫn minh chứng phải bắt đầu bằng https:// hoặc http://.",
                           details={"field": "evidence_url"})
    key = value_key(period_id, unit_code, indicator_id)
    async with write_transaction():
        period = await lock_period_row(period_id)
        _refuse_locked(period)
        refuse_locked_level(period, indicator.level, plan.level(indicator.level).name)
        _refuse_closed(period)
        before = await _row(key)
        await _save_row(key, period_id, unit_code, indicator_id, before, {
            "self_value": value, "evidence_url": evidence_url, "comment": comment.strip(),
            "entered_by": actor, "entered_at": datetime.now(UTC)})
        after = await _row(key)
        await record(actor, "value.self", "indicator_value", key, unit_code=unit_code,
                     before=_audit_view(before), after=_audit_view(after))
    assert after is not None
    return after


async def appraise(period_id: int, unit_code: str, indicator_id: str, *, actor: str, accept: bool,
                   value: object = None, reason: str = "") -> dict[str, Any]:
    """Accept the unit's value, or correct it (a value and a reason are required)."""
    reason = reason.strip()
    if not accept and (value is None or (isinstance(value, str) and not value.strip())):
        raise ServiceError("invalid_input", "Sửa số liệu khi thẩm định phải nhập giá trị thẩm định.",
                           details={"field": "value"})
    if not accept and not reason:
        raise ServiceError("invalid_input", "Sửa số liệu khi thẩm định phải ghi rõ lý do.",
                           details={"field": "reason"})
    period = await get_period(period_id)
    plan = await load_plan_version(period["plan_version"])
    indicator = await _unit_indicator(plan, period["year"], unit_code, indicator_id)
    corrected = None if accept else _parse(value, indicator)
    key = value_key(period_id, unit_code, indicator_id)
    async with write_transaction():
        period = await lock_period_row(period_id)
        _refuse_locked(period)
        refuse_locked_level(period, indicator.level, plan.level(indicator.level).name)
        before = await _row(key)
        if accept and (before is None or before["self_value"] is None):
            raise ServiceError(
                "invalid_input",
                f"Đơn vị «{unit_code}» chưa nhập số liệu chỉ tiêu «{indicator.name}» nên chưa thể "
                "chấp nhận; hãy nhập giá trị thẩm định kèm lý do.", details={"field": "value"})
        appraised = before["self_value"] if accept and before is not None else corrected
        await _save_row(key, period_id, unit_code, indicator_id, before, {
            "appraised_value": appraised, "appraised_by": actor, "appraised_at": datetime.now(UTC),
            "appraisal_note": reason or "Chấp nhận số liệu tự đánh giá"})
        after = await _row(key)
        await record(actor, "value.appraise", "indicator_value", key, unit_code=unit_code,
                     before=_audit_view(before), after=_audit_view(after))
    assert after is not None
    return after


# --- reading -----------------------------------------------------------------------------

async def list_values(period_id: int, unit_code: str | None = None,
                      pending_only: bool = False) -> list[dict[str, Any]]:
    """Values of a period (one unit's if given), by unit and indicator; ``pending_only``
    keeps those entered or changed since their last appraisal."""
    await get_period(period_id)  # not_found for an unknown period
    where: Any = V.period == period_id
    if unit_code is not None:
        where &= V.unit_code == unit_code
    rows = [_shape(r) for r in await V.select().where(where).order_by(V.unit_code).order_by(
        V.indicator)]
    return [r for r in rows if r["pending"]] if pending_only else rows


async def pending_counts(period_id: int) -> dict[str, int]:
    """Unit code → how many of its values await appraisal (entered or changed since the last
    appraisal, as ``pending`` in :func:`list_values`); units with none are left out."""
    await get_period(period_id)  # not_found for an unknown period
    rows = await V.select(V.unit_code, V.self_value, V.entered_at, V.appraised_at).where(
        V.period == period_id).order_by(V.unit_code)
    counts: dict[str, int] = {}
    for r in rows:
        if _pending(r["self_value"], r["entered_at"], r["appraised_at"]):
            counts[r["unit_code"]] = counts.get(r["unit_code"], 0) + 1
    return counts


async def effective_frame(period_id: int, level: str) -> tuple[pd.DataFrame, str]:
    """The values a run of ``level`` uses (appraised, else self-assessed) and their sha256."""
    period = await get_period(period_id)
    plan = await load_plan_version(period["plan_version"])
    if level not in {lvl.id for lvl in plan.levels}:
        raise ServiceError("invalid_input", f"Cấp «{level}» không có trong kế hoạch.",
                           details={"field": "level"})
    ids = [i.id for i in plan.indicators_of(level)]
    rows = await V.select(V.unit_code, V.indicator, V.self_value, V.appraised_value).where(
        (V.period == period_id) & V.indicator.is_in(ids)) if ids else []
    raw = pd.DataFrame(rows, columns=["unit_code", "indicator", "self_value", "appraised_value"])
    own = pd.to_numeric(raw["self_value"], errors="coerce").astype("float64")
    appraised = pd.to_numeric(raw["appraised_value"], errors="coerce").astype("float64")
    value = appraised.where(appraised.notna(), own)
    keep = value.notna().to_numpy()
    frame = pd.DataFrame({
        "unit_code": pd.Series(raw["unit_code"].to_numpy()[keep], dtype=str),
        "indicator": pd.Series(raw["indicator"].to_numpy()[keep], dtype=str),
        "value": pd.Series(value.to_numpy()[keep], dtype="float64") + 0.0,
    }).sort_values(["unit_code", "indicator"], kind="stable", ignore_index=True)
    return frame, IndicatorData(period["year"], frame).sha256
