"""Periods: open a new one (year, stored plan version, entry window, submission deadline, typed in
Vietnam time), and one period's page where staff lock or reopen one level's data with a reason."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from http_layer.auth import SignedIn
from http_layer.errors import status_of
from presentation.times import parse_local_datetime
from scoring.services import periods as period_service
from scoring.services import plan_store
from storage.errors import ServiceError
from web.admin.common import (
    AdminController,
    AnyRequest,
    FormBody,
    admin_page,
    competing_levels,
    parse_int,
    period_plan,
    see_other,
)

# the form's fields, in order, with their Vietnamese names
FIELDS = {"nam": "Năm", "phien_ban": "Phiên bản kế hoạch", "mo": "Mở nhập số liệu",
          "dong": "Đóng nhập số liệu", "han_nop": "Hạn nộp hồ sơ"}
SHIPPED_PREFIX = "mau:"  # the form's value for a shipped plan not stored yet
# a service's field → the form's field
SERVICE_FIELDS = {"year": "nam", "plan_version": "phien_ban", "opens": "mo", "closes": "dong",
                  "submission_deadline": "han_nop"}


class PeriodForm:
    """What staff typed, read field by field; each error names its field in Vietnamese."""

    def __init__(self, data: dict[str, str]) -> None:
        self.typed = {name: data.get(name, "").strip() for name in FIELDS}
        self.errors: dict[str, str] = {}
        self.year = self._number("nam")
        self.shipped = self.typed["phien_ban"].removeprefix(SHIPPED_PREFIX) if self.typed[
            "phien_ban"].startswith(SHIPPED_PREFIX) else None  # a shipped plan, stored on opening
        self.version = 0 if self.shipped else self._number("phien_ban")
        self.opens = self._moment("mo", required=True)
        self.closes = self._moment("dong", required=True)
        self.deadline = self._moment("han_nop", required=False)

    def _number(self, name: str) -> int:
        number = parse_int(self.typed[name])
        if number is None:
            self.errors[name] = f"{FIELDS[name]}: hãy chọn hoặc nhập một số."
        return number or 0

    def _moment(self, name: str, required: bool) -> datetime | None:
        text = self.typed[name]
        if not text:
            if required:
                self.errors[name] = f"{FIELDS[name]}: hãy nhập ngày giờ (ví dụ 02/01/2025 08:00)."
            return None
        try:
            return parse_local_datetime(text)
        except ValueError as exc:
            self.errors[name] = f"{FIELDS[name]}: {exc}."
            return None


async def _new_form(request: AnyRequest, status: int = 200, **context: Any) -> Template:
    versions = await plan_store.list_plan_versions()
    stored = {v["sha256"] for v in versions}
    shipped = [p for p in plan_store.shipped_plans() if p["sha256"] not in stored]
    values: dict[str, Any] = {"typed": {}, "errors": {}, "message": None}
    values.update(context)
    return admin_page("period_new.html", request, status, versions=versions, shipped=shipped,
                      shipped_prefix=SHIPPED_PREFIX, fields=FIELDS, **values)


async def _period_page(request: AnyRequest, period_id: int, status: int = 200,
                       **context: Any) -> Template:
    period = await period_service.get_period(period_id)
    plan = await period_plan(period)
    levels = [{"id": level, "name": name, "locked": level in period["locked_levels"]}
              for level, name in competing_levels(plan)]
    values: dict[str, Any] = {"errors": {}, "reasons": {}, "done": None, "created": False}
    values.update(context)
    return admin_page("period.html", request, status, period=period, levels=levels, **values)


class PeriodPages(AdminController):
    @get("/quan-tri/ky/moi")
    async def new_period(self, request: AnyRequest) -> Template:
        return await _new_form(request)

    @post("/quan-tri/ky/moi", status_code=200)
    async def create_period(self, request: AnyRequest, user: SignedIn, data: FormBody) -> Response[Any]:
        form = PeriodForm(data)
        if form.errors or form.opens is None or form.closes is None:
            return await _new_form(request, 400, typed=form.typed, errors=form.errors,
                                   message="Chưa mở được kỳ đánh giá: hãy sửa các ô được đánh dấu.")
        try:
            if form.shipped:
                form.version = await plan_store.store_shipped_plan(form.shipped, user.username)
            period_id = await period_service.open_period(
                form.version, form.year, form.opens, form.closes, user.username,
                submission_deadline=form.deadline, exists_ok=False)
        except ServiceError as exc:
            details = exc.details if isinstance(exc.details, dict) else {}
            name = SERVICE_FIELDS.get(str(details.get("field", "")), "nam")
            return await _new_form(request, status_of(exc), typed=form.typed,
                                   errors={name: exc.message}, message=exc.message)
        return see_other(f"/quan-tri/ky/{period_id}?moi=1")

    @get("/quan-tri/ky/{period_id:int}")
    async def period(self, request: AnyRequest, period_id: FromPath[int],
                     moi: FromQuery[int | None] = None, khoa: FromQuery[str | None] = None,
                     mo_lai: FromQuery[str | None] = None) -> Template:
        done = ("locked", khoa) if khoa else ("reopened", mo_lai) if mo_lai else None
        return await _period_page(request, period_id, created=bool(moi), done=done)

    @post("/quan-tri/ky/{period_id:int}/cap/{level:str}/khoa", status_code=200)
    async def lock_level(self, request: AnyRequest, user: SignedIn, period_id: FromPath[int],
                         level: FromPath[str], data: FormBody) -> Response[Any]:
        return await _change_level(request, user, period_id, level, True, data.get("ly_do", ""))

    @post("/quan-tri/ky/{period_id:int}/cap/{level:str}/mo-lai", status_code=200)
    async def reopen_level(self, request: AnyRequest, user: SignedIn, period_id: FromPath[int],
                           level: FromPath[str], data: FormBody) -> Response[Any]:
        return await _change_level(request, user, period_id, level, False, data.get("ly_do", ""))


async def _change_level(request: AnyRequest, user: SignedIn, period_id: int, level: str, locked: bool,
                        reason: str) -> Response[Any]:
    try:
        await period_service.set_level_locked(period_id, level, locked, user.username, reason)
    except ServiceError as exc:
        if exc.code == "not_found":
            raise
        return await _period_page(request, period_id, status_of(exc), errors={level: exc.message},
                                  reasons={level: reason})
    return see_other(f"/quan-tri/ky/{period_id}?{'khoa' if locked else 'mo_lai'}={level}")
