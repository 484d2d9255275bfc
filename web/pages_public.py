"""Public pages: published rankings, login and logout, a unit's public summary."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from accounts import admin as account_admin
from accounts import service as accounts
from accounts.first_run import needs_first_run
from accounts.security import token_digest
from http_layer.auth import (
    CHANGE_PASSWORD_PATH,
    CSRF_EXEMPT,
    SESSION_COOKIE,
    SignedIn,
    client_address,
    current_user,
    expired_session_cookie,
    requires_login,
    session_cookie,
)
from http_layer.errors import status_of
from scoring.registry.store import load_registry_from_db
from scoring.services import periods as period_service
from scoring.services import runs as run_service
from scoring.services.labels import label_results
from scoring.services.plan_store import load_plan_version
from scoring.services.predecessors import predecessor_results
from scoring.services.unit_years import unit_years
from storage.errors import ServiceError
from web import ranking_view, trends
from web.collation import vietnamese_key
from web.page_cache import PUBLIC_PAGE, VALID_UNTIL, pages, public_page, searches

AnyRequest = Request[Any, Any, Any]


def page(name: str, request: AnyRequest, status: int = 200, **context: Any) -> Template:
    """A page; its layout names the signed-in user (``request.user``, set by the auth middleware)."""
    return Template(
        template_name=name, context={"user": current_user(request), **context}, status_code=status
    )


async def published_levels(
    period_id: int, registry: Any, plan_levels: dict[str, str]
) -> list[dict[str, Any]]:
    """For each level of the plan (in the plan's order) with a published run: clusters (Vietnamese
    order) and their ranked rows."""
    out = []
    for level in plan_levels:
        run = await run_service.published_run(period_id, level)
        if run is None:
            continue
        clusters: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in await label_results(run, await run_service.run_results(run["id"])):
            clusters[row["cluster"] or ""].append(row)
        named = [(registry.cluster(code).name if code else "—", rows) for code, rows in clusters.items()]
        named.sort(key=lambda item: vietnamese_key(item[0]))
        out.append(
            {
                "level": level,
                "level_name": plan_levels.get(level, level),
                "run": run,
                "clusters": [
                    {"name": n, "rows": sorted(r, key=lambda x: x["rank_in_cluster"])} for n, r in named
                ],
            }
        )
    return out


async def level_names(period: dict[str, Any]) -> dict[str, str]:
    plan = await load_plan_version(period["plan_version"])
    return {lvl.id: lvl.name for lvl in plan.levels}


class PublicPages(Controller):
    include_in_schema = False

    @get("/", opt=PUBLIC_PAGE)
    async def home(
        self, request: AnyRequest, ky: FromQuery[int | None] = None, sap_xep: FromQuery[str] = "hang",
        tim: FromQuery[str] = "",
    ) -> Response[Any]:
        sort = sap_xep if sap_xep in trends.SORTS else "hang"
        query = tim.strip()[:100]
        return await public_page(request, ("home", ky, sort, query), "home.html",
                                 lambda: ranking_context(ky, sort, query), searches if query else pages)

    @get("/dang-nhap")
    async def login_form(self, request: AnyRequest, next: FromQuery[str] = "/") -> Template:
        return page("login.html", request, next=_safe_next(next), error=None, username="")

    @post("/dang-nhap", opt={CSRF_EXEMPT: True}, status_code=200)
    async def login(
        self,
        request: AnyRequest,
        data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Response[Any]:
        username, password = data.get("username", ""), data.get("password", "")
        target = _safe_next(data.get("next", "/"))
        if not username.strip() or not password:
            return page(
                "login.html",
                request,
                400,
                next=target,
                username=username,
                error="Hãy nhập tên đăng nhập và mật khẩu.",
            )
        client = client_address(request)
        try:
            account = await accounts.authenticate(username, password, client)
        except ServiceError as exc:
            return page(
                "login.html", request, status_of(exc), next=target, username=username, error=exc.message
            )
        if previous := request.cookies.get(SESSION_COOKIE):
            await accounts.end_session(previous)
        token, _ = await accounts.start_session(account["id"])
        if account["must_change_password"]:
            return Redirect(path=CHANGE_PASSWORD_PATH, cookies=[session_cookie(token)])
        if target == "/" and account["role"] == "unit":
            target = f"/don-vi/{account['unit_code']}"
        elif target == "/" and account["role"] == "admin":
            target = "/quan-tri"
        return Redirect(path=target, cookies=[session_cookie(token)])

    @get(CHANGE_PASSWORD_PATH, guards=[requires_login])
    async def change_password_form(self, request: AnyRequest) -> Template:
        return page("change_password.html", request, error=None, problems={})

    @post(CHANGE_PASSWORD_PATH, guards=[requires_login], status_code=200)
    async def change_password(
        self,
        request: AnyRequest,
        user: SignedIn,
        data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Response[Any]:
        new = data.get("new_password", "")
        if new != data.get("repeat_password", ""):
            return page("change_password.html", request, 400, error="Hai lần nhập mật khẩu mới không khớp.",
                        problems={"repeat_password": "Không khớp."})
        try:
            await account_admin.change_own_password(user.id, data.get("old_password", ""), new,
                                                    keep_session=token_digest(request.cookies.get(
                                                        SESSION_COOKIE, "")))
        except ServiceError as exc:
            details = exc.details if isinstance(exc.details, list) else []
            problems = {p["field"]: p["message"] for p in details}
            return page("change_password.html", request, status_of(exc), error=exc.message, problems=problems)
        return Redirect(path=_home_of(user.role, user.unit_code), status_code=303)

    @post("/dang-xuat", status_code=200)
    async def logout(self, request: AnyRequest) -> Response[Any]:
        if token := request.cookies.get(SESSION_COOKIE):
            await accounts.end_session(token)
        return Redirect(path="/", cookies=[expired_session_cookie()])

    @get("/don-vi/{code:str}/cong-khai", opt=PUBLIC_PAGE)
    async def public_summary(self, request: AnyRequest, code: FromPath[str]) -> Response[Any]:
        return await public_page(request, ("unit", code), "public_unit.html", lambda: unit_context(code))


async def ranking_context(ky: int | None, sort: str, query: str) -> dict[str, Any]:
    """The published ranking of period ``ky`` (the newest with one by default), sorted by
    ``sort``, with the units matching ``query``."""
    periods = sorted(await period_service.list_periods(), key=lambda p: p["year"], reverse=True)
    registry = await load_registry_from_db() if periods else None
    if ky is not None and all(p["id"] != ky for p in periods):
        raise ServiceError("not_found", f"Không có kỳ đánh giá số {ky}.")  # an error page: never cached
    shown = None
    levels: list[dict[str, Any]] = []
    for period in periods:
        if ky is not None and period["id"] != ky:
            continue
        names = await level_names(period)
        levels = await published_levels(period["id"], registry, names)
        if levels:
            shown = period
            break
    found: list[dict[str, Any]] = []
    if shown is not None:  # the band notes read the rank order: before any other sort
        ranking_view.annotate(levels, await load_plan_version(shown["plan_version"]))
        await trends.add_improvements(levels, periods, shown["year"], sort)
        found = ranking_view.search(levels, query)
    return {
        "periods": periods, "shown": shown, "levels": levels, "current": periods[0] if periods else None,
        "sort": sort, "sorts": trends.SORTS, "query": query, "found": found,
        "found_codes": {f["row"]["unit_code"] for f in found}, "first_run": await needs_first_run(),
        VALID_UNTIL: next_window_edge(periods),
    }


def next_window_edge(periods: list[dict[str, Any]]) -> datetime | None:
    """The next moment an entry window opens or closes: the page says which is open."""
    now = datetime.now(UTC)
    edges = [t for p in periods for t in (p["entry_opens"], p["entry_closes"]) if t is not None and t > now]
    return min(edges, default=None)


async def unit_context(code: str) -> dict[str, Any]:
    registry = await load_registry_from_db()
    if not registry.has(code):
        raise ServiceError("not_found", f"Không có đơn vị mã «{code}».")
    unit = registry.unit(code)
    years = (await unit_years(code, unit.level)).years
    view = trends.trend_view(years, unit.name, f"Kết quả đã công bố của {unit.name} qua các năm")
    cluster = registry.cluster(unit.cluster).name if unit.cluster else "—"
    return {"unit": unit, "cluster": cluster, "trends": view, "predecessors": await predecessor_results(code)}


def _home_of(role: str, unit_code: str | None) -> str:
    return f"/don-vi/{unit_code}" if role == "unit" and unit_code else "/quan-tri" if role == "admin" else "/"


def _safe_next(target: str) -> str:
    """Only local paths, so the login form cannot send people to another site."""
    return target if target.startswith("/") and not target.startswith("//") else "/"
