"""The public methodology pages: how every criterion is scored, generated from the stored plan.

``/phuong-phap`` lists the stored plan versions (several plans, several versions each);
``/phuong-phap/{id}`` shows one version criterion by criterion, in words, with its source;
``/phuong-phap/so-sanh?tu=…&den=…`` shows what changed between two versions. No login: the
rules a unit is scored by are public. The words come from :mod:`criteria.describe`.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from litestar import Controller, Response, get

from criteria.describe import describe_plan, ranking_steps
from criteria.plan_diff import diff_plans
from http_layer.access import AnyRequest, IdPath, OptionalIdQuery
from scoring.services import periods as period_service
from scoring.services.plan_store import list_plan_versions, load_plan_version
from storage.errors import ServiceError
from web.page_cache import PUBLIC_PAGE, public_page


async def stored_versions() -> list[dict[str, Any]]:
    """Every stored version, newest first, with the years whose periods use it."""
    years: dict[int, list[int]] = defaultdict(list)
    for period in await period_service.list_periods():
        years[period["plan_version"]].append(period["year"])
    versions = await list_plan_versions()
    return [{**v, "years": sorted(set(years[v["id"]]))} for v in reversed(versions)]


def by_plan(versions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Versions grouped by plan id, the plan with the newest version first."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for version in versions:
        groups.setdefault(version["plan_id"], []).append(version)
    return [{"plan_id": pid, "title": rows[0]["title"], "versions": rows} for pid, rows in groups.items()]


def default_pair(
    versions: list[dict[str, Any]], tu: int | None, den: int | None
) -> tuple[int | None, int | None]:
    """What to compare when the form left a side open: the newest version, and the one before."""
    ids = [v["id"] for v in versions]  # newest first
    if den is None:
        den = ids[0] if ids else None
    if tu is None:
        after = ids[ids.index(den) + 1:] if den in ids else ids
        tu = next((i for i in [*after, *ids] if i != den), None)
    return tu, den


class MethodologyPages(Controller):
    path = "/phuong-phap"
    include_in_schema = False

    @get("/", opt=PUBLIC_PAGE)
    async def index(self, request: AnyRequest) -> Response[Any]:
        return await public_page(request, ("methodology",), "methodology_index.html", index_context)

    @get("/{version_id:int}", opt=PUBLIC_PAGE)
    async def version(self, request: AnyRequest, version_id: IdPath) -> Response[Any]:
        return await public_page(request, ("methodology", version_id), "methodology.html",
                                 lambda: version_context(version_id))

    @get("/so-sanh", opt=PUBLIC_PAGE)
    async def compare(
        self, request: AnyRequest, tu: OptionalIdQuery = None, den: OptionalIdQuery = None
    ) -> Response[Any]:
        return await public_page(request, ("compare", tu, den), "methodology_compare.html",
                                 lambda: compare_context(tu, den))


async def index_context() -> dict[str, Any]:
    versions = await stored_versions()
    tu, den = default_pair(versions, None, None)
    return {"plans": by_plan(versions), "versions": versions, "tu": tu, "den": den}


async def version_context(version_id: int) -> dict[str, Any]:
    plan = await load_plan_version(version_id)  # 404 page when there is no such version
    versions = await stored_versions()
    stored = next(v for v in versions if v["id"] == version_id)
    return {"plan": plan, "stored": stored, "levels": describe_plan(plan), "steps": ranking_steps(plan),
            "others": len(versions) > 1}


async def compare_context(tu: int | None, den: int | None) -> dict[str, Any]:
    versions = await stored_versions()
    old_id, new_id = default_pair(versions, tu, den)
    known = {v["id"]: v for v in versions}
    for wanted in (old_id, new_id):
        if wanted is not None and wanted not in known:
            raise ServiceError("not_found", f"Không có phiên bản kế hoạch số {wanted}.")
    diff, names = None, {}
    if old_id is not None and new_id is not None:
        old, new = await load_plan_version(old_id), await load_plan_version(new_id)
        diff = diff_plans(old, new)
        names = {lvl.id: lvl.name for lvl in (*old.levels, *new.levels)}
    return {"versions": versions, "tu": old_id, "den": new_id, "old": known.get(old_id or 0),
            "new": known.get(new_id or 0), "diff": diff, "level_names": names}
