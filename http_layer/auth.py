"""Who is calling: API token or session cookie, CSRF for cookie sessions, and the role guards.

A request carries either ``Authorization: Bearer <token>`` (scripts and other systems) or the
``thidua_session`` cookie (browsers). Anonymous requests go on with no user; the guards decide.
Unsafe methods on a cookie session must echo the session's CSRF token in ``X-CSRF-Token`` (or
the ``_csrf`` form field); token-authenticated requests are exempt, since browsers never send
a bearer token by themselves.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any

from litestar.connection import ASGIConnection, Request
from litestar.datastructures import Cookie, Headers
from litestar.di import NamedDependency, Provide
from litestar.enums import ScopeType
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.authentication import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import ASGIApp, HTTPResponseBodyEvent, HTTPResponseStartEvent, Receive, Scope, Send

from accounts.service import CurrentUser, session_user, token_user
from accounts.tables import ROLES
from storage.settings import get_settings

SESSION_COOKIE = "thidua_session"
CSRF_HEADER = "x-csrf-token"
CSRF_FORM_FIELD = "_csrf"
CSRF_EXEMPT = "csrf_exempt"  # route handler opt key: ``@post(..., opt={CSRF_EXEMPT: True})``
CHANGE_PASSWORD_PATH = "/doi-mat-khau"
PASSWORD_FREE_PATHS = frozenset({CHANGE_PASSWORD_PATH, "/dang-xuat", "/dang-nhap", "/api/v1/auth/login",
                                 "/api/v1/auth/logout"})
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
ROLE_NAMES = {"admin": "quản trị viên", "unit": "cán bộ đơn vị",
              "council": "thành viên Hội đồng Thi đua – Khen thưởng"}

Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]


class CsrfFailed(PermissionDeniedException):
    """403 with its own error code, so a page can tell the user to reload."""

    error_code = "csrf_failed"

    def __init__(self) -> None:
        super().__init__(detail="Thiếu hoặc sai mã chống giả mạo (CSRF). Hãy tải lại trang rồi thử lại.")


def current_user(connection: ASGIConnection[Any, Any, Any, Any]) -> CurrentUser | None:
    user = connection.scope.get("user")
    return user if isinstance(user, CurrentUser) else None


def client_address(request: Any) -> str:
    """The client's address: the peer's, unless the peer is a proxy named in
    ``THIDUA_TRUSTED_PROXIES`` — then the nearest address in X-Forwarded-For that is not one of
    those proxies. A forged header from anyone else changes nothing."""
    peer = str(request.client.host) if request.client else ""
    trusted = get_settings().trusted_proxies
    if peer not in trusted:
        return peer
    forwarded = [a.strip() for a in request.headers.get("x-forwarded-for", "").split(",") if a.strip()]
    for address in reversed(forwarded):
        if address not in trusted:
            return str(address[:64])
    return peer


def session_cookie(token: str) -> Cookie:
    settings = get_settings()
    return Cookie(key=SESSION_COOKIE, value=token, path="/", httponly=True, samesite="lax",
                  secure=settings.secure_cookies, max_age=settings.session_hours * 3600)


def expired_session_cookie() -> Cookie:
    return Cookie(key=SESSION_COOKIE, value="", path="/", httponly=True, samesite="lax",
                  secure=get_settings().secure_cookies, max_age=0)


async def check_csrf(scope: Scope, receive: Receive) -> None:
    """Raise ``CsrfFailed`` for an unsafe cookie-authenticated request without the right token."""
    if scope["type"] != ScopeType.HTTP or scope.get("method") not in UNSAFE_METHODS:
        return
    user = scope.get("user")
    if not isinstance(user, CurrentUser) or user.via != "cookie" or not user.csrf_token:
        return
    handler = scope.get("route_handler")
    if handler is not None and handler.opt.get(CSRF_EXEMPT):
        return
    headers = Headers.from_scope(scope)
    sent = headers.get(CSRF_HEADER)
    if not sent and headers.get("content-type", "").startswith(FORM_TYPES):
        form = await Request(scope, receive).form()  # the body is cached for the handler
        value = form.get(CSRF_FORM_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent.encode(), user.csrf_token.encode()):
        raise CsrfFailed()


async def must_change_password_first(scope: Scope, send: Send) -> bool:
    """A session opened with a one-time password reaches only the change-password page, logout and
    static files: pages are sent there (303), the API answers 403. True when it answered."""
    user = scope.get("user")
    if scope["type"] != ScopeType.HTTP or not isinstance(user, CurrentUser) or not user.must_change_password:
        return False
    path: str = scope.get("path", "")
    if path in PASSWORD_FREE_PATHS or path.startswith("/static/"):
        return False
    if path.startswith("/api/"):
        raise PermissionDeniedException(detail="Hãy đổi mật khẩu dùng một lần trước khi dùng hệ thống.")
    start: HTTPResponseStartEvent = {
        "type": "http.response.start", "status": 303,
        "headers": [(b"location", CHANGE_PASSWORD_PATH.encode()), (b"content-length", b"0")]}
    body: HTTPResponseBodyEvent = {"type": "http.response.body", "body": b"", "more_body": False}
    await send(start)
    await send(body)
    return True


class AuthMiddleware(AbstractAuthenticationMiddleware):
    """Sets ``scope["user"]`` to a ``CurrentUser`` or None, then checks CSRF."""

    def __init__(self, app: ASGIApp, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        inner = self.app

        async def csrf_then_app(scope: Scope, receive: Receive, send: Send) -> None:
            await check_csrf(scope, receive)
            if await must_change_password_first(scope, send):
                return
            await inner(scope, receive, send)

        self.app = csrf_then_app

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        authorization = connection.headers.get("authorization", "")
        scheme, _, credentials = authorization.partition(" ")
        if scheme.lower() == "bearer":
            user = await token_user(credentials.strip())
            if user is None:
                raise NotAuthorizedException(
                    detail="Mã truy cập (API token) không hợp lệ hoặc đã bị thu hồi. Hãy tạo mã mới.")
            return AuthenticationResult(user=user, auth="token")
        cookie = connection.cookies.get(SESSION_COOKIE)
        if cookie:
            user = await session_user(cookie)
            if user is not None:
                return AuthenticationResult(user=user, auth="cookie")
        return AuthenticationResult(user=None, auth=None)


# --- guards: each builds on the one before -------------------------------------------------------

def requires_login(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    if current_user(connection) is None:
        raise NotAuthorizedException(detail="Bạn cần đăng nhập để dùng chức năng này.")


def requires_roles(*roles: str) -> Guard:
    """A guard letting only these roles through (admin is not implied: list it if allowed)."""
    unknown = set(roles) - set(ROLES)
    if not roles or unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}; expected some of {ROLES}")
    who = ", ".join(ROLE_NAMES[role] for role in roles)

    def guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
        requires_login(connection, handler)
        user = current_user(connection)
        if user is None or user.role not in roles:
            raise PermissionDeniedException(detail=f"Chức năng này chỉ dành cho {who}.")

    guard.__name__ = guard.__qualname__ = f"requires_roles({', '.join(roles)})"
    return guard


requires_admin = requires_roles("admin")


# --- the signed-in user as a dependency ---------------------------------------------------------

def provide_user(request: Request[Any, Any, Any]) -> CurrentUser:
    """``user``: the signed-in account of a handler behind a guard (401 if nobody is signed in)."""
    user = current_user(request)
    if user is None:
        raise NotAuthorizedException(detail="Bạn cần đăng nhập để dùng chức năng này.")
    return user


def provide_viewer(request: Request[Any, Any, Any]) -> CurrentUser | None:
    """``viewer``: whoever is asking, None when anonymous (public pages, access checks)."""
    return current_user(request)


SignedIn = NamedDependency[CurrentUser]
"""A handler parameter ``user: SignedIn``: the signed-in account (the route's guard requires one)."""
Viewer = NamedDependency[CurrentUser | None]
"""A handler parameter ``viewer: Viewer``: whoever asks, None when anonymous."""

USER_DEPENDENCIES = {
    "user": Provide(provide_user, sync_to_thread=False),
    "viewer": Provide(provide_viewer, sync_to_thread=False),
}
"""Registered on the app: a handler declares ``user: SignedIn`` or ``viewer: Viewer``."""
