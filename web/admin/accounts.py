"""Accounts without code: list and search, create, change role, disable and enable, reset a password
(the one-time password shown once), one account per unit of a level with a printable PDF sheet."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from litestar import Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from accounts import admin as account_admin
from accounts.credential_sheet import credential_sheet_async
from accounts.service import get_account
from http_layer.auth import ROLE_NAMES, SignedIn
from http_layer.errors import status_of
from scoring.services import plan_store
from storage.errors import ServiceError
from web.admin.common import AdminController, AnyRequest, FormBody, admin_page, see_other

BASE = "/quan-tri/tai-khoan"
UNIT_LEVELS = ("agency", "district", "commune")
STATUSES = {"active": "Đang hoạt động", "disabled": "Đã khóa"}


async def _level_names() -> list[tuple[str, str]]:
    """The levels that have unit accounts, named as the newest stored plan names them."""
    names: dict[str, str] = {}
    for version in reversed(await plan_store.list_plan_versions()):
        plan = await plan_store.load_plan_version(int(version["id"]))
        for level in plan.levels:
            names.setdefault(level.id, level.name)
    return [(level, names.get(level, level)) for level in UNIT_LEVELS]


async def _list(request: AnyRequest, status: int = 200, q: str = "", role: str = "", unit: str = "",
                state: str = "", page: int = 1, **context: Any) -> Template:
    found = await account_admin.search_accounts(q, role if role in ROLE_NAMES else "", unit,
                                                state if state in STATUSES else "", page)
    filters = {"q": q, "vai_tro": role, "don_vi": unit, "trang_thai": state}
    base = BASE + "?" + urlencode({k: v for k, v in filters.items() if v})
    defaults: dict[str, Any] = {"error": None, "problems": {}, "form": {}, "notice": None}
    return admin_page("accounts.html", request, status, found=found, base=base, roles=ROLE_NAMES,
                      statuses=STATUSES, levels=await _level_names(),
                      **filters, **{**defaults, **context})


async def _detail(request: AnyRequest, account_id: int, status: int = 200, **context: Any) -> Template:
    account = await get_account(account_id)
    defaults: dict[str, Any] = {"error": None, "notice": None, "once": None}
    return admin_page("account.html", request, status, account=account, roles=ROLE_NAMES,
                      **{**defaults, **context})


def _problems(exc: ServiceError) -> dict[str, str]:
    details = exc.details if isinstance(exc.details, list) else []
    return {d["field"]: d["message"] for d in details if isinstance(d, dict) and "field" in d}


class AccountPages(AdminController):
    @get(BASE)
    async def accounts(self, request: AnyRequest, q: FromQuery[str] = "", vai_tro: FromQuery[str] = "",
                       don_vi: FromQuery[str] = "", trang_thai: FromQuery[str] = "",
                       trang: FromQuery[int] = 1) -> Template:
        return await _list(request, q=q, role=vai_tro, unit=don_vi, state=trang_thai, page=trang)

    @post(BASE, status_code=200)
    async def create(self, request: AnyRequest, user: SignedIn, data: FormBody) -> Template:
        form = {k: data.get(k, "") for k in ("username", "full_name", "role", "unit_code")}
        try:
            account, once = await account_admin.create_checked_account(
                form["username"], form["full_name"], None, form["role"], form["unit_code"],
                actor=user.username)
        except ServiceError as exc:
            return await _list(request, status_of(exc), error=exc.message, problems=_problems(exc), form=form)
        return await _detail(request, account["id"], once=once,
                             notice=f"Đã tạo tài khoản «{account['username']}».")

    @get(BASE + "/{account_id:int}")
    async def account(self, request: AnyRequest, account_id: FromPath[int]) -> Template:
        return await _detail(request, account_id)

    @post(BASE + "/{account_id:int}/vai-tro", status_code=200)
    async def change_role(self, request: AnyRequest, user: SignedIn, account_id: FromPath[int],
                          data: FormBody) -> Response[Any]:
        if account_id == user.id:
            message = "Không thể tự đổi vai trò của tài khoản đang dùng; hãy nhờ quản trị viên khác."
            return await _detail(request, account_id, 400, error=message)
        try:
            await account_admin.change_role(account_id, data.get("role", ""), data.get("unit_code"),
                                            actor=user.username)
        except ServiceError as exc:
            return await _detail(request, account_id, status_of(exc), error=exc.message)
        return see_other(f"{BASE}/{account_id}")

    @post(BASE + "/{account_id:int}/trang-thai", status_code=200)
    async def set_active(self, request: AnyRequest, user: SignedIn, account_id: FromPath[int],
                         data: FormBody) -> Response[Any]:
        if account_id == user.id:
            return await _detail(request, account_id, 400, error="Không thể tự khóa tài khoản đang dùng.")
        await account_admin.set_active(account_id, data.get("active") == "1", actor=user.username)
        return see_other(f"{BASE}/{account_id}")

    @post(BASE + "/{account_id:int}/dat-lai-mat-khau", status_code=200)
    async def reset_password(self, request: AnyRequest, user: SignedIn,
                             account_id: FromPath[int]) -> Template:
        account, once = await account_admin.reset_password(account_id, actor=user.username)
        return await _detail(request, account_id, once=once,
                             notice=f"Đã đặt lại mật khẩu của «{account['username']}».")

    @post(BASE + "/tao-theo-cap", status_code=200)
    async def create_for_level(self, request: AnyRequest, user: SignedIn, data: FormBody) -> Response[Any]:
        level = data.get("level", "")
        names = dict(await _level_names())
        if level not in names:
            return await _list(request, 400, error="Hãy chọn một cấp đơn vị.")
        try:
            made = await account_admin.create_unit_accounts(level, actor=user.username)
        except ServiceError as exc:
            return await _list(request, status_of(exc), error=exc.message)
        if not made:
            return await _list(request, notice=f"Mọi đơn vị {names[level].lower()} đã có tài khoản; "
                                               "không tạo thêm tài khoản nào.")
        login_url = str(request.base_url).rstrip("/") + "/dang-nhap"
        pdf = await credential_sheet_async(made, names[level], login_url, datetime.now(UTC))
        return Response(content=pdf, media_type="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="tai-khoan-{level}.pdf"',
            "Cache-Control": "no-store"})

