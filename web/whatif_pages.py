"""What-if for a unit (``/don-vi/{code}/gia-dinh``): change some of its values and see the new score.

The form holds every indicator of the unit's level, prefilled with the values of the run its
dashboard shows (the published run of the period, else the newest); posting it re-scores the
level in memory (:func:`scoring.services.scenarios.what_if`) and shows total, band and ranks before and
after and the points of every criterion. Nothing is saved. Who may: the unit's own officer and
staff, as for the dashboard (anyone else gets the 403 page before anything is read).
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.params import FromPath

from http_layer.access import MAX_ID, AnyRequest, OptionalIdQuery, require_unit_access
from http_layer.auth import Viewer
from scoring.core.report import plain_number
from scoring.services import scenarios
from scoring.services.unit_years import period_runs
from scoring.services.units import unit_card
from storage.errors import ServiceError
from web.dashboard import pick_choice
from web.pages_public import page
from web.pages_unit import FormData

PAGE = "unit/whatif.html"
NOT_SAVED = "Đây là giả định: không có số liệu nào được lưu"


def _period_id(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() and 0 < int(text) <= MAX_ID else None


def _shown(value: Any) -> str:
    return "" if value is None else str(value)


def _item_rows(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Bonus or deduction items side by side (same order in both records)."""
    return [{"id": b["id"], "name": b["name"], "before": b["points"], "after": a["points"],
             "difference": plain_number(a["points"] - b["points"])}
            for b, a in zip(before, after, strict=True)]


def comparison(answer: dict[str, Any]) -> dict[str, Any]:
    """What the result shows: the two records, the criteria rows and the changed item rows."""
    before, after = answer["before"], answer["after"]
    criteria = [{**c, "before": c["points_before"], "after": c["points_after"]}
                for c in answer["differences"]["criteria"]]
    return {
        "before": before,
        "after": after,
        "differences": answer["differences"],
        "criteria": criteria,
        "changed": sum(1 for c in criteria if c["difference"]),
        "bonus": _item_rows(before["bonus_items"], after["bonus_items"]),
        "deductions": _item_rows(before["deduction_items"], after["deduction_items"]),
    }


async def whatif_context(code: str, period_id: int | None) -> dict[str, Any]:
    """The unit, the run its dashboard shows and the prefilled fields (none without a run)."""
    unit = await unit_card(code)
    chosen = pick_choice(await period_runs(unit["level"]), period_id)
    context: dict[str, Any] = {"unit": unit, "chosen": chosen, "fields": [], "absent": False,
                               "not_saved": NOT_SAVED, "errors": {}, "result": None}
    if chosen is None:
        return context
    try:
        inputs = await scenarios.what_if_inputs(chosen["run"]["id"], code)
    except ServiceError as err:
        if err.code != "not_found":
            raise
        context["absent"] = True  # the unit did not compete in this run
        return context
    context["fields"] = [{**f, "value": _shown(f["value"])} for f in inputs]
    return context


class WhatIfPages(Controller):
    include_in_schema = False
    path = "/don-vi/{code:str}/gia-dinh"

    @get()
    async def form(self, request: AnyRequest, viewer: Viewer, code: FromPath[str],
                   ky: OptionalIdQuery = None) -> Response[Any]:
        require_unit_access(viewer, code)
        return page(PAGE, request, **await whatif_context(code, ky))

    @post(status_code=200)
    async def try_values(self, request: AnyRequest, viewer: Viewer, code: FromPath[str],
                         data: FormData) -> Response[Any]:
        require_unit_access(viewer, code)
        context = await whatif_context(code, _period_id(data.get("ky")))
        if not context["fields"]:
            return page(PAGE, request, **context)
        sent = {f["indicator"]: data.get(f"v-{f['indicator']}", "").strip() for f in context["fields"]}
        for field in context["fields"]:  # the form shows what was tried
            field["value"] = sent[field["indicator"]]
        try:
            answer = await scenarios.what_if(context["chosen"]["run"]["id"], code,
                                             {k: v or None for k, v in sent.items()})
        except ServiceError as err:
            if err.code != "invalid_value" or not isinstance(err.details, list):
                raise
            context["errors"] = {d["field"]: d["reason"] for d in err.details}
            return page(PAGE, request, 400, **context)
        context["result"] = comparison(answer)
        return page(PAGE, request, **context)
