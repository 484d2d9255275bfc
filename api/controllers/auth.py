"""Log in and out, who am I, personal API tokens, the account list."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import JSONBody

from accounts import service as accounts
from accounts.service import CurrentUser
from http_layer.auth import (
    CSRF_EXEMPT,
    SESSION_COOKIE,
    SignedIn,
    expired_session_cookie,
    requires_admin,
    requires_login,
    session_cookie,
)

AnyRequest = Request[Any, Any, Any]
LOGGED_IN: list[dict[str, list[str]]] = [{"SessionCookie": []}, {"BearerToken": []}]


class UserOut(msgspec.Struct):
    id: int
    username: str
    full_name: str
    role: str
    unit_code: str | None
    via: str

    @classmethod
    def of(cls, user: CurrentUser) -> UserOut:
        return cls(id=user.id, username=user.username, full_name=user.full_name, role=user.role,
                   unit_code=user.unit_code, via=user.via)


class LoginRequest(msgspec.Struct):
    username: str
    password: str


class LoginResponse(msgspec.Struct):
    user: UserOut
    csrf_token: str


class MeResponse(msgspec.Struct):
    user: UserOut
    csrf_token: str | None = None  # cookie sessions: send it back in X-CSRF-Token


class TokenCreate(msgspec.Struct):
    name: str


class TokenCreated(msgspec.Struct):
    name: str
    token: str  # shown once; only its digest is kept


class AccountOut(msgspec.Struct):
    id: int
    username: str
    full_name: str
    role: str
    unit_code: str | None
    active: bool
    created_at: datetime


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ("Đăng nhập",)

    @post("/login", status_code=200, opt={CSRF_EXEMPT: True},
          summary="Đăng nhập bằng tên và mật khẩu; đặt cookie phiên")
    async def login(self, request: AnyRequest, data: JSONBody[LoginRequest]) -> Response[LoginResponse]:
        client = request.client.host if request.client else ""
        account = await accounts.authenticate(data.username, data.password, client)
        if previous := request.cookies.get(SESSION_COOKIE):
            await accounts.end_session(previous)
        token, csrf = await accounts.start_session(account["id"])
        user = UserOut(id=account["id"], username=account["username"], full_name=account["full_name"],
                       role=account["role"], unit_code=account["unit_code"], via="cookie")
        return Response(LoginResponse(user=user, csrf_token=csrf), cookies=[session_cookie(token)])

    @post("/logout", status_code=204, summary="Đăng xuất: kết thúc phiên của cookie này")
    async def logout(self, request: AnyRequest) -> Response[None]:
        if token := request.cookies.get(SESSION_COOKIE):
            await accounts.end_session(token)
        return Response(None, status_code=204, cookies=[expired_session_cookie()])

    @get("/me", guards=[requires_login], security=LOGGED_IN, summary="Người đang đăng nhập")
    async def me(self, user: SignedIn) -> MeResponse:
        return MeResponse(user=UserOut.of(user), csrf_token=user.csrf_token)

    @post("/tokens", guards=[requires_login], security=LOGGED_IN,
          summary="Tạo mã truy cập API cho chính mình (chỉ hiện một lần)")
    async def create_token(self, user: SignedIn, data: JSONBody[TokenCreate]) -> TokenCreated:
        token = await accounts.create_api_token(user.id, data.name)
        return TokenCreated(name=data.name, token=token)

    @get("/accounts", guards=[requires_admin], security=LOGGED_IN, summary="Danh sách tài khoản")
    async def list_accounts(self) -> list[AccountOut]:
        rows = await accounts.list_accounts()
        return [AccountOut(**{k: row[k] for k in AccountOut.__struct_fields__}) for row in rows]
