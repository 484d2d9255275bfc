"""The right of reply in the browser (see :mod:`scoring.services.replies`).

- ``/don-vi/{code}/giai-trinh``: the runs shared with the unit and their windows, a form to
  dispute one criterion of the newest open one, the unit's disputes with their threads and answers
  (the unit's officer writes; staff may read);
- ``/quan-tri/giai-trinh``: staff share unpublished runs as provisional results, read every dispute
  (those awaiting an answer first) and accept (with the corrected value) or reject (with a reason).
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from accounts.service import CurrentUser
from http_layer.access import require_unit_access
from http_layer.auth import SignedIn, Viewer
from http_layer.errors import status_of
from scoring.services import periods as period_service
from scoring.services import replies
from scoring.services import runs as run_service
from scoring.services.units import unit_card, unit_names
from storage.errors import ServiceError
from web.admin.common import (
    AdminController,
    AnyRequest,
    FormBody,
    competing_levels,
    parse_int,
    period_plan,
    see_other,
)
from web.pages_public import page

UNITS_ONLY = "Chỉ cán bộ của đơn vị được gửi giải trình cho đơn vị mình."
SHARE_LIMIT = 12  # unpublished runs offered for sharing on the staff page


async def _with_threads(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each dispute with its thread and the criterion as that run scored it (``scored``)."""
    thread = await replies.threads([d["id"] for d in found])
    out = []
    for d in found:
        record = await run_service.unit_breakdown(d["run_id"], d["unit_code"])
        scored = next((c for c in record["criteria"] if c["id"] == d["criterion"]), None)
        out.append({**d, "messages": thread[d["id"]], "scored": scored})
    return out


# --- the unit's side -----------------------------------------------------------------------------

async def _shared_with(code: str, level: str) -> list[dict[str, Any]]:
    """The runs shared with the unit's level in which the unit was scored, newest first."""
    out = []
    for share in await replies.list_shares(level):
        try:
            record = await run_service.unit_breakdown(share["run_id"], code)
        except ServiceError:
            continue  # the unit did not compete in this run
        run = await run_service.get_run(share["run_id"])
        can_reply = share["open"] and not run["published"]
        out.append({**share, "run": run, "record": record, "can_reply": can_reply})
    return out


async def _unit_page(request: AnyRequest, viewer: CurrentUser | None, code: str, status: int = 200,
                     **extra: Any) -> Template:
    require_unit_access(viewer, code)
    unit = await unit_card(code)
    shares = await _shared_with(code, unit["level"])
    current = next((s for s in shares if s["can_reply"]), None)
    context: dict[str, Any] = {
        "unit": unit, "shares": shares, "current": current, "error": None, "sent": {}, "done": None,
        "disputes": await _with_threads(await replies.list_disputes(unit_code=code)),
        "writer": viewer is not None and viewer.role == "unit", "errors": {}, "typed": {},
    }
    context.update(extra)
    return page("replies/unit.html", request, status, **context)


def _unit_writer(user: CurrentUser, code: str) -> str:
    require_unit_access(user, code)
    if user.role != "unit":
        raise PermissionDeniedException(detail=UNITS_ONLY)
    return user.username


class UnitReplyPages(Controller):
    include_in_schema = False

    @get("/don-vi/{code:str}/giai-trinh")
    async def unit_replies(self, request: AnyRequest, viewer: Viewer, code: FromPath[str],
                           da_gui: FromQuery[int | None] = None) -> Template:
        return await _unit_page(request, viewer, code, done=da_gui)

    @post("/don-vi/{code:str}/giai-trinh", status_code=200)
    async def dispute(self, request: AnyRequest, user: SignedIn, code: FromPath[str],
                      data: FormBody) -> Response[Any]:
        who = _unit_writer(user, code)
        run_id = parse_int(data.get("luot"))
        try:
            if run_id is None:
                raise ServiceError("invalid_input", "Chưa có lượt chấm nào đang nhận giải trình.")
            found = await replies.open_dispute(
                run_id, code, data.get("tieu_chi", ""), actor=who, explanation=data.get("giai_trinh", ""),
                evidence_url=data.get("minh_chung", ""), claimed=data.get("gia_tri", ""))
        except ServiceError as exc:
            return await _unit_page(request, user, code, status_of(exc), error=exc.message, sent=data)
        return see_other(f"/don-vi/{code}/giai-trinh?da_gui={found['id']}")

    @post("/don-vi/{code:str}/giai-trinh/{dispute_id:int}/trao-doi", status_code=200)
    async def message(self, request: AnyRequest, user: SignedIn, code: FromPath[str],
                      dispute_id: FromPath[int],
                      data: FormBody) -> Response[Any]:
        who = _unit_writer(user, code)
        found = await replies.get_dispute(dispute_id)
        if found["unit_code"] != code:
            raise ServiceError("not_found", f"Đơn vị không có giải trình số {dispute_id}.")
        try:
            await replies.add_message(dispute_id, data.get("noi_dung", ""), actor=who, side="unit")
        except ServiceError as exc:
            return await _unit_page(request, user, code, status_of(exc), errors={dispute_id: exc.message},
                                    typed={dispute_id: data})
        return see_other(f"/don-vi/{code}/giai-trinh")


# --- the staff's side ----------------------------------------------------------------------------

async def _shareable() -> list[dict[str, Any]]:
    """The newest unpublished runs whose level is not published yet, with window and dispute counts."""
    runs = await run_service.list_runs()
    done = {(r["period_id"], r["level"]) for r in runs if r["published"]}
    todo = [r for r in runs if (r["period_id"], r["level"]) not in done][:SHARE_LIMIT]
    counts = await replies.dispute_counts([r["id"] for r in todo])
    names: dict[int, dict[str, str]] = {}
    out = []
    for run in todo:
        if run["period_id"] not in names:
            period = await period_service.get_period(run["period_id"])
            names[run["period_id"]] = dict(competing_levels(await period_plan(period)))
        out.append({**run, "level_name": names[run["period_id"]].get(run["level"], run["level"]),
                    "share": await replies.get_share(run["id"]), "counts": counts[run["id"]]})
    return out


async def _staff_disputes() -> list[dict[str, Any]]:
    found = await _with_threads(await replies.list_disputes(limit=200))
    units = await unit_names(d["unit_code"] for d in found)
    return [{**d, "unit_name": units.get(d["unit_code"], d["unit_code"])} for d in found]


async def _staff_page(request: AnyRequest, status: int = 200, **extra: Any) -> Template:
    context: dict[str, Any] = {"runs": await _shareable(), "disputes": await _staff_disputes(),
                               "errors": {}, "typed": {}, "shared": None, "answered": None,
                               "share_error": None, "default_days": replies.REPLY_DAYS,
                               "max_days": replies.MAX_REPLY_DAYS}
    context.update(extra)
    if context["answered"]:
        context["answered"] = next((d for d in context["disputes"] if d["id"] == context["answered"]), None)
    return page("replies/staff.html", request, status, **context)


class StaffReplyPages(AdminController):
    @get("/quan-tri/giai-trinh")
    async def staff_replies(self, request: AnyRequest, da_chia_se: FromQuery[int | None] = None,
                            da_tra_loi: FromQuery[int | None] = None) -> Template:
        return await _staff_page(request, shared=da_chia_se, answered=da_tra_loi)

    @post("/quan-tri/luot-cham/{run_id:int}/chia-se", status_code=200)
    async def share(self, request: AnyRequest, user: SignedIn, run_id: FromPath[int],
                    data: FormBody) -> Response[Any]:
        days = parse_int(data.get("so_ngay"))
        try:
            if days is None:
                raise ServiceError("invalid_input", "Hãy nhập số ngày giải trình (một số nguyên).")
            await replies.share_run(run_id, user.username, days)
        except ServiceError as exc:
            return await _staff_page(request, status_of(exc), share_error={run_id: exc.message})
        return see_other(f"/quan-tri/giai-trinh?da_chia_se={run_id}")

    @post("/quan-tri/giai-trinh/{dispute_id:int}/{action:str}", status_code=200)
    async def answer(self, request: AnyRequest, user: SignedIn, dispute_id: FromPath[int],
                     action: FromPath[str],
                     data: FormBody) -> Response[Any]:
        who = user.username
        try:
            if action == "chap-nhan":
                await replies.accept(dispute_id, actor=who, value=data.get("gia_tri", ""),
                                     note=data.get("ghi_chu", ""))
            elif action == "khong-chap-nhan":
                await replies.reject(dispute_id, actor=who, reason=data.get("ly_do", ""))
            elif action == "trao-doi":
                await replies.add_message(dispute_id, data.get("noi_dung", ""), actor=who, side="staff")
                return see_other("/quan-tri/giai-trinh")
            else:
                raise ServiceError("not_found", f"Không có thao tác «{action}» với giải trình.")
        except ServiceError as exc:
            if exc.code == "not_found":
                raise
            return await _staff_page(request, status_of(exc), errors={dispute_id: exc.message},
                                     typed={dispute_id: data})
        return see_other(f"/quan-tri/giai-trinh?da_tra_loi={dispute_id}")


REPLY_PAGES: list[Any] = [UnitReplyPages, StaffReplyPages]
