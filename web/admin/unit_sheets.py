"""Units and clusters as an XLSX workbook: download the registry; upload it back, all or
nothing, with every bad cell named by sheet, row, column and reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from litestar import Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import MultipartBody
from litestar.response import Template

from http_layer.auth import SignedIn
from http_layer.errors import status_of
from http_layer.uploads import chosen_files
from scoring.services import registry_sheets
from storage.errors import ServiceError
from web.admin.common import AdminController, AnyRequest, admin_page

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class SheetForm:
    file: list[UploadFile] = field(default_factory=list)


def _page(request: AnyRequest, status: int = 200, **context: Any) -> Template:
    values: dict[str, Any] = {"error": None, "issues": [], "counts": None}
    values.update(context)
    return admin_page("units_import.html", request, status, **values)


class UnitSheetPages(AdminController):
    @get("/quan-tri/don-vi/danh-muc.xlsx")
    async def export(self) -> Response[bytes]:
        body = await registry_sheets.export_registry_xlsx()
        return Response(content=body, media_type=XLSX, headers={
            "Content-Disposition": 'attachment; filename="danh-muc-don-vi.xlsx"'})

    @get("/quan-tri/don-vi/nhap")
    async def import_form(self, request: AnyRequest) -> Template:
        return _page(request)

    @post("/quan-tri/don-vi/nhap", status_code=200)
    async def import_upload(self, request: AnyRequest, user: SignedIn,
                            data: MultipartBody[SheetForm]) -> Template:
        uploads = chosen_files(data.file)
        if len(uploads) != 1:
            return _page(request, 400, error="Hãy chọn đúng một tệp Excel (.xlsx) danh mục đơn vị.")
        try:
            counts = await registry_sheets.import_registry_xlsx(user.username,
                                                                await uploads[0].read())
        except ServiceError as exc:
            issues = exc.details if isinstance(exc.details, list) else []
            return _page(request, status_of(exc), error=exc.message, issues=issues)
        return _page(request, counts=counts)
