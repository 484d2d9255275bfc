"""Clusters (khối/cụm thi đua): the list per level with members, leader and deputy; create a
cluster; a cluster's page to rename it, set its members and its leader and deputy (cụm trưởng,
cụm phó). The same pages under a period (``/quan-tri/ky/{id}/cum-thi-dua``) show and change that
period's own composition, start it again from the registry, and name the units of the year left
out of every cluster. A refusal keeps what was typed and says why in Vietnamese; nothing is
written."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from http_layer.auth import SignedIn
from http_layer.errors import status_of
from scoring.core.units import COMPETING_LEVELS, Cluster, Registry
from scoring.registry.store import load_registry_from_db
from scoring.services import clusters_admin as cluster_service
from scoring.services import period_clusters
from scoring.services.periods import get_period
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


def _base(period: dict[str, Any] | None) -> str:
    return _base_of(period["id"] if period else None)


async def _scope(period_id: int | None) -> tuple[dict[str, Any] | None, Registry]:
    """The period (or ``None``: the registry) and the composition its pages show."""
    if period_id is None:
        return None, await load_registry_from_db()
    return await get_period(period_id), await period_clusters.registry_for_period(period_id)


def _outside(registry: Registry, level: str, year: int) -> list[Any]:
    """The level's units valid at some time in ``year`` that belong to no cluster."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    return sorted((u for u in registry.of_level(level) if u.cluster is None
                   and u.valid_from <= last and (u.valid_to is None or u.valid_to >= first)),
                  key=lambda u: vietnamese_key(u.name))


async def _list_page(request: AnyRequest, status: int = 200, period_id: int | None = None,
                     **context: Any) -> Template:
    period, registry = await _scope(period_id)
    names = await level_names(registry.province_name)
    sections = []
    for level in COMPETING_LEVELS:
        clusters = sorted((c for c in registry.clusters if c.level == level),
                          key=lambda c: vietnamese_key(c.name))
        outside = _outside(registry, level, period["year"]) if period else []
        if period and not clusters and not outside:
            continue
        sections.append({"id": level, "name": names.get(level, level), "outside": outside,
                         "rows": [_row(registry, c) for c in clusters]})
    values: dict[str, Any] = {"typed": {}, "errors": {}, "message": None, "done": None}
    values.update(context)
    levels = [(level, names.get(level, level)) for level in COMPETING_LEVELS]
    return admin_page("clusters.html", request, status, sections=sections, levels=levels,
                      period=period, base=_base(period), **values)


async def _cluster_page(request: AnyRequest, code: str, status: int = 200,
                        changed: dict[str, str] | None = None, period_id: int | None = None,
                        **context: Any) -> Template:
    """The cluster's page; ``changed`` is what was typed in a refused form, kept as typed."""
    period, registry = await _scope(period_id)
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
                      level_name=names.get(cluster.level, cluster.level), period=period,
                      base=_base(period), parents={u.code: u.name for u in registry.units},
                      **values)


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
        return await _members(request, user, code, data, None)

    @post("/quan-tri/cum-thi-dua/{code:str}/truong-pho", status_code=200)
    async def officers(self, request: AnyRequest, user: SignedIn, code: FromPath[str],
                       data: FormBody) -> Response[Any]:
        return await _officers(request, user, code, data, None)


async def _changed(request: AnyRequest, code: str, exc: ServiceError, typed: dict[str, str],
                   field: str, period_id: int | None = None) -> Template:
    """The cluster's page again after a refusal, with what was typed and the reason."""
    return await _cluster_page(request, code, status_of(exc), changed=typed,
                               errors={field: exc.message}, period_id=period_id)


class PeriodClusterPages(AdminController):
    """One period's own composition of the clusters."""

    @get("/quan-tri/ky/{period_id:int}/cum-thi-dua")
    async def clusters(self, request: AnyRequest, period_id: FromPath[int],
                       xong: FromQuery[str | None] = None) -> Template:
        return await _list_page(request, period_id=period_id, done=xong)

    @post("/quan-tri/ky/{period_id:int}/cum-thi-dua/chep-lai", status_code=200)
    async def copy(self, request: AnyRequest, user: SignedIn, period_id: FromPath[int],
                   data: FormBody) -> Response[Any]:
        if data.get("xac_nhan") != "co":
            return await _list_page(request, 400, period_id=period_id, message=(
                "Hãy đánh dấu ô xác nhận: thành phần khối/cụm của kỳ sẽ được thay bằng danh mục "
                "hiện hành."))
        try:
            await period_clusters.copy_from_registry(period_id, user.username)
        except ServiceError as exc:
            return await _list_page(request, status_of(exc), period_id=period_id,
                                    message=exc.message)
        return see_other(f"/quan-tri/ky/{period_id}/cum-thi-dua?xong=chep-lai")

    @get("/quan-tri/ky/{period_id:int}/cum-thi-dua/{code:str}")
    async def cluster(self, request: AnyRequest, period_id: FromPath[int], code: FromPath[str],
                      xong: FromQuery[str | None] = None) -> Template:
        return await _cluster_page(request, code, done=xong, period_id=period_id)

    @post("/quan-tri/ky/{period_id:int}/cum-thi-dua/{code:str}/thanh-vien", status_code=200)
    async def members(self, request: AnyRequest, user: SignedIn, period_id: FromPath[int],
                      code: FromPath[str], data: FormBody) -> Response[Any]:
        return await _members(request, user, code, data, period_id)

    @post("/quan-tri/ky/{period_id:int}/cum-thi-dua/{code:str}/truong-pho", status_code=200)
    async def officers(self, request: AnyRequest, user: SignedIn, period_id: FromPath[int],
                       code: FromPath[str], data: FormBody) -> Response[Any]:
        return await _officers(request, user, code, data, period_id)


async def _members(request: AnyRequest, user: SignedIn, code: str, data: dict[str, str],
                   period_id: int | None) -> Response[Any]:
    """Members typed in the form, for the registry or one period; refused: the page again."""
    typed = data.get("thanh_vien", "")
    try:
        await cluster_service.set_members(user.username, code, split_codes(typed), period_id=period_id)
    except ServiceError as exc:
        return await _changed(request, code, exc, {"thanh_vien": typed}, "thanh_vien", period_id)
    return see_other(f"{_base_of(period_id)}/{code}?xong=thanh-vien")


async def _officers(request: AnyRequest, user: SignedIn, code: str, data: dict[str, str],
                    period_id: int | None) -> Response[Any]:
    """Leader and deputy chosen in the form, for the registry or one period."""
    typed = {name: data.get(name, "") for name in ("cum_truong", "cum_pho")}
    try:
        await cluster_service.set_officers(user.username, code, typed["cum_truong"], typed["cum_pho"],
                                           period_id=period_id)
    except ServiceError as exc:
        return await _changed(request, code, exc, typed, _officer_field(exc), period_id)
    return see_other(f"{_base_of(period_id)}/{code}?xong=truong-pho")


def _base_of(period_id: int | None) -> str:
    return f"/quan-tri/ky/{period_id}/cum-thi-dua" if period_id is not None else "/quan-tri/cum-thi-dua"


def _officer_field(exc: ServiceError) -> str:
    deputy = "cụm phó '" in exc.message and "cụm trưởng '" not in exc.message
    return "cum_pho" if deputy else "cum_truong"
