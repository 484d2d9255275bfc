"""Plans in the web: the stored versions (which are in use), a version as the workbook, a
workbook or plan file uploaded, and the editor (a copy of a stored or shipped plan, every table
editable, problems beside each field as one types). Whatever comes in is shown first — the
plan in words and what it changes against the version before — and stored only when staff
confirm; a stored version never changes (a changed plan is a new version)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from litestar import Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery, MultipartBody
from litestar.response import Template

from criteria.describe import describe_plan, ranking_steps
from criteria.model import Plan
from criteria.plan_diff import diff_plans
from criteria.shipped import SHIPPED
from criteria.workbook_layout import INFO_ROWS
from criteria.workbook_write import plan_workbook
from criteria.writer import plan_to_dict, plan_to_toml
from http_layer.access import IdPath
from http_layer.auth import SignedIn
from http_layer.errors import status_of
from http_layer.uploads import chosen_files
from scoring.services import plan_store
from storage.errors import ServiceError
from web.admin.common import AdminController, AnyRequest, FormBody, admin_page, see_other
from web.admin.plan_form import TABLES, check, form_of, level_totals, read_form
from web.admin.unit_sheets import XLSX

MAX_TOML = 1024 * 1024


@dataclass
class PlanUpload:
    file: list[UploadFile] = field(default_factory=list)


async def _list(request: AnyRequest, status: int = 200, **context: Any) -> Template:
    versions = list(reversed(await plan_store.list_plan_versions()))
    usage = await plan_store.version_usage()
    values: dict[str, Any] = {"error": None, "issues": [], "done": None}
    values.update(context)
    return admin_page("plans.html", request, status, versions=versions, usage=usage,
                      shipped=plan_store.shipped_plans(), **values)


async def _preview(request: AnyRequest, plan: Plan, origin: str) -> Template:
    """The plan in words, what it changes against the version before, and the save button."""
    base_id = await plan_store.version_to_compare(plan)
    base = await plan_store.load_plan_version(base_id) if base_id is not None else None
    stored = next((v for v in await plan_store.list_plan_versions() if v["sha256"] == plan.sha256), None)
    names = {lvl.id: lvl.name for lvl in (*plan.levels, *(base.levels if base else ()))}
    return admin_page("plan_preview.html", request, plan=plan, origin=origin, levels=describe_plan(plan),
                      steps=ranking_steps(plan), diff=diff_plans(base, plan) if base else None,
                      base_id=base_id, base=base, level_names=names, stored=stored,
                      toml=plan_to_toml(plan))


def _editor(request: AnyRequest, typed: dict[str, Any], problems: dict[str, str], origin: str,
            status: int = 200, totals: dict[str, str] | None = None) -> Template:
    return admin_page("plan_editor.html", request, status, typed=typed, problems=problems, tables=TABLES,
                      info_rows=INFO_ROWS, origin=origin, totals=totals or {})


def _read_upload(name: str, data: bytes) -> Plan:
    if data.startswith(b"PK\x03\x04"):
        return plan_store.parse_plan_workbook(data)
    if len(data) > MAX_TOML:
        raise ServiceError("invalid_input", "Tệp kế hoạch TOML lớn hơn 1 MB.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ServiceError("invalid_input", f"Tệp «{name}» không phải bảng tính Excel (.xlsx) hay tệp "
                                            "kế hoạch TOML (UTF-8).") from None
    return plan_store.parse_plan_source(text)


class PlanPages(AdminController):
    @get("/quan-tri/ke-hoach")
    async def plans(self, request: AnyRequest, xong: FromQuery[int | None] = None) -> Template:
        return await _list(request, done=xong)

    @get("/quan-tri/ke-hoach/{version_id:int}/bang-tinh.xlsx")
    async def workbook(self, version_id: IdPath) -> Response[bytes]:
        plan = await plan_store.load_plan_version(version_id)
        name = f"ke-hoach-{plan.info.id}-{plan.info.version}.xlsx"
        return Response(content=plan_workbook(plan), media_type=XLSX, headers={
            "Content-Disposition": f'attachment; filename="{name}"'})

    @post("/quan-tri/ke-hoach/tai-len", status_code=200)
    async def upload(self, request: AnyRequest, data: MultipartBody[PlanUpload]) -> Template:
        uploads = chosen_files(data.file)
        if len(uploads) != 1:
            return await _list(request, 400, error="Hãy chọn đúng một tệp kế hoạch (.xlsx hoặc .toml).")
        try:
            plan = _read_upload(uploads[0].filename, await uploads[0].read())
        except ServiceError as exc:
            issues = exc.details if isinstance(exc.details, list) else []
            return await _list(request, status_of(exc), error=exc.message, issues=issues)
        return await _preview(request, plan, f"tệp «{uploads[0].filename}»")

    @post("/quan-tri/ke-hoach/luu", status_code=200)
    async def save(self, request: AnyRequest, user: SignedIn, data: FormBody) -> Response[Any]:
        try:
            version_id, _, _ = await plan_store.save_plan_version(data.get("toml", ""), user.username)
        except ServiceError as exc:
            issues = exc.details if isinstance(exc.details, list) else []
            return await _list(request, status_of(exc), error=exc.message, issues=issues)
        return see_other(f"/quan-tri/ke-hoach?xong={version_id}")

    @get("/quan-tri/ke-hoach/{version_id:int}/sua")
    async def edit_version(self, request: AnyRequest, version_id: IdPath) -> Template:
        plan = await plan_store.load_plan_version(version_id)
        return _editor(request, form_of(plan_to_dict(plan)), {}, f"bản sao của phiên bản lưu số {version_id}")

    @get("/quan-tri/ke-hoach/mau/{key:str}/sua")
    async def edit_shipped(self, request: AnyRequest, key: FromPath[str]) -> Template:
        if key not in SHIPPED:
            raise ServiceError("not_found", f"Không có kế hoạch mẫu «{key}».")
        plan = plan_store.parse_plan_source(SHIPPED[key].read_text(encoding="utf-8"))
        origin = f"bản sao của kế hoạch mẫu «{plan.info.title}»"
        return _editor(request, form_of(plan_to_dict(plan)), {}, origin)

    @post("/quan-tri/ke-hoach/sua", status_code=200)
    async def editor_post(self, request: AnyRequest, data: FormBody) -> Template:
        raw, typed, problems = read_form(data)
        origin = data.get("nguon", "kế hoạch mới")
        if data.get("them"):
            return _editor(request, typed, problems, origin, totals=level_totals(raw))
        plan, problems = check(raw, problems)
        if plan is None:
            return _editor(request, typed, problems, origin, 400, level_totals(raw))
        return await _preview(request, plan, f"trình soạn ({origin})")

    @post("/quan-tri/ke-hoach/sua/kiem-tra", status_code=200)
    async def editor_check(self, data: FormBody) -> dict[str, Any]:
        raw, _, problems = read_form(data)
        plan, problems = check(raw, problems)
        return {"ok": plan is not None, "problems": problems, "totals": level_totals(raw),
                "sha256": plan.sha256 if plan else None}
