"""Indicator values: read, enter one's own, bulk import with a dry run, appraise."""

from __future__ import annotations

import msgspec
from litestar import Controller, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody, MultipartBody

from api.schemas.errors import error_responses
from api.schemas.values import Appraisal, IndicatorValue, ValueEntry, ValueImport
from http_layer.access import IdPath, require_unit_access
from http_layer.auth import SignedIn, requires_admin, requires_login
from http_layer.uploads import FileUpload, saved_uploads
from scoring.services import values as value_service


class ValueController(Controller):
    path = "/api/v1/periods/{period_id:int}"
    tags = ("Số liệu chỉ tiêu",)

    @get("/values", guards=[requires_login], summary="Số liệu của kỳ (đơn vị chỉ thấy của mình)",
         responses=error_responses(400, 401, 403, 404))
    async def list_values(
        self,
        user: SignedIn,
        period_id: IdPath,
        unit: FromQuery[str | None] = None,
        pending: FromQuery[bool] = False,
    ) -> list[IndicatorValue]:
        if not user.is_admin:
            unit = unit or user.unit_code or ""
            require_unit_access(user, unit)
        rows = await value_service.list_values(period_id, unit, pending)
        return msgspec.convert(rows, list[IndicatorValue])

    @put(
        "/values/{unit_code:str}/{indicator:str}",
        guards=[requires_login],
        summary="Nhập số liệu tự đánh giá của đơn vị",
        responses=error_responses(400, 401, 403, 404, 409),
    )
    async def set_value(
        self,
        user: SignedIn,
        period_id: IdPath,
        unit_code: FromPath[str],
        indicator: FromPath[str],
        data: JSONBody[ValueEntry],
    ) -> IndicatorValue:
        require_unit_access(user, unit_code)
        raw = "" if data.value is None else data.value
        row = await value_service.set_own_value(
            period_id,
            unit_code,
            indicator,
            raw,
            evidence_url=data.evidence_url,
            comment=data.comment,
            actor=user.username,
        )
        return msgspec.convert(row, IndicatorValue)

    @post(
        "/values/{unit_code:str}/{indicator:str}/appraisal",
        guards=[requires_admin],
        summary="Thẩm định: chấp nhận hoặc sửa kèm lý do",
        responses=error_responses(400, 401, 403, 404, 409),
    )
    async def appraise(
        self,
        user: SignedIn,
        period_id: IdPath,
        unit_code: FromPath[str],
        indicator: FromPath[str],
        data: JSONBody[Appraisal],
    ) -> IndicatorValue:
        row = await value_service.appraise(
            period_id,
            unit_code,
            indicator,
            actor=user.username,
            accept=data.accept,
            value=data.value,
            reason=data.reason,
        )
        return msgspec.convert(row, IndicatorValue)

    @post("/import", status_code=200, guards=[requires_admin], summary="Nhập số liệu từ tệp CSV/XLSX",
          responses=error_responses(400, 401, 403, 404, 409))
    async def import_files(
        self,
        user: SignedIn,
        period_id: IdPath,
        data: MultipartBody[FileUpload],
        dry_run: FromQuery[bool] = False,
        appraised: FromQuery[bool] = False,
    ) -> ValueImport:
        async with saved_uploads(data.files) as paths:
            summary = await value_service.import_files(
                period_id, paths, actor=user.username, dry_run=dry_run, as_appraised=appraised
            )
        return msgspec.convert(summary, ValueImport)
