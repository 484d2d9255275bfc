"""Plans and their versions, units and clusters, periods."""

from __future__ import annotations

import msgspec
from litestar import Controller, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, JSONBody, MultipartBody

from api.schemas.errors import error_responses
from api.schemas.registry import (
    Cluster,
    LevelLockChange,
    LockChange,
    Period,
    PeriodCluster,
    PeriodCreate,
    PlanSaved,
    PlanUpload,
    PlanVersion,
    PlanVersionWithPlan,
    Unit,
)
from http_layer.access import IdPath
from http_layer.auth import SignedIn, requires_admin
from http_layer.uploads import FileUpload, chosen_files
from scoring.registry.store import load_registry_from_db
from scoring.services import period_clusters, plan_store
from scoring.services import periods as period_service
from storage.errors import ServiceError


class PlanController(Controller):
    path = "/api/v1/plans"
    tags = ("Kế hoạch thi đua",)

    @get("/", summary="Các phiên bản kế hoạch", responses=error_responses(401))
    async def list_versions(self) -> list[PlanVersion]:
        return msgspec.convert(await plan_store.list_plan_versions(), list[PlanVersion])

    @get("/{version_id:int}", summary="Một phiên bản kế hoạch (JSON chuẩn hóa)",
         responses=error_responses(400, 401, 404, 409))
    async def get_version(self, version_id: IdPath) -> PlanVersionWithPlan:
        versions = {v["id"]: v for v in await plan_store.list_plan_versions()}
        if version_id not in versions:
            raise NotFoundException(detail="Không có phiên bản kế hoạch này.")
        plan = await plan_store.load_plan_version(version_id)
        return msgspec.convert({**versions[version_id], "plan": msgspec.json.decode(plan.canonical_json)},
                               PlanVersionWithPlan)

    @post("/", guards=[requires_admin], summary="Tải lên một phiên bản kế hoạch (TOML)",
          responses=error_responses(400, 401, 403))
    async def upload(self, user: SignedIn, data: JSONBody[PlanUpload]) -> PlanSaved:
        version_id, plan, created = await plan_store.save_plan_version(
            data.toml, actor=user.username
        )
        return PlanSaved(id=version_id, plan_id=plan.info.id, version=plan.info.version,
                         sha256=plan.sha256, created=created)

    @post("/workbook", guards=[requires_admin], status_code=200,
          summary="Tải lên một phiên bản kế hoạch dạng bảng tính (XLSX, multipart, trường «files»)",
          description="Bảng tính theo mẫu của «thidua plan export» (docs/plan-format.md). Lỗi trả về "
                      "plan_invalid, mỗi lỗi kèm trang (sheet), dòng (row), cột (column).",
          responses=error_responses(400, 401, 403))
    async def upload_workbook(self, user: SignedIn, data: MultipartBody[FileUpload]) -> PlanSaved:
        uploads = chosen_files(data.files)
        if len(uploads) != 1:
            raise ServiceError("invalid_input", "Hãy gửi đúng một tệp kế hoạch .xlsx (trường «files»).")
        plan = plan_store.parse_plan_workbook(await uploads[0].read())
        version_id, plan, created = await plan_store.save_plan(plan, actor=user.username)
        return PlanSaved(id=version_id, plan_id=plan.info.id, version=plan.info.version,
                         sha256=plan.sha256, created=created)


class UnitController(Controller):
    path = "/api/v1"
    tags = ("Đơn vị, khối/cụm",)

    @get("/units", summary="Danh mục đơn vị", responses=error_responses(400, 401))
    async def list_units(
        self,
        level: FromQuery[str | None] = None,
        cluster: FromQuery[str | None] = None,
    ) -> list[Unit]:
        registry = await load_registry_from_db()
        return msgspec.convert(
            [u for u in registry.units
             if (level is None or u.level == level) and (cluster is None or u.cluster == cluster)],
            list[Unit], from_attributes=True)

    @get("/units/{code:str}", summary="Một đơn vị", responses=error_responses(400, 401, 404))
    async def get_unit(self, code: FromPath[str]) -> Unit:
        registry = await load_registry_from_db()
        if not registry.has(code):
            raise NotFoundException(detail=f"Không có đơn vị mã «{code}».")
        return msgspec.convert(registry.unit(code), Unit, from_attributes=True)

    @get("/clusters", summary="Các khối/cụm thi đua", responses=error_responses(401))
    async def list_clusters(self) -> list[Cluster]:
        registry = await load_registry_from_db()
        return msgspec.convert(registry.clusters, list[Cluster], from_attributes=True)


class PeriodController(Controller):
    path = "/api/v1/periods"
    tags = ("Kỳ đánh giá",)

    @get("/", summary="Các kỳ đánh giá", responses=error_responses(401))
    async def list_periods(self) -> list[Period]:
        return msgspec.convert(await period_service.list_periods(), list[Period])

    @post("/", guards=[requires_admin], summary="Mở một kỳ đánh giá",
          responses=error_responses(400, 401, 403, 404))
    async def open_period(self, user: SignedIn, data: JSONBody[PeriodCreate]) -> Period:
        actor = user.username
        period_id = await period_service.open_period(
            data.plan_version_id, data.year, data.entry_opens, data.entry_closes, actor,
            submission_deadline=data.submission_deadline,
        )
        return msgspec.convert(await period_service.get_period(period_id), Period)

    @get("/{period_id:int}/clusters", summary="Thành phần khối/cụm thi đua của kỳ",
         responses=error_responses(400, 401, 404))
    async def clusters(self, period_id: IdPath) -> list[PeriodCluster]:
        await period_service.get_period(period_id)
        registry = await period_clusters.registry_for_period(period_id)
        return [PeriodCluster(code=c.code, name=c.name, level=c.level, leader=c.leader,
                              deputy=c.deputy, members=[u.code for u in registry.members(c.code)])
                for c in registry.clusters]

    @post("/{period_id:int}/lock", guards=[requires_admin], summary="Khóa số liệu của kỳ",
          responses=error_responses(400, 401, 403, 404))
    async def lock(self, user: SignedIn, period_id: IdPath, data: JSONBody[LockChange]) -> Period:
        await period_service.set_locked(period_id, True, user.username, data.reason)
        return msgspec.convert(await period_service.get_period(period_id), Period)

    @post("/{period_id:int}/reopen", guards=[requires_admin], summary="Mở lại số liệu của kỳ",
          responses=error_responses(400, 401, 403, 404))
    async def reopen(self, user: SignedIn, period_id: IdPath, data: JSONBody[LockChange]) -> Period:
        await period_service.set_locked(period_id, False, user.username, data.reason)
        return msgspec.convert(await period_service.get_period(period_id), Period)

    @post("/{period_id:int}/levels/{level:str}/lock", guards=[requires_admin],
          summary="Khóa số liệu một cấp của kỳ (kèm lý do)",
          responses=error_responses(400, 401, 403, 404))
    async def lock_level(self, user: SignedIn, period_id: IdPath, level: FromPath[str],
                         data: JSONBody[LevelLockChange]) -> Period:
        return msgspec.convert(await period_service.set_level_locked(
            period_id, level, True, user.username, data.reason), Period)

    @post("/{period_id:int}/levels/{level:str}/reopen", guards=[requires_admin],
          summary="Mở lại số liệu một cấp của kỳ (kèm lý do)",
          responses=error_responses(400, 401, 403, 404))
    async def reopen_level(self, user: SignedIn, period_id: IdPath, level: FromPath[str],
                           data: JSONBody[LevelLockChange]) -> Period:
        return msgspec.convert(await period_service.set_level_locked(
            period_id, level, False, user.username, data.reason), Period)
