"""Administrators' pages: the overview (periods, latest runs, pending appraisal).

The other tasks live in :mod:`web.admin`: file import, appraisal, runs and exports, the run
comparison, the audit log, units and clusters; :data:`ADMIN_PAGES` lists every controller for ``web.routes``.
"""

from __future__ import annotations

from typing import Any

from litestar import Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from http_layer.auth import SignedIn
from http_layer.errors import status_of
from scoring.services import periods as period_service
from scoring.services import runs as run_service
from scoring.services import values as value_service
from storage.errors import ServiceError
from web.admin.accounts import AccountPages
from web.admin.appraisal import AppraisalPages
from web.admin.audit_log import AuditLogPages
from web.admin.award_batch import BATCH_PAGES
from web.admin.awards import AwardPages
from web.admin.clusters import ClusterPages, PeriodClusterPages
from web.admin.common import (
    AdminController,
    AnyRequest,
    FormBody,
    admin_page,
    competing_levels,
    period_plan,
    periods_newest_first,
    see_other,
)
from web.admin.compare import ComparePages
from web.admin.history import HistoryPages
from web.admin.imports import ImportPages
from web.admin.periods import PeriodPages
from web.admin.plans import PlanPages
from web.admin.runs import RunPages
from web.admin.unit_sheets import UnitSheetPages
from web.admin.units import UnitPages


async def _period_rows() -> list[dict[str, Any]]:
    """Each period with its pending count and, per level, the latest and the published run."""
    out = []
    for period in await periods_newest_first():
        plan = await period_plan(period)
        runs = await run_service.list_runs(period["id"])
        levels = []
        for level, name in competing_levels(plan):
            of_level = [r for r in runs if r["level"] == level]
            levels.append({"id": level, "name": name, "latest": of_level[0] if of_level else None,
                           "published": next((r for r in of_level if r["published"]), None),
                           "count": len(of_level)})
        pending = await value_service.pending_counts(period["id"])
        out.append({**period, "pending": sum(pending.values()), "levels": levels})
    return out


async def _overview(request: AnyRequest, status: int = 200, **extra: Any) -> Template:
    context: dict[str, Any] = {"periods": await _period_rows(), "errors": {}, "reopened": None}
    context.update(extra)
    return admin_page("overview.html", request, status, **context)


class OverviewPages(AdminController):
    @get("/quan-tri")
    async def overview(self, request: AnyRequest, mo_lai: FromQuery[int | None] = None) -> Template:
        return await _overview(request, reopened=mo_lai)

    @post("/quan-tri/ky/{period_id:int}/mo-lai", status_code=200)
    async def reopen(self, request: AnyRequest, user: SignedIn, period_id: FromPath[int],
                     data: FormBody) -> Response[Any]:
        reason = data.get("ly_do", "")
        try:
            period = await period_service.set_locked(period_id, False, user.username, reason)
        except ServiceError as exc:
            return await _overview(request, status_of(exc), errors={period_id: exc.message},
                                   reasons={period_id: reason})
        return see_other(f"/quan-tri?mo_lai={period['year']}")


ADMIN_PAGES: list[Any] = [OverviewPages, PeriodPages, ImportPages, AppraisalPages, RunPages, ComparePages,
                          AuditLogPages, AwardPages, *BATCH_PAGES, HistoryPages, AccountPages, UnitPages,
                          ClusterPages, PeriodClusterPages, UnitSheetPages, PlanPages]
