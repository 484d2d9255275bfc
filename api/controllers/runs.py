"""Scoring runs, published rankings, per-unit breakdowns, and the audit log."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Response, get, post
from litestar.enums import MediaType
from litestar.exceptions import NotFoundException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from api.schemas.errors import error_responses
from api.schemas.runs import (
    AuditCheck,
    AuditRecord,
    Rankings,
    Run,
    RunPublic,
    RunResult,
    RunResultPublic,
    RunStart,
    UnitBreakdown,
)
from http_layer.access import (
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

BREAKDOWN = ResponseSpec(UnitBreakdown, generate_examples=False,
                         description="Bảng điểm của đơn vị đúng như lượt chấm đã lưu (JSON chuẩn hóa).")


class RunController(Controller):
    path = "/api/v1/runs"
    tags = ("Lượt chấm điểm",)

    @post("/", guards=[requires_admin], summary="Chấm điểm một cấp của một kỳ",
          responses=error_responses(400, 401, 403, 404))
    async def start(self, user: SignedIn, data: JSONBody[RunStart]) -> Run:
        return msgspec.convert(await run_service.start_run(data.period_id, data.level, user.username), Run)

    @get("/", summary="Các lượt chấm (công chúng chỉ thấy lượt đã công bố)",
         responses=error_responses(400, 401))
    async def list_runs(
        self,
        viewer: Viewer,
        period_id: OptionalIdQuery = None,
        level: FromQuery[str | None] = None,
    ) -> list[Run | RunPublic]:
        runs = await run_service.list_runs(period_id, level)
        if is_admin(viewer):
            return list(msgspec.convert(runs, list[Run]))
        return list(msgspec.convert([r for r in runs if r["published"]], list[RunPublic]))

    @get("/{run_id:int}", summary="Một lượt chấm", responses=error_responses(400, 401, 403, 404))
    async def get_run(self, viewer: Viewer, run_id: IdPath) -> Run | RunPublic:
        run = await _run(run_id)
        require_published_or_admin(viewer, run["published"])
        return msgspec.convert(run, Run if is_admin(viewer) else RunPublic)

    @get("/{run_id:int}/results", summary="Kết quả, xếp hạng của một lượt chấm",
         responses=error_responses(400, 401, 403, 404))
    async def results(self, viewer: Viewer, run_id: IdPath) -> list[RunResult] | list[RunResultPublic]:
        run = await _run(run_id)
        require_published_or_admin(viewer, run["published"])
        rows = await label_results(run, await run_service.run_results(run_id))
        if is_admin(viewer):
            return msgspec.convert(rows, list[RunResult])
        return msgspec.convert(rows, list[RunResultPublic])

    @post("/{run_id:int}/publish", guards=[requires_admin], summary="Công bố một lượt chấm",
          responses=error_responses(400, 401, 403, 404, 409))
    async def publish(self, user: SignedIn, run_id: IdPath) -> Run:
        await publish_run(run_id, user.username)
        return msgspec.convert(await _run(run_id), Run)

    @get("/{run_id:int}/units/{unit_code:str}", summary="Bảng điểm chi tiết của một đơn vị",
         responses={200: BREAKDOWN, **error_responses(400, 401, 403, 404)})
    async def breakdown(self, viewer: Viewer, run_id: IdPath, unit_code: FromPath[str]) -> Response[bytes]:
        run = await _run(run_id)
        require_breakdown_access(viewer, unit_code, run["published"])
        # The stored JSON is sent as it is: no parse and re-encode on this hot path.
        text = await run_service.unit_breakdown_json(run_id, unit_code)
        return Response(content=text.encode("utf-8"), media_type=MediaType.JSON)


class RankingController(Controller):
    path = "/api/v1/rankings"
    tags = ("Xếp hạng công khai",)

    @get("/", summary="Bảng xếp hạng đã công bố của một cấp", responses=error_responses(400, 401, 404))
    async def rankings(
        self,
        period_id: IdQuery,
        level: FromQuery[str],
    ) -> Rankings:
        run = await run_service.published_run(period_id, level)
        if run is None:
            raise NotFoundException(detail="Chưa có kết quả được công bố cho kỳ và cấp này.")
        rows = await label_results(run, await run_service.run_results(run["id"]))
        return msgspec.convert({"run": run, "results": rows}, Rankings)


class AuditController(Controller):
    path = "/api/v1/audit"
    tags = ("Nhật ký",)
    guards = (requires_admin,)

    @get("/", summary="Nhật ký thay đổi", responses=error_responses(400, 401, 403))
    async def entries(
        self,
        unit: FromQuery[str | None] = None,
        actor: FromQuery[str | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
    ) -> list[AuditRecord]:
        rows = await audit.audit_entries(AuditFilter(unit_code=unit, actor=actor), limit)
        return msgspec.convert([{**r, "at": r["at"].isoformat()} for r in rows], list[AuditRecord])

    @get("/verify", summary="Kiểm tra chuỗi băm của nhật ký", responses=error_responses(401, 403))
    async def verify(self) -> AuditCheck:
        return msgspec.convert(await audit.verify(), AuditCheck, from_attributes=True)


async def _run(run_id: int) -> dict[str, Any]:
    run = await run_service.get_run(run_id)
    if run is None:
        raise NotFoundException(detail="Không có lượt chấm này.")
    return run
