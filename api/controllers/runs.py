"""Scoring runs, published rankings, per-unit breakdowns, and the audit log."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Response, get, post
from litestar.enums import MediaType
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from http_layer.access import (
    IdField,
    IdPath,
    IdQuery,
    OptionalIdQuery,
    is_admin,
    require_breakdown_access,
    require_published_or_admin,
)
from http_layer.auth import SignedIn, Viewer, requires_admin
from scoring.services import runs as run_service
from scoring.services.labels import label_results
from scoring.services.publish import publish_run
from storage import audit
from storage.audit import AuditFilter

PUBLIC_FIELDS = (
    "unit_code",
    "unit_name",
    "level",
    "cluster",
    "cluster_name",
    "total",
    "max",
    "percent",
    "band",
    "band_name",
    "rank_in_cluster",
    "cluster_size",
    "rank_overall",
)


class RunStart(msgspec.Struct):
    period_id: IdField
    level: str


class RunController(Controller):
    path = "/api/v1/runs"
    tags = ("Lượt chấm điểm",)

    @post("/", guards=[requires_admin], summary="Chấm điểm một cấp của một kỳ")
    async def start(self, user: SignedIn, data: JSONBody[RunStart]) -> dict[str, Any]:
        return await run_service.start_run(data.period_id, data.level, user.username)

    @get("/", summary="Các lượt chấm (công chúng chỉ thấy lượt đã công bố)")
    async def list_runs(
        self,
        viewer: Viewer,
        period_id: OptionalIdQuery = None,
        level: FromQuery[str | None] = None,
    ) -> list[dict[str, Any]]:
        runs = await run_service.list_runs(period_id, level)
        return runs if is_admin(viewer) else [_public_run(r) for r in runs if r["published"]]

    @get("/{run_id:int}", summary="Một lượt chấm")
    async def get_run(self, viewer: Viewer, run_id: IdPath) -> dict[str, Any]:
        run = await _run(run_id)
        require_published_or_admin(viewer, run["published"])
        return run if is_admin(viewer) else _public_run(run)

    @get("/{run_id:int}/results", summary="Kết quả, xếp hạng của một lượt chấm")
    async def results(self, viewer: Viewer, run_id: IdPath) -> list[dict[str, Any]]:
        run = await _run(run_id)
        require_published_or_admin(viewer, run["published"])
        rows = await label_results(run, await run_service.run_results(run_id))
        return rows if is_admin(viewer) else [_public(r) for r in rows]

    @post("/{run_id:int}/publish", guards=[requires_admin], summary="Công bố một lượt chấm")
    async def publish(self, user: SignedIn, run_id: IdPath) -> dict[str, Any]:
        await publish_run(run_id, user.username)
        return await _run(run_id)

    @get("/{run_id:int}/units/{unit_code:str}", summary="Bảng điểm chi tiết của một đơn vị")
    async def breakdown(
        self, viewer: Viewer, run_id: IdPath, unit_code: FromPath[str]
    ) -> Response[dict[str, Any]]:
        run = await _run(run_id)
        require_breakdown_access(viewer, unit_code, run["published"])
        # The stored JSON is sent as it is: no parse and re-encode on this hot path.
        text = await run_service.unit_breakdown_json(run_id, unit_code)
        return Response(content=text.encode("utf-8"), media_type=MediaType.JSON)  # type: ignore[arg-type]


class RankingController(Controller):
    path = "/api/v1/rankings"
    tags = ("Xếp hạng công khai",)

    @get("/", summary="Bảng xếp hạng đã công bố của một cấp")
    async def rankings(
        self,
        period_id: IdQuery,
        level: FromQuery[str],
    ) -> dict[str, Any]:
        run = await run_service.published_run(period_id, level)
        if run is None:
            raise NotFoundException(detail="Chưa có kết quả được công bố cho kỳ và cấp này.")
        rows = await label_results(run, await run_service.run_results(run["id"]))
        return {"run": _public_run(run), "results": [_public(r) for r in rows]}


class AuditController(Controller):
    path = "/api/v1/audit"
    tags = ("Nhật ký",)
    guards = (requires_admin,)

    @get("/", summary="Nhật ký thay đổi")
    async def entries(
        self,
        unit: FromQuery[str | None] = None,
        actor: FromQuery[str | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
    ) -> list[dict[str, Any]]:
        rows = await audit.audit_entries(AuditFilter(unit_code=unit, actor=actor), limit)
        return [{**r, "at": r["at"].isoformat()} for r in rows]

    @get("/verify", summary="Kiểm tra chuỗi băm của nhật ký")
    async def verify(self) -> dict[str, Any]:
        result = await audit.verify()
        return {
            "ok": result.ok,
            "checked": result.checked,
            "broken_seq": result.broken_seq,
            "reason": result.reason,
        }


async def _run(run_id: int) -> dict[str, Any]:
    run = await run_service.get_run(run_id)
    if run is None:
        raise NotFoundException(detail="Không có lượt chấm này.")
    return run


def _public_run(run: dict[str, Any]) -> dict[str, Any]:
    """A run as the public sees it: no staff account names."""
    return {k: v for k, v in run.items() if k not in ("started_by", "published_by")}


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row.get(k) for k in PUBLIC_FIELDS}
