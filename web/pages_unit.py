"""A unit's own pages: its score explained (``/don-vi/{code}``) and its data entry (``/nhap-lieu``).

Only the unit's own officer and staff may open them (see :mod:`http_layer.access`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import PermissionDeniedException
from litestar.params import Body, FromPath, FromQuery, MultipartBody

from accounts.service import CurrentUser
from http_layer.access import AnyRequest, OptionalIdQuery, require_unit_access
from http_layer.auth import SignedIn, Viewer
from http_layer.errors import status_of
from http_layer.uploads import chosen_files, saved_uploads
from scoring.services.submission import submit_for_appraisal
from storage.errors import ServiceError
from web import entry_form
from web.dashboard import load_dashboard
from web.page_cache import PRECOMPRESSED, viewer_page
from web.pages_public import page

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NO_FILE = "Chưa chọn tệp, hoặc tệp rỗng. Hãy chọn tệp Excel đã điền."
ENTRY_ROLES = "Chức năng nhập số liệu chỉ dành cho cán bộ đơn vị và cán bộ Ban Thi đua – Khen thưởng."
FormData = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


@dataclass
class EntryUpload:
    file: UploadFile | None = None
    don_vi: str = ""
    ky: str = ""



def entry_unit(user: CurrentUser, don_vi: str | None) -> str | None:
    """Whose data this request enters: a unit account its own, staff the unit they chose."""
    if user.role == "unit":
        code = (don_vi or "").strip() or user.unit_code or ""
        require_unit_access(user, code)
        return code
    if user.role == "admin":
        return (don_vi or "").strip() or None
    raise PermissionDeniedException(detail=ENTRY_ROLES)


async def _import_refused(request: AnyRequest, user: CurrentUser, code: str, period_id: int,
                          err: ServiceError) -> Response[Any]:
    """The entry page again, with why the file was refused (a closed window blocks the whole page)."""
    if err.code in entry_form.WINDOW_ERRORS:
        return await _entry_page(request, user, code, period_id, status_of(err), blocked=err.message)
    issues = err.details if err.code == "import_invalid" and isinstance(err.details, list) else []
    return await _entry_page(request, user, code, period_id, status_of(err), import_error=err.message,
                             import_issues=issues)


def _period_id(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() and 0 < int(text) < 2**31 else None


async def _entry_page(
    request: AnyRequest, user: CurrentUser, code: str | None, period_id: int | None, status: int = 200,
    **extra: Any,
) -> Response[Any]:
    if code is None:
        return page("entry.html", request, status, context=None, choose_unit=True, staff=True, **extra)
    context = await entry_form.entry_context(code, period_id)
    sent = extra.pop("sent", {})
    for field in context["fields"]:  # what the user typed stays where a field was refused
        if field["id"] in extra.get("errors", {}) and field["id"] in sent:
            field.update(sent[field["id"]])
    return page(
        "entry.html",
        request,
        status,
        context=context,
        choose_unit=False,
        staff=user.is_admin,
        **extra,
    )


class UnitPages(Controller):
    include_in_schema = False

    @get("/don-vi/{code:str}", opt={PRECOMPRESSED: True})
    async def dashboard(
        self, request: AnyRequest, viewer: Viewer, code: FromPath[str], ky: OptionalIdQuery = None
    ) -> Response[Any]:
        require_unit_access(viewer, code)
        return await viewer_page(request, ("dashboard", code, ky), "dashboard.html",
                                 lambda: load_dashboard(code, ky), viewer.role if viewer else "")

    @get("/nhap-lieu")
    async def entry(
        self, request: AnyRequest, user: SignedIn, don_vi: FromQuery[str | None] = None,
        ky: OptionalIdQuery = None
    ) -> Response[Any]:
        return await _entry_page(request, user, entry_unit(user, don_vi), ky)

    @post("/nhap-lieu", status_code=200)
    async def save(self, request: AnyRequest, user: SignedIn, data: FormData) -> Response[Any]:
        code = entry_unit(user, data.get("don_vi"))
        period_id = _period_id(data.get("ky"))
        if code is None:
            return await _entry_page(request, user, None, period_id, 400)
        context = await entry_form.entry_context(code, period_id)
        if context["period"] is None:
            raise ServiceError("not_found", "Chưa có kỳ đánh giá nào để nhập số liệu.")
        try:
            saved, errors, sent = await entry_form.save_form(context, data, user.username)
        except ServiceError as err:
            return await _entry_page(
                request, user, code, context["period"]["id"], status_of(err), blocked=err.message
            )
        return await _entry_page(
            request,
            user,
            code,
            context["period"]["id"],
            400 if errors else 200,
            saved=saved,
            errors=errors,
            sent=sent,
            posted=True,
        )

    @post("/nhap-lieu/gui", status_code=200)
    async def submit(self, request: AnyRequest, user: SignedIn, data: FormData) -> Response[Any]:
        code = entry_unit(user, data.get("don_vi"))
        if code is None:
            return await _entry_page(request, user, None, None, 400)
        context = await entry_form.entry_context(code, _period_id(data.get("ky")))
        if context["period"] is None:
            raise ServiceError("not_found", "Chưa có kỳ đánh giá nào để gửi thẩm định.")
        try:
            sent = await submit_for_appraisal(context["period"]["id"], code, user.username)
        except ServiceError as err:
            return await _entry_page(
                request, user, code, context["period"]["id"], status_of(err), blocked=err.message
            )
        return await _entry_page(request, user, code, context["period"]["id"], submitted_now=sent)

    @get("/nhap-lieu/mau.xlsx")
    async def template(
        self, request: AnyRequest, user: SignedIn, don_vi: FromQuery[str | None] = None,
        ky: OptionalIdQuery = None
    ) -> Response[bytes]:
        code = entry_unit(user, don_vi)
        if code is None:
            raise ServiceError("invalid_input", "Hãy chọn đơn vị (tham số don_vi) để tải mẫu nhập liệu.")
        context = await entry_form.entry_context(code, ky)
        if context["period"] is None:
            raise ServiceError("not_found", "Chưa có kỳ đánh giá nào để tải mẫu nhập liệu.")
        content = await entry_form.template_bytes(context)
        name = f"mau-nhap-lieu-{code}-{context['period']['year']}.xlsx"
        return Response(
            content=content,
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @post("/nhap-lieu/tai-len", status_code=200)
    async def upload(self, request: AnyRequest, user: SignedIn,
                     data: MultipartBody[EntryUpload]) -> Response[Any]:
        code = entry_unit(user, data.don_vi)
        if code is None:
            return await _entry_page(request, user, None, None, 400)
        context = await entry_form.entry_context(code, _period_id(data.ky))
        if context["period"] is None:
            raise ServiceError("not_found", "Chưa có kỳ đánh giá nào để nhập số liệu.")
        period_id = context["period"]["id"]
        uploads = chosen_files([data.file])
        if uploads:
            async with saved_uploads(uploads) as paths:
                if paths[0].stat().st_size:
                    try:
                        summary = await entry_form.import_upload(context, paths, user.username)
                    except ServiceError as err:
                        return await _import_refused(request, user, code, period_id, err)
                    return await _entry_page(request, user, code, period_id, imported=summary)
        return await _entry_page(request, user, code, period_id, 400, import_error=NO_FILE)
