"""Importing indicator files: check first (dry run), save only a file set with no error."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from litestar import get, post
from litestar.datastructures import UploadFile
from litestar.params import MultipartBody
from litestar.response import Template

from http_layer.auth import SignedIn
from http_layer.errors import status_of
from http_layer.uploads import chosen_files, saved_uploads
from scoring.services import values as value_service
from storage.errors import ServiceError
from web.admin.common import AdminController, AnyRequest, admin_page, periods_newest_first

DRY_RUN, IMPORT = "kiem-tra", "nhap"


@dataclass
class ImportForm:
    period_id: int | None = None
    file: list[UploadFile] = field(default_factory=list)
    action: str = DRY_RUN
    appraised: str | None = None


async def _form(request: AnyRequest, status: int = 200, **context: Any) -> Template:
    periods = await periods_newest_first()
    chosen = context.pop("chosen", None)
    if chosen is None:
        chosen = next((p["id"] for p in periods if not p["locked"]), periods[0]["id"] if periods else None)
    defaults: dict[str, Any] = {"summary": None, "error": None, "issues": [], "appraised": False,
                                "action": DRY_RUN}
    return admin_page("import.html", request, status, periods=periods, chosen=chosen,
                      **{**defaults, **context})


class ImportPages(AdminController):
    @get("/quan-tri/nhap-lieu")
    async def import_form(self, request: AnyRequest) -> Template:
        return await _form(request)

    @post("/quan-tri/nhap-lieu", status_code=200)
    async def import_upload(self, request: AnyRequest, user: SignedIn,
                            data: MultipartBody[ImportForm]) -> Template:
        uploads = chosen_files(data.file)
        dry_run = data.action != IMPORT
        keep: dict[str, Any] = {"chosen": data.period_id, "appraised": bool(data.appraised),
                                "action": data.action}
        if data.period_id is None:
            return await _form(request, 400, error="Hãy chọn kỳ đánh giá.", **keep)
        if not uploads:
            return await _form(request, 400, error="Chưa chọn tệp số liệu nào. Hãy chọn ít nhất một tệp "
                                                   "CSV hoặc XLSX.", **keep)
        async with saved_uploads(uploads) as paths:
            try:
                summary = await value_service.import_files(
                    data.period_id, paths, actor=user.username, dry_run=dry_run,
                    as_appraised=bool(data.appraised))
            except ServiceError as exc:
                issues = exc.details if exc.code == "import_invalid" and isinstance(exc.details, list) else []
                return await _form(request, status_of(exc), error=exc.message, issues=issues, **keep)
        return await _form(request, summary=summary, **keep)
