"""Plans and their versions, units and clusters, periods."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from litestar import Controller, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, JSONBody

from http_layer.access import IdField, IdPath
from http_layer.auth import SignedIn, requires_admin
from scoring.registry.store import load_registry_from_db
from scoring.services import periods as period_service
from scoring.services import plan_store


class PlanUpload(msgspec.Struct):
    toml: str


class PeriodCreate(msgspec.Struct):
    plan_version_id: IdField
    year: int
    entry_opens: datetime
    entry_closes: datetime


class LockChange(msgspec.Struct):
    reason: str = ""


class PlanController(Controller):
    path = "/api/v1/plans"
    tags = ("Kế hoạch thi đua",)

    @get("/", summary="Các phiên bản kế hoạch")
    async def list_versions(self) -> list[dict[str, Any]]:
        return await plan_store.list_plan_versions()

    @get("/{version_id:int}", summary="Một phiên bản kế hoạch (JSON chuẩn hóa)")
    async def get_version(self, version_id: IdPath) -> dict[str, Any]:
        versions = {v["id"]: v for v in await plan_store.list_plan_versions()}
        if version_id not in versions:
            raise NotFoundException(detail="Không có phiên bản kế hoạch này.")
        plan = await plan_store.load_plan_version(version_id)
        return {**versions[version_id], "plan": msgspec.json.decode(plan.canonical_json)}

    @post("/", guards=[requires_admin], summary="Tải lên một phiên bản kế hoạch (TOML)")
    async def upload(self, user: SignedIn, data: JSONBody[PlanUpload]) -> dict[str, Any]:
        version_id, plan, created = await plan_store.save_plan_version(
            data.toml, actor=user.username
        )
        return {
            "id": version_id,
            "plan_id": plan.info.id,
            "version": plan.info.version,
            "sha256": plan.sha256,
            "created": created,
        }


class UnitController(Controller):
    path = "/api/v1"
    tags = ("Đơn vị, khối/cụm",)

    @get("/units", summary="Danh mục đơn vị")
    async def list_units(
        self,
        level: FromQuery[str | None] = None,
        cluster: FromQuery[str | None] = None,
    ) -> list[dict[str, Any]]:
        registry = await load_registry_from_db()
        return [
            _unit(u)
            for u in registry.units
            if (level is None or u.level == level) and (cluster is None or u.cluster == cluster)
        ]

    @get("/units/{code:str}", summary="Một đơn vị")
    async def get_unit(self, code: FromPath[str]) -> dict[str, Any]:
        registry = await load_registry_from_db()
        if not registry.has(code):
            raise NotFoundException(detail=f"Không có đơn vị mã «{code}».")
        return _unit(registry.unit(code))

    @get("/clusters", summary="Các khối/cụm thi đua")
    async def list_clusters(self) -> list[dict[str, Any]]:
        registry = await load_registry_from_db()
        return [{"code": c.code, "name": c.name, "level": c.level} for c in registry.clusters]


def _unit(u: Any) -> dict[str, Any]:
    return {
        "code": u.code,
        "name": u.name,
        "kind": u.kind,
        "level": u.level,
        "parent": u.parent,
        "cluster": u.cluster,
        "valid_from": u.valid_from.isoformat(),
        "valid_to": u.valid_to.isoformat() if u.valid_to else None,
        "successors": list(u.successors),
    }


class PeriodController(Controller):
    path = "/api/v1/periods"
    tags = ("Kỳ đánh giá",)

    @get("/", summary="Các kỳ đánh giá")
    async def list_periods(self) -> list[dict[str, Any]]:
        return await period_service.list_periods()

    @post("/", guards=[requires_admin], summary="Mở một kỳ đánh giá")
    async def open_period(self, user: SignedIn, data: JSONBody[PeriodCreate]) -> dict[str, Any]:
        actor = user.username
        period_id = await period_service.open_period(
            data.plan_version_id, data.year, data.entry_opens, data.entry_closes, actor
        )
        return await period_service.get_period(period_id)

    @post("/{period_id:int}/lock", guards=[requires_admin], summary="Khóa số liệu của kỳ")
    async def lock(
        self, user: SignedIn, period_id: IdPath, data: JSONBody[LockChange]
    ) -> dict[str, Any]:
        await period_service.set_locked(period_id, True, user.username, data.reason)
        return await period_service.get_period(period_id)

    @post("/{period_id:int}/reopen", guards=[requires_admin], summary="Mở lại số liệu của kỳ")
    async def reopen(
        self, user: SignedIn, period_id: IdPath, data: JSONBody[LockChange]
    ) -> dict[str, Any]:
        await period_service.set_locked(period_id, False, user.username, data.reason)
        return await period_service.get_period(period_id)


