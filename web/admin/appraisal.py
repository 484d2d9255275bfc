"""The appraisal queue: values units entered since their last appraisal, accepted or corrected."""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import urlencode

from litestar import Response, get, post
from litestar.params import FromQuery
from litestar.response import Template

from criteria.model import Indicator
from http_layer.auth import SignedIn
from http_layer.errors import status_of
from scoring.core.report import shown_value
from scoring.registry.store import load_registry_from_db
from scoring.services import values as value_service
from storage.errors import ServiceError
from web.admin.common import (
    AdminController,
    AnyRequest,
    FormBody,
    admin_page,
    competing_levels,
    parse_int,
    period_plan,
    periods_newest_first,
    see_other,
)
from web.collation import vietnamese_key
from web.templating import vn_number

ACCEPT, CORRECT = "chap-nhan", "sua"
# a service error's ``details.field`` → the form field it belongs next to
FIELD_OF = {"reason": "ly_do", "value": "gia_tri"}


def shown(value: float | None, indicator: Indicator | None) -> str:
    """A stored value as people write it: 12,5 · 31/12/2024 · Có."""
    if value is None:
        return "—"
    text = shown_value(value, indicator) if indicator is not None else value
    return vn_number(text)


def _queue_url(ky: int, don_vi: str | None, all_values: bool, **extra: str) -> str:
    query = {"ky": str(ky), **({"don_vi": don_vi} if don_vi else {})}
    if all_values:
        query["tat_ca"] = "1"
    return "/quan-tri/tham-dinh?" + urlencode({**query, **extra})


async def _queue(request: AnyRequest, ky: int | None, don_vi: str | None, all_values: bool,
                 status: int = 200, **extra: Any) -> Template:
    periods = await periods_newest_first()
    if not periods:
        return admin_page("appraisal.html", request, periods=[], period=None)
    period = next((p for p in periods if p["id"] == ky), None) or next(
        (p for p in periods if not p["locked"]), periods[0])
    plan = await period_plan(period)
    indicators = {i.id: i for i in plan.indicators}
    registry = await load_registry_from_db()
    names = {u.code: u.name for u in registry.units}
    levels_of = {u.code: u.level for u in registry.units}
    counts = Counter(await value_service.pending_counts(period["id"]))
    by_level = []
    for level, level_name in competing_levels(plan):
        units = sorted(((code, names.get(code, code), n) for code, n in counts.items()
                        if levels_of.get(code) == level), key=lambda item: vietnamese_key(item[1]))
        if units:
            by_level.append({"name": level_name, "units": units, "total": sum(n for *_, n in units)})
    rows = []
    if don_vi:
        for v in await value_service.list_values(period["id"], don_vi, pending_only=not all_values):
            ind = indicators.get(v["indicator"])
            rows.append({**v, "name": ind.name if ind else v["indicator"], "unit": ind.unit if ind else "",
                         "self_text": shown(v["self_value"], ind),
                         "appraised_text": shown(v["appraised_value"], ind)})
        rows.sort(key=lambda r: vietnamese_key(r["name"]))
    choices = sorted(((c, names.get(c, c)) for c in {*counts, *([don_vi] if don_vi else [])}),
                     key=lambda item: vietnamese_key(item[1]))
    context: dict[str, Any] = {"periods": periods, "period": period, "by_level": by_level, "rows": rows,
                               "unit_code": don_vi, "unit_name": names.get(don_vi or "", don_vi),
                               "choices": choices, "all_values": all_values, "pending_total": counts.total(),
                               "errors": {}, "entered": {}, "error": None, "saved": None}
    context.update(extra)
    if context["saved"] in indicators:
        context["saved"] = indicators[context["saved"]].name
    shown_ids = {r["indicator"] for r in rows}
    stray = [m for ind, fields in context["errors"].items() if ind not in shown_ids for m in fields.values()]
    if stray and not context["error"]:  # the row is not listed (no longer pending): say it on top
        context["error"] = " ".join(stray)
    return admin_page("appraisal.html", request, status, **context)


class AppraisalPages(AdminController):
    @get("/quan-tri/tham-dinh")
    async def queue(self, request: AnyRequest, ky: FromQuery[int | None] = None,
                    don_vi: FromQuery[str | None] = None, tat_ca: FromQuery[str | None] = None,
                    da_luu: FromQuery[str | None] = None) -> Template:
        return await _queue(request, ky, don_vi or None, bool(tat_ca), saved=da_luu)

    @post("/quan-tri/tham-dinh", status_code=200)
    async def appraise(self, request: AnyRequest, user: SignedIn, data: FormBody) -> Response[Any]:
        ky, unit_code, indicator = parse_int(data.get("ky")), data.get("don_vi", ""), data.get("chi_tieu", "")
        all_values = bool(data.get("tat_ca"))
        action = data.get("action", "")
        if ky is None or not unit_code or not indicator or action not in (ACCEPT, CORRECT):
            return await _queue(request, ky, unit_code or None, all_values, 400,
                                error="Biểu mẫu thẩm định thiếu kỳ, đơn vị, chỉ tiêu hoặc thao tác; "
                                      "hãy tải lại trang rồi thử lại.")
        value, reason = data.get("gia_tri", ""), data.get("ly_do", "")
        try:
            await value_service.appraise(ky, unit_code, indicator, actor=user.username,
                                         accept=action == ACCEPT, value=value, reason=reason)
        except ServiceError as exc:
            details = exc.details if isinstance(exc.details, dict) else {}
            field = details.get("field")
            entered = {indicator: {"gia_tri": value, "ly_do": reason}}
            if (action == CORRECT and field in FIELD_OF) or field == indicator:
                errors = {indicator: {FIELD_OF.get(field, "gia_tri"): exc.message}}
                return await _queue(request, ky, unit_code, all_values, status_of(exc), errors=errors,
                                    entered=entered)
            return await _queue(request, ky, unit_code, all_values, status_of(exc), error=exc.message,
                                entered=entered)
        return see_other(_queue_url(ky, unit_code, all_values, da_luu=indicator))
