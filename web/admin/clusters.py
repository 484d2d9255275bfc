"""Clusters (khối/cụm thi đua): the list per level with members, leader and deputy; create a
cluster; a cluster's page to rename it, set its members and its leader and deputy (cụm trưởng,
cụm phó). A refusal keeps what was typed and says why in Vietnamese; nothing is written."""

from __future__ import annotations

from typing import Any

from litestar import Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from http_layer.auth import SignedIn
from http_layer.errors import status_of
from scoring.core.units import COMPETING_LEVELS, Cluster, Registry
from scoring.registry.store import load_registry_from_db
from scoring.services import clusters_admin as cluster_service
from storage.errors import ServiceError
from web.admin.common import AdminController, AnyRequest, FormBody, admin_page, see_other
from web.admin.units import level_names, split_codes
from web.collation import vietnamese_key

NEW_FIELDS = {"ma": "Mã khối/cụm", "ten": "Tên khối/cụm", "cap": "Cấp"}
SERVICE_FIELDS = {"code": "ma", "name": "ten", "level": "cap"}


def _row(registry: Registry, cluster: Cluster) -> dict[str, Any]:
    names = {u.code: u.name for u in registry.members(cluster.code)}
    return {"cluster": cluster, "count": len(names),
            "leader": names.get(cluster.leader or "", cluster.leader),
            "deputy": names.get(cluster.deputy or "", cluster.deputy)}


async def _list_page(request: AnyRequest, status: int = 200, **context: Any) -> Template:
    registry = await load_registry_from_db()
    names = await level_names(registry.province_name)
    sections = []
    for level in COMPETING_LEVELS:
        clusters = sorted((c for c in registry.clusters if c.level == level),
                          key=lambda c: vietnamese_key(c.name))
        sections.append({"id": level, "name": names.get(level, level),
                         "rows": [_row(registry, c) for c in clusters]})
    values: dict[str, Any] = {"typed": {}, "errors": {}, "message": None}
    values.update(context)
    levels = [(level, names.get(level, level)) for level in COMPETING_LEVELS]
    return admin_page("clusters.html", request, status, sections=sections, levels=levels,
                      **values)


async def _cluster_page(request: AnyRequest, code: str, status: int = 200,
                        changed: dict[str, str] | None = None, **context: Any) -> Template:
    """The cluster's page; ``changed`` is what was typed in a refused form, kept as typed."""
    registry = await load_registry_from_db()
    try:
        cluster = registry.cluster(code)
    except KeyError:
        raise ServiceError("not_found", f"Không có khối/cụm thi đua mã «{code}».") from None
    members = sorted(registry.members(code), key=lambda u: vietnamese_key(u.name))
    names = await level_names(registry.province_name)
    values: dict[str, Any] = {
        "typed": {"ten": cluster.name, "cum_truong": cluster.leader or "",
                  "cum_pho": cluster.deputy or "",
                  "thanh_vien": "\n".join(u.code for u in registry.members(code)),
                  **(changed or {})},
        "errors": {}, "message": None, "done": None}
    values.update(context)
    return admin_page("cluster.html", request, status, cluster=cluster, members=members,
                      level_name=names.get(cluster.level, cluster.level),
                      parents={u.code: u.name for u in registry.units}, **values)


class ClusterPages(AdminController):
    @get("/quan-tri/cum-thi-dua")
    async def clusters(self, request: AnyRequest) -> Template:
        return await _list_page(request)

    @post("/quan-tri/cum-thi-dua", status_code=200)
    async def create_cluster(self, request: AnyRequest, user: SignedIn,
                             data: FormBody) -> Response[Any]:
        typed = {name: data.get(name, "").strip() for name in NEW_FIELDS}
        try:
            cluster = await cluster_service.create_cluster(
                user.username, code=typed["ma"], name=typed["ten"], level=typed["cap"])
        except ServiceError as exc:
            details = exc.details if isinstance(exc.details, dict) else {}
            name = SERVICE_FIELDS.get(str(details.get("field", "")), "ma")
            return await _list_page(request, status_of(exc), typed=typed,
                                    errors={name: exc.message}, message=exc.message)
        return see_other(f"/quan-tri/cum-thi-dua/{cluster.code}?xong=moi")

    @get("/quan-tri/cum-thi-dua/{code:str}")
    async def cluster(self, request: AnyRequest, code: FromPath[str],
                      xong: FromQuery[str | None] = None) -> Template:
        return await _cluster_page(request, code, done=xong)

    @post("/quan-tri/cum-thi-dua/{code:str}/ten", status_code=200)
    async def rename(self, request: AnyRequest, user: SignedIn, code: FromPath[str],
                     data: FormBody) -> Response[Any]:
        name = data.get("ten", "")
        try:
            await cluster_service.rename_cluster(user.username, code, name)
        except ServiceError as exc:
            return await _changed(request, code, exc, {"ten": name}, "ten")
        return see_other(f"/quan-tri/cum-thi-dua/{code}?xong=ten")

    @post("/quan-tri/cum-thi-dua/{code:str}/thanh-vien", status_code=200)
    async def members(self, request: AnyRequest, user: SignedIn, code: FromPath[str],
                      data: FormBody) -> Response[Any]:
        typed = data.get("thanh_vien", "")
        try:
            await cluster_service.set_members(user.username, code, split_codes(typed))
        except ServiceError as exc:
            return await _changed(request, code, exc, {"thanh_vien": typed}, "thanh_vien")
        return see_other(f"/quan-tri/cum-thi-dua/{code}?xong=thanh-vien")

    @post("/quan-tri/cum-thi-dua/{code:str}/truong-pho", status_code=200)
    async def officers(self, request: AnyRequest, user: SignedIn, code: FromPath[str],
                       data: FormBody) -> Response[Any]:
        typed = {name: data.get(name, "") for name in ("cum_truong", "cum_pho")}
        try:
            await cluster_service.set_officers(user.username, code, typed["cum_truong"],
                                               typed["cum_pho"])
        except ServiceError as exc:
            deputy = "cụm phó '" in exc.message and "cụm trưởng '" not in exc.message
            return await _changed(request, code, exc, typed, "cum_pho" if deputy else "cum_truong")
        return see_other(f"/quan-tri/cum-thi-dua/{code}?xong=truong-pho")


async def _changed(request: AnyRequest, code: str, exc: ServiceError, typed: dict[str, str],
                   field: str) -> Template:
    """The cluster's page again after a refusal, with what was typed and the reason."""
    return await _cluster_page(request, code, status_of(exc), changed=typed,
                               errors={field: exc.message})
