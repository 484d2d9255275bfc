"""What every administrator page shares: the guarded base controller, rendering, form parsing."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from criteria.model import Plan
from http_layer.auth import requires_admin
from presentation.times import parse_date
from scoring.services import periods as period_service
from scoring.services.plan_store import load_plan_version
from web.pages_public import page

AnyRequest = Request[Any, Any, Any]
FormBody = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


class AdminController(Controller):
    """Every administrator page: admins only, kept out of the API schema."""

    guards = (requires_admin,)
    include_in_schema = False


def admin_page(name: str, request: AnyRequest, status: int = 200, **context: Any) -> Template:
    return page(f"admin/{name}", request, status, **context)


def see_other(path: str) -> Redirect:
    """After a successful POST: go to a page the browser may reload safely."""
    return Redirect(path=path, status_code=303)



async def periods_newest_first() -> list[dict[str, Any]]:
    return sorted(await period_service.list_periods(), key=lambda p: (p["year"], p["id"]), reverse=True)


async def period_plan(period: dict[str, Any]) -> Plan:
    return await load_plan_version(period["plan_version"])


def competing_levels(plan: Plan) -> list[tuple[str, str]]:
    """(id, Vietnamese name) of the plan's levels, in the plan's own order."""
    return [(lvl.id, lvl.name) for lvl in plan.levels]


def parse_int(text: str | None) -> int | None:
    try:
        return int((text or "").strip())
    except ValueError:
        return None


def parse_day(text: str) -> date:
    """"31/12/2024" → date; ValueError with a Vietnamese message otherwise."""
    return parse_date(text)
