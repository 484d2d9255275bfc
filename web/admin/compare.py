"""Two runs side by side: which units moved, and which criteria's points changed and why."""

from __future__ import annotations

from typing import Any

from litestar import get
from litestar.params import FromQuery
from litestar.response import Template

from scoring.services import runs as run_service
from storage.errors import ServiceError
from web.admin.common import (
    AdminController,
    AnyRequest,
    admin_page,
    competing_levels,
    period_plan,
    periods_newest_first,
)
from web.admin.runs import level_name

ITEM_KINDS = (("criteria", "Tiêu chí"), ("bonus_items", "Điểm thưởng"), ("deduction_items", "Điểm trừ"))
SUMMARY = ("total", "band", "rank_in_cluster", "rank_overall")


def _item_changes(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """Criteria, bonuses and deductions whose points differ, with the reason where it shows."""
    out = []
    for key, kind in ITEM_KINDS:
        before = {item["id"]: item for item in old.get(key, [])}
        for item in new.get(key, []):
            prev = before.get(item["id"])
            if prev is None or prev.get("points") == item.get("points"):
                continue
            value_changed = prev.get("value") != item.get("value")
            if value_changed:
                why = "Số liệu thay đổi"
            elif prev.get("status") != item.get("status"):
                why = "Số liệu không đổi; trạng thái thay đổi (điều kiện bắt buộc hoặc cách tính)"
            else:
                why = "Số liệu không đổi; cách tính điểm của kế hoạch thay đổi"
            out.append({"kind": kind, "id": item["id"], "name": item["name"], "unit": item.get("unit", ""),
                        "old_value": prev.get("value"), "new_value": item.get("value"),
                        "value_changed": value_changed, "old_points": prev.get("points"),
                        "new_points": item.get("points"), "why": why})
    return out


def compare_records(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Units whose total, band or rank differ (or that appear in one run only), by their new rank."""
    old = {r["unit_code"]: r for r in before}
    new_codes = {r["unit_code"] for r in after}
    out = []
    for record in sorted(after, key=lambda r: r["rank_overall"]):
        prev = old.get(record["unit_code"])
        if prev is not None and all(prev.get(k) == record.get(k) for k in SUMMARY):
            continue
        out.append({"unit_code": record["unit_code"], "unit_name": record["unit_name"], "before": prev,
                    "after": record, "changed_items": _item_changes(prev, record) if prev else []})
    for record in sorted(before, key=lambda r: r["rank_overall"]):
        if record["unit_code"] not in new_codes:
            out.append({"unit_code": record["unit_code"], "unit_name": record["unit_name"],
                        "before": record, "after": None, "changed_items": []})
    return out


async def _run_choices() -> list[dict[str, Any]]:
    periods = await periods_newest_first()
    names = dict(competing_levels(await period_plan(periods[0]))) if periods else {}
    return [{**r, "level_name": names.get(r["level"], r["level"])} for r in await run_service.list_runs()]


class ComparePages(AdminController):
    @get("/quan-tri/so-sanh")
    async def compare(self, request: AnyRequest, a: FromQuery[int | None] = None,
                      b: FromQuery[int | None] = None) -> Template:
        runs = await _run_choices()
        if b is not None and a is None:  # "compare with the run before": the previous run of its level
            run_b = await run_service.get_run(b)
            a = next((r["id"] for r in runs if r["id"] < b and r["period_id"] == run_b["period_id"]
                      and r["level"] == run_b["level"]), None)
        context: dict[str, Any] = {"runs": runs, "a": a, "b": b, "changes": None, "error": None,
                                   "run_a": None, "run_b": None}
        if a is None or b is None:
            return admin_page("compare.html", request, **context)
        run_a, run_b = await run_service.get_run(a), await run_service.get_run(b)
        context.update(run_a=run_a, run_b=run_b, level_name=await level_name(run_b))
        if run_a["level"] != run_b["level"]:
            raise ServiceError("invalid_input", f"Lượt {a} và lượt {b} chấm hai cấp khác nhau; chỉ so sánh "
                                                "được hai lượt của cùng một cấp.")
        before, after = await run_service.run_breakdowns(a), await run_service.run_breakdowns(b)
        context["changes"] = compare_records(before, after)
        context["unchanged"] = run_b["n_units"] - sum(1 for c in context["changes"] if c["after"])
        return admin_page("compare.html", request, **context)
