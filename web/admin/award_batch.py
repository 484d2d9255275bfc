"""A nomination batch: its nominees, the council session (attendance, ballots, live tally,
closing) and the dossier PDFs. Administrators act on it; council members read it and download
the dossiers from their own read-only pages (no forms)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from litestar import Controller, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from http_layer.auth import SignedIn, requires_admin, requires_roles
from http_layer.downloads import file_download
from http_layer.errors import status_of
from nominations import council, dossiers, service
from presentation.times import parse_local_datetime
from presentation.words import NOMINATION_RESULT
from scoring.registry.store import load_registry_from_db
from scoring.services.periods import get_period
from storage.errors import ServiceError
from web.admin.awards import day_or_refuse, reasons
from web.admin.common import AdminController, AnyRequest, FormBody, admin_page, parse_int, see_other
from web.pages_public import page

ADMIN_BASE = "/quan-tri/khen-thuong/dot"
COUNCIL_BASE = "/hoi-dong/khen-thuong"
BatchId = FromPath[int]
staff_or_council = requires_roles("admin", "council")


def _nominee(n: dict[str, Any], award_names: dict[str, str]) -> dict[str, Any]:
    evaluation = n["evaluation"]
    return {**n, "award_name": award_names.get(n["award_id"], n["award_id"]),
            "unit_name": evaluation.get("unit_name", n["unit_code"]), "total": evaluation.get("total"),
            "result_text": NOMINATION_RESULT.get(n["result"], "")}


async def batch_context(batch_id: int, readonly: bool) -> dict[str, Any]:
    """What the batch page shows: the batch, its nominees, its session (if any), its dossiers."""
    batch = await service.get_batch(batch_id)
    period = await get_period(batch["period_id"])
    names = {a.id: a.name for a in service.rule_set_for_plan(period["plan_id"]).awards}
    nominations = [_nominee(n, names) for n in await service.batch_nominations(batch_id)]
    ctx: dict[str, Any] = {
        "batch": batch, "nominations": nominations, "money_total": sum(int(n["money"]) for n in nominations),
        "readonly": readonly, "session": None, "council": None, "members": [], "voters": [], "tally": [],
        "councils": [], "files": await dossiers.list_files(batch_id),
        "base": f"{COUNCIL_BASE}/dot/{batch_id}" if readonly else f"{ADMIN_BASE}/{batch_id}",
        "back": COUNCIL_BASE if readonly else "/quan-tri/khen-thuong",
        "ATTENDANCE": council.ATTENDANCE, "CHOICES": council.CHOICES,
        "error": None, "details": [], "form": {}, "posted": None,
    }
    view = await council.session_view(batch_id)
    if view is None:
        if not readonly:
            ctx["councils"] = await council.list_councils()
        return ctx
    by_id = {int(n["id"]): n for n in nominations}
    members = [{**m, "attendance": view["attendance"].get(int(m["id"])),
                "ballot": view["ballots"].get(int(m["id"]), {})} for m in view["council"]["members"]]
    named = {int(m["id"]): m for m in members}
    ctx.update(session=view["session"], council=view["council"], members=members,
               chair=named[view["session"]["chair_id"]], secretary=named[view["session"]["secretary_id"]],
               voters=[m for m in members if m["attendance"] and m["attendance"]["status"] != "absent"],
               tally=[{"nomination": by_id[int(r["nomination"]["id"])], "tally": r["tally"],
                       "threshold": r["tally"].threshold_percent} for r in view["tally"]])
    return ctx


async def _batch_page(request: AnyRequest, batch_id: int, status: int = 200, **extra: Any) -> Template:
    ctx = await batch_context(batch_id, readonly=False)
    ctx.update(extra)
    return admin_page("award_batch.html", request, status, **ctx)


async def _then(request: AnyRequest, batch_id: int, data: dict[str, str], anchor: str,
                work: Callable[[], Awaitable[Any]]) -> Response[Any]:
    """Do ``work``; then back to the batch page (303), or the page again with the refusal."""
    try:
        await work()
    except ServiceError as exc:
        form = {k: v for k, v in data.items() if k != "_csrf"}
        return await _batch_page(request, batch_id, status_of(exc), error=exc.message, details=reasons(exc),
                                 form=form, posted=anchor)
    return see_other(f"{ADMIN_BASE}/{batch_id}#{anchor}")


def _moment(text: str) -> datetime:
    """The meeting time typed in Vietnam time, as a UTC moment for storage."""
    try:
        return parse_local_datetime(text)
    except ValueError as exc:
        raise ServiceError("invalid_input", f"Thời gian họp: {exc}.") from None


def _id(text: str | None, what: str) -> int:
    value = parse_int(text)
    if value is None:
        raise ServiceError("invalid_input", f"Hãy chọn {what}.")
    return value


async def _members(text: str) -> list[dict[str, Any]]:
    """One member a line: "Họ và tên; chức vụ; mã đơn vị (nếu có)"."""
    registry = await load_registry_from_db()
    members, problems = [], []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(";")]
        if len(parts) > 3:
            problems.append({"reason": f"Dòng {n}: chỉ ghi «Họ và tên; chức vụ; mã đơn vị», "
                                       f"có {len(parts)} phần."})
            continue
        name, position, unit = [*parts, "", ""][:3]
        if unit and not registry.has(unit):
            problems.append({"reason": f"Dòng {n}: không có đơn vị mã «{unit}» trong danh mục."})
        members.append({"full_name": name, "position": position or "Ủy viên", "unit_code": unit or None})
    if problems:
        raise ServiceError("invalid_input", "Danh sách thành viên chưa hợp lệ; chưa có gì được lưu.",
                           details=problems)
    return members


async def _session_id(batch_id: int) -> int:
    session = await council.session_of_batch(batch_id)
    if session is None:
        raise ServiceError("conflict", "Đợt này chưa mở phiên họp xét.")
    return int(session["id"])


class AwardBatchPages(AdminController):
    @get(f"{ADMIN_BASE}/{{batch_id:int}}")
    async def batch(self, request: AnyRequest, batch_id: BatchId) -> Template:
        return await _batch_page(request, batch_id)

    @post(f"{ADMIN_BASE}/{{batch_id:int}}/hoi-dong", status_code=200)
    async def create_council(self, request: AnyRequest, user: SignedIn, batch_id: BatchId,
                             data: FormBody) -> Response[Any]:
        async def work() -> None:
            day = day_or_refuse(data.get("ngay_quyet_dinh", ""), "Ngày quyết định thành lập")
            await council.create_council(data.get("ten", ""), data.get("so_quyet_dinh", ""), day,
                                         await _members(data.get("thanh_vien", "")), user.username)
        return await _then(request, batch_id, data, "phien-hop", work)

    @post(f"{ADMIN_BASE}/{{batch_id:int}}/phien-hop", status_code=200)
    async def open_session(self, request: AnyRequest, user: SignedIn, batch_id: BatchId,
                           data: FormBody) -> Response[Any]:
        async def work() -> None:
            await council.open_session(
                batch_id, _id(data.get("hoi_dong"), "hội đồng"), held_at=_moment(data.get("thoi_gian", "")),
                place=data.get("dia_diem", ""), chair_id=_id(data.get("chu_tri"), "người chủ trì"),
                secretary_id=_id(data.get("thu_ky"), "thư ký"), number=data.get("so_bien_ban", ""),
                actor=user.username)
        return await _then(request, batch_id, data, "phien-hop", work)

    @post(f"{ADMIN_BASE}/{{batch_id:int}}/diem-danh", status_code=200)
    async def attendance(self, request: AnyRequest, user: SignedIn, batch_id: BatchId,
                         data: FormBody) -> Response[Any]:
        async def work() -> None:
            session_id = await _session_id(batch_id)
            entries = {int(key[3:]): (status, data.get(f"ly_do_{key[3:]}", ""))
                       for key, status in data.items() if key.startswith("tt_") and key[3:].isdigit()}
            await council.set_attendance(session_id, entries, user.username)
        return await _then(request, batch_id, data, "diem-danh", work)

    @post(f"{ADMIN_BASE}/{{batch_id:int}}/phieu", status_code=200)
    async def ballot(self, request: AnyRequest, user: SignedIn, batch_id: BatchId,
                     data: FormBody) -> Response[Any]:
        member_id = parse_int(data.get("thanh_vien"))

        async def work() -> None:
            session_id = await _session_id(batch_id)
            choices = {int(key[2:]): choice for key, choice in data.items()
                       if key.startswith("n_") and key[2:].isdigit() and choice}
            if not choices:
                raise ServiceError("invalid_input", "Chưa chọn biểu quyết cho đề nghị nào.")
            await council.record_votes(session_id, _id(data.get("thanh_vien"), "thành viên"), choices,
                                       user.username)
        return await _then(request, batch_id, data, f"phieu-{member_id}", work)

    @post(f"{ADMIN_BASE}/{{batch_id:int}}/ket-thuc", status_code=200)
    async def close(self, request: AnyRequest, user: SignedIn, batch_id: BatchId,
                    data: FormBody) -> Response[Any]:
        async def work() -> None:
            invalid = parse_int(data.get("phieu_khong_hop_le") or "0")
            if invalid is None:
                raise ServiceError("invalid_input", "Số phiếu không hợp lệ phải là một số nguyên.")
            await council.close_session(await _session_id(batch_id), ballots_invalid=invalid,
                                        actor=user.username)
        return await _then(request, batch_id, data, "kiem-phieu", work)

    @post(f"{ADMIN_BASE}/{{batch_id:int}}/ho-so", status_code=200)
    async def make_dossiers(self, request: AnyRequest, user: SignedIn, batch_id: BatchId) -> Response[Any]:
        async def work() -> None:
            await dossiers.generate(batch_id, user.username)
        return await _then(request, batch_id, {}, "ho-so", work)


class CouncilAwardPages(Controller):
    """The council's read-only view of the batches and their dossiers."""

    guards = (staff_or_council,)
    include_in_schema = False

    @get(COUNCIL_BASE)
    async def batches(self, request: AnyRequest) -> Template:
        return page("council/batches.html", request, batches=await service.list_batches())

    @get(f"{COUNCIL_BASE}/dot/{{batch_id:int}}")
    async def batch(self, request: AnyRequest, batch_id: BatchId) -> Template:
        return page("admin/award_batch.html", request, **await batch_context(batch_id, readonly=True))


class DossierFiles(Controller):
    """A batch's dossier PDFs and their ZIP; each subclass sets the path and who may download."""

    include_in_schema = False

    @get("/ho-so/{name:str}")
    async def dossier(self, batch_id: BatchId, name: FromPath[str]) -> Response[bytes]:
        return file_download(*await dossiers.file_content(batch_id, name))

    @get("/ho-so.zip")
    async def dossier_zip(self, batch_id: BatchId) -> Response[bytes]:
        return file_download(*await dossiers.zip_content(batch_id))


class AdminDossierFiles(DossierFiles):
    path = f"{ADMIN_BASE}/{{batch_id:int}}"
    guards = (requires_admin,)


class CouncilDossierFiles(DossierFiles):
    path = f"{COUNCIL_BASE}/dot/{{batch_id:int}}"
    guards = (staff_or_council,)


BATCH_PAGES: list[Any] = [AwardBatchPages, AdminDossierFiles, CouncilAwardPages, CouncilDossierFiles]
