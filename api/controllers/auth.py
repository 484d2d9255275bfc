"""Log in and out, who am I, personal API tokens, the account list."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, Response, delete, get, post
from litestar.params import FromQuery, JSONBody

from accounts import service as accounts
from api.schemas.auth import (
    AccountOut,
    LoginRequest,
    LoginResponse,
    MeResponse,
    TokenCreate,
    TokenCreated,
    TokenOut,
    UserOut,
)
from api.schemas.errors import error_responses
from http_layer.access import IdPath
from http_layer.auth import (
    CSRF_EXEMPT,
    SESSION_COOKIE,
    SignedIn,
    client_address,
    expired_session_cookie,
    requires_admin,
    requires_login,
    session_cookie,
)
from storage.errors import ServiceError

AnyRequest = Request[Any, Any, Any]
LOGGED_IN: list[dict[str, list[str]]] = [{"SessionCookie": []}, {"BearerToken": []}]


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ("Đăng nhập",)

    @post("/login", status_code=200, opt={CSRF_EXEMPT: True},
          summary="Đăng nhập bằng tên và mật khẩu; đặt cookie phiên",
          responses=error_responses(400, 401, 429))
    async def login(self, request: AnyRequest, data: JSONBody[LoginRequest]) -> Response[LoginResponse]:
        client = client_address(request)
        account = await accounts.authenticate(data.username, data.password, client)
        if previous := request.cookies.get(SESSION_COOKIE):
            await accounts.end_session(previous)
        token, csrf = await accounts.start_session(account["id"])
        user = UserOut(id=account["id"], username=account["username"], full_name=account["full_name"],
                       role=account["role"], unit_code=account["unit_code"], via="cookie")
        return Response(LoginResponse(user=user, csrf_token=csrf), cookies=[session_cookie(token)])

    @post("/logout", status_code=204, summary="Đăng xuất: kết thúc phiên của cookie này",
          response_cookies=[expired_session_cookie()], responses=error_responses(401, 403))
    async def logout(self, request: AnyRequest) -> None:
        if token := request.cookies.get(SESSION_COOKIE):
            await accounts.end_session(token)

    @get("/me", guards=[requires_login], security=LOGGED_IN, summary="Người đang đăng nhập",
         responses=error_responses(401))
    async def me(self, user: SignedIn) -> MeResponse:
        return MeResponse(user=UserOut.of(user), csrf_token=user.csrf_token)

    @post("/tokens", guards=[requires_login], security=LOGGED_IN,
          summary="Tạo mã truy cập API cho chính mình (chỉ hiện một lần)",
          responses=error_responses(400, 401, 403))
    async def create_token(self, user: SignedIn, data: JSONBody[TokenCreate]) -> TokenCreated:
        if user.via == "token":
            raise ServiceError("forbidden", "Mã truy cập không được tạo mã truy cập khác; hãy đăng nhập "
                                            "bằng mật khẩu để tạo mã mới.")
        token, expires = await accounts.issue_api_token(user.id, data.name, data.days)
        return TokenCreated(name=data.name, token=token, expires_at=expires)

    @get("/tokens", guards=[requires_login], security=LOGGED_IN,
         summary="Các mã truy cập API của mình (quản trị: ?all=true để xem của mọi người)",
         responses=error_responses(400, 401))
    async def list_tokens(self, user: SignedIn, all: FromQuery[bool] = False) -> list[TokenOut]:
        owner = None if (all and user.role == "admin") else user.id
        return msgspec.convert(await accounts.list_api_tokens(owner), list[TokenOut])

    @delete("/tokens/{token_id:int}", guards=[requires_login], security=LOGGED_IN, status_code=204,
            summary="Thu hồi một mã truy cập (của mình; quản trị: của bất kỳ ai)",
            responses=error_responses(400, 401, 403, 404))
    async def revoke_token(self, user: SignedIn, token_id: IdPath) -> None:
        await accounts.revoke_api_token(token_id, user)

    @get("/accounts", guards=[requires_admin], security=LOGGED_IN, summary="Danh sách tài khoản",
         responses=error_responses(401, 403))
    async def list_accounts(self) -> list[AccountOut]:
        return msgspec.convert(await accounts.list_accounts(), list[AccountOut])
