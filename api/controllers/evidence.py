"""Evidence files per indicator value: upload, list, open, remove (recorded, never silent).

Only those who may see the unit's values may do any of it: the unit's own account and the
Department's staff (see :func:`http_layer.access.require_unit_access`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec
from litestar import Controller, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, JSONBody, MultipartBody

from api.schemas.errors import error_responses
from api.schemas.evidence import EvidenceFilePublic, EvidenceRemoval
from http_layer.access import IdPath, require_unit_access
from http_layer.auth import SignedIn, requires_login
from http_layer.downloads import file_download
from scoring.services import evidence as evidence_service
from storage.errors import ServiceError


@dataclass
class EvidenceForm:
    file: UploadFile | None = None


class EvidenceController(Controller):
    path = "/api/v1/periods/{period_id:int}"
    tags = ("Tài liệu kiểm chứng",)

    @post("/values/{unit_code:str}/{indicator:str}/evidence", status_code=201,
          guards=[requires_login],
          summary="Tải lên một tài liệu kiểm chứng (trường «file»; PDF, ảnh, Word, Excel…, tối đa 20 MB)",
          responses=error_responses(400, 401, 403, 404, 413))
    async def upload(self, user: SignedIn, period_id: IdPath, unit_code: FromPath[str],
                     indicator: FromPath[str], data: MultipartBody[EvidenceForm]) -> EvidenceFilePublic:
        require_unit_access(user, unit_code)
        if not isinstance(data.file, UploadFile) or not data.file.filename:
            raise ServiceError("invalid_input", "Chưa chọn tệp (trường «file»).", details={"field": "file"})
        content = await data.file.read()
        row = await evidence_service.add_evidence(period_id, unit_code, indicator, data.file.filename,
                                                  content, user.username)
        return msgspec.convert(row, EvidenceFilePublic)

    @get("/values/{unit_code:str}/{indicator:str}/evidence", guards=[requires_login],
         summary="Các tài liệu kiểm chứng của một số liệu (cả tài liệu đã gỡ, có lý do)",
         responses=error_responses(400, 401, 403, 404))
    async def listing(self, user: SignedIn, period_id: IdPath, unit_code: FromPath[str],
                      indicator: FromPath[str]) -> list[EvidenceFilePublic]:
        require_unit_access(user, unit_code)
        rows = await evidence_service.list_evidence(period_id, unit_code, indicator)
        return msgspec.convert(rows, list[EvidenceFilePublic])

    @get("/evidence/{file_id:int}", guards=[requires_login], summary="Mở một tài liệu kiểm chứng",
         media_type="application/octet-stream", responses=error_responses(400, 401, 403, 404),
         response_description="Nội dung tệp, với kiểu đọc từ nội dung")
    async def open_file(self, user: SignedIn, period_id: IdPath, file_id: IdPath) -> Response[bytes]:
        row = await _own(user, period_id, file_id)
        content = await evidence_service.evidence_content(row["sha256"])
        return file_download(content, row["name"], row["sha256"], row["media_type"],
                             inline=row["media_type"] in evidence_service.INLINE)

    @post("/evidence/{file_id:int}/remove", status_code=200, guards=[requires_login],
          summary="Gỡ một tài liệu kiểm chứng (ghi lý do)",
          responses=error_responses(400, 401, 403, 404, 409))
    async def remove(self, user: SignedIn, period_id: IdPath, file_id: IdPath,
                     data: JSONBody[EvidenceRemoval]) -> EvidenceFilePublic:
        await _own(user, period_id, file_id)
        row = await evidence_service.remove_evidence(period_id, file_id, data.reason, user.username)
        return msgspec.convert(row, EvidenceFilePublic)


async def _own(user: Any, period_id: int, file_id: int) -> dict[str, Any]:
    """The file, if the user may see its unit's values (a stranger's file: 403, as for the values)."""
    row = await evidence_service.get_evidence(period_id, file_id)
    require_unit_access(user, row["unit_code"])
    return row
