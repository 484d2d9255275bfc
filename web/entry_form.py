"""The data-entry form of one unit: what it shows, what a submitted form changes.

Every value goes through :func:`scoring.services.values.set_own_value`, one indicator at a time, so a
bad value is refused on its own while the good ones beside it are saved.
"""

from __future__ import annotations

import asyncio
import math
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from criteria.model import Indicator, Plan
from presentation.numbers import exact_number_text, number_text
from presentation.times import date_text
from scoring.core.days import day_of
from scoring.core.report import criterion_target
from scoring.intake.template import kind_guide, write_template
from scoring.registry.store import load_unit
from scoring.services import periods as period_service
from scoring.services import values as value_service
from scoring.services.plan_store import load_plan_version
from scoring.services.submission import last_submission
from scoring.services.units import unit_card
from storage.errors import ServiceError

WINDOW_ERRORS = ("period_locked", "entry_window_closed")


def value_text(value: float | None, indicator: Indicator) -> str:
    """A stored value as the form shows it, in a form :func:`parse_value` reads back."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if indicator.kind == "yes_no":
        return "Có" if value >= 0.5 else "Không"
    if indicator.kind == "date":
        return date_text(day_of(value))
    return exact_number_text(float(value))


def goal_text(plan: Plan, indicator: Indicator) -> str:
    """What the plan asks of this indicator, or which bonus or deduction it feeds."""
    for c in plan.criteria:
        if c.indicator == indicator.id:
            target = criterion_target(c)
            if target is None:
                return "—"
            if isinstance(target, str):
                return target
            unit = f" {indicator.unit}" if indicator.unit.strip() else ""
            return (
                f"{'không quá' if c.direction == 'lower' else 'đạt'} {number_text(target)}{unit}"
            )
    for b in plan.bonuses:
        if b.indicator == indicator.id:
            return f"điểm thưởng, tối đa {number_text(b.max_points)} điểm"
    for d in plan.deductions:
        if d.indicator == indicator.id:
            deadline = ""
            if d.deadline:
                month, day = d.deadline.split("-")
                deadline = f", hạn {day}/{month}"
            return f"điểm trừ, tối đa {number_text(d.max_points)} điểm{deadline}"
    return "—"


def choose_period(periods: list[dict[str, Any]], period_id: int | None) -> dict[str, Any] | None:
    """The period asked for, else the newest one open for entry, else the newest one."""
    if period_id is not None:
        return next((p for p in periods if p["id"] == period_id), None)
    ordered = sorted(periods, key=lambda p: (p["year"], p["id"]), reverse=True)
    return next((p for p in ordered if p["entry_open"]), ordered[0] if ordered else None)


async def entry_context(code: str, period_id: int | None) -> dict[str, Any]:
    """The unit, its period, and one field per indicator of its level with what is stored."""
    unit = await unit_card(code)
    period = choose_period(await period_service.list_periods(), period_id)
    if period is None:
        if period_id is not None:
            raise ServiceError("not_found", f"Không có kỳ đánh giá số {period_id}.")
        return {"unit": unit, "period": None, "fields": []}
    plan = await load_plan_version(period["plan_version"])
    stored = {v["indicator"]: v for v in await value_service.list_values(period["id"], code)}
    fields = []
    for ind in plan.indicators_of(unit["level"]):
        row = stored.get(ind.id) or {}
        appraised = row.get("appraised_value")
        fields.append(
            {
                "id": ind.id,
                "name": ind.name,
                "unit": ind.unit,
                "kind": ind.kind,
                "indicator": ind,
                "goal": goal_text(plan, ind),
                "guide": kind_guide(ind),
                "value": value_text(row.get("self_value"), ind),
                "evidence": row.get("evidence_url") or "",
                "comment": row.get("comment") or "",
                "appraised": value_text(appraised, ind) if appraised is not None else None,
                "appraisal_note": row.get("appraisal_note") or "",
                "pending": bool(row.get("pending")),
            }
        )
    return {
        "unit": unit,
        "period": period,
        "plan": plan,
        "fields": fields,
        "level_locked": unit["level"] in period["locked_levels"],
        "editable": period["entry_open"] and unit["level"] not in period["locked_levels"],
        "submitted": await last_submission(period["id"], code),
    }


def _changed(field: dict[str, Any], raw: str, evidence: str, comment: str) -> bool:
    if raw == field["value"] and evidence == field["evidence"] and comment == field["comment"]:
        return False
    return bool(raw or field["value"] or evidence or comment)


def _field_message(err: ServiceError) -> tuple[str, str]:
    """(which input, message) for a refused field."""
    details = err.details if isinstance(err.details, dict) else {}
    if details.get("field") == "evidence_url":
        return "e", err.message
    if reason := details.get("reason"):
        return "v", f"Giá trị chưa hợp lệ: {reason}. Hãy sửa rồi lưu lại."
    return "v", err.message


async def save_form(
    context: dict[str, Any], form: dict[str, str], actor: str
) -> tuple[list[str], dict[str, dict[str, str]], dict[str, dict[str, str]]]:
    """Save each changed field; returns (saved ids, errors by id, submitted text by id).

    A closed window or a locked period stops the whole form (ServiceError raised).
    """
    saved: list[str] = []
    errors: dict[str, dict[str, str]] = {}
    sent: dict[str, dict[str, str]] = {}
    for field in context["fields"]:
        fid = field["id"]
        # a field the form did not send keeps what is stored (only sent fields can change)
        raw = form.get(f"v-{fid}", field["value"]).strip()
        evidence = form.get(f"e-{fid}", field["evidence"]).strip()
        comment = form.get(f"c-{fid}", field["comment"]).strip()
        if not _changed(field, raw, evidence, comment):
            continue
        sent[fid] = {"value": raw, "evidence": evidence, "comment": comment}
        try:
            await value_service.set_own_value(
                context["period"]["id"],
                context["unit"]["code"],
                fid,
                raw,
                evidence_url=evidence,
                comment=comment,
                actor=actor,
            )
        except ServiceError as err:
            if err.code in WINDOW_ERRORS:
                raise
            which, message = _field_message(err)
            errors[fid] = {"input": which, "message": message}
        else:
            saved.append(fid)
    return saved, errors, sent


async def template_bytes(context: dict[str, Any]) -> bytes:
    """The unit's own row of the Excel template, pre-filled with its current values."""
    unit = await load_unit(context["unit"]["code"])
    stored = await value_service.list_values(context["period"]["id"], unit.code)
    frame = pd.DataFrame(
        [
            {"unit_code": v["unit_code"], "indicator": v["indicator"], "value": v["self_value"]}
            for v in stored
            if v["self_value"] is not None
        ],
        columns=["unit_code", "indicator", "value"],
    )

    def write() -> bytes:
        with tempfile.TemporaryDirectory(prefix="thidua-mau-") as folder:
            path = Path(folder) / "mau.xlsx"
            write_template(context["plan"], unit.level, [unit], path, frame)
            return path.read_bytes()

    return await asyncio.to_thread(write)


async def import_upload(context: dict[str, Any], paths: list[Path], actor: str) -> dict[str, Any]:
    """Import the unit's filled-in file: all or nothing, only its own rows, within the window."""
    return await value_service.import_files(
        context["period"]["id"], paths, actor=actor, unit_code=context["unit"]["code"]
    )
