"""Log-in, sessions, CSRF, rate limits and the error format of the API, on both engines.

Several app instances stand in for several server workers: whatever one learns (a session, a
count of failed log-ins) the others must see, because it lives in the database.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from litestar import get, post
from litestar.params import URLEncodedBody
from litestar.testing import AsyncTestClient

from accounts.service import create_account
from accounts.tables import Account
from http_layer.auth import SESSION_COOKIE
from http_layer.errors import status_of
from server.app import create_app
from storage.errors import ServiceError
from storage.settings import get_settings
from storage.tables import AuditEntry

pytestmark = pytest.mark.db

LOGIN = "/api/v1/auth/login"
ME = "/api/v1/auth/me"
TOKENS = "/api/v1/auth/tokens"
PASSWORD = "mat-khau-dung-2025"
WRONG_LOGIN = "Tên đăng nhập hoặc mật khẩu không đúng."


@get("/api/v1/test/boom")
async def boom() -> None:
    raise RuntimeError("lỗi cố ý trong bài kiểm tra")


@post("/api/v1/test/form")
async def echo_form(data: URLEncodedBody[dict[str, str]]) -> dict[str, str]:
    return data


@asynccontextmanager
async def client(**cookies: str) -> AsyncIterator[AsyncTestClient[Any]]:
    """A client of a freshly built app: a new worker, or the same server after a restart."""
    async with AsyncTestClient(app=create_app([boom, echo_form]), cookies=cookies or None) as test_client:
        yield test_client


@pytest.fixture
async def officer(clean_db: str) -> dict[str, Any]:
    """A commune officer's account, and an administrator's."""
    await create_account("quantri", "Nguyễn Văn Quản", PASSWORD, "admin")
    return await create_account("canbo.xa", "Trần Thị Bình", PASSWORD, "unit", unit_code="02200")


async def login(c: AsyncTestClient[Any], username: str = "canbo.xa", password: str = PASSWORD) -> Any:
    return await c.post(LOGIN, json={"username": username, "password": password})


def error_of(response: Any) -> dict[str, Any]:
    assert response.headers["content-type"].startswith("application/json"), response.text
    return response.json()["error"]


async def test_login_sets_an_httponly_cookie_and_me_answers(officer: dict[str, Any]) -> None:
    async with client() as c:
        response = await login(c)
        assert response.status_code == 200, response.text
        cookie = response.headers["set-cookie"].lower()
        assert cookie.startswith(f"{SESSION_COOKIE}=") and "httponly" in cookie and "samesite=lax" in cookie
        body = response.json()
        assert body["user"]["username"] == "canbo.xa" and body["user"]["unit_code"] == "02200"
        me = await c.get(ME)
        assert me.status_code == 200, me.text
        assert me.json()["user"]["full_name"] == "Trần Thị Bình"
        assert me.json()["csrf_token"] == body["csrf_token"]


@pytest.mark.parametrize("username", ["canbo.xa", "khong.ai.co"])
async def test_wrong_password_and_unknown_user_get_the_same_401(officer: dict[str, Any],
                                                               username: str) -> None:
    async with client() as c:
        response = await login(c, username, "mat-khau-sai")
        assert response.status_code == 401
        assert error_of(response) == {"code": "unauthenticated", "message": WRONG_LOGIN}
        assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


async def test_after_the_limit_every_attempt_waits_a_doubling_delay_on_every_worker(
    officer: dict[str, Any],
) -> None:
    limit = get_settings().login_attempts
    async with client() as c:
        for _ in range(limit):
            assert (await login(c, password="mat-khau-sai")).status_code == 401
    async with client() as another_worker:
        response = await login(another_worker)  # even the right password waits its delay
    assert response.status_code == 429, "số lần đăng nhập sai phải dùng chung giữa các tiến trình"
    error = error_of(response)
    assert error["code"] == "rate_limited"
    assert error["message"] == "Đăng nhập sai nhiều lần: vui lòng chờ 1 giây rồi thử lại."
    assert int(response.headers["retry-after"]) == 1
    await asyncio.sleep(1.1)
    async with client() as c:
        assert (await login(c, password="mat-khau-sai")).status_code == 401  # checked after the wait
        second = await login(c)
        assert second.status_code == 429 and error_of(second)["details"]["retry_after_s"] == 2, "gấp đôi"
    await asyncio.sleep(2.1)
    async with client() as c:
        assert (await login(c)).status_code == 200, "chủ tài khoản vào được sau thời gian chờ"


async def test_forty_parallel_guesses_check_at_most_the_limit(officer: dict[str, Any]) -> None:
    from accounts.service import authenticate

    async def guess() -> str:
        try:
            await authenticate("canbo.xa", "mat-khau-sai", "203.0.113.9")
        except ServiceError as exc:
            return exc.code
        return "ok"

    codes = await asyncio.gather(*(guess() for _ in range(40)))
    checked = codes.count("unauthenticated")
    assert checked <= get_settings().login_attempts, codes
    assert codes.count("rate_limited") == 40 - checked
    failures = await AuditEntry.count().where(AuditEntry.action == "login.failure")
    assert failures == checked, "mỗi lần kiểm tra mật khẩu được ghi nhật ký"


async def test_one_address_trying_many_usernames_waits(officer: dict[str, Any]) -> None:
    async with client() as c:
        for n in range(get_settings().client_login_attempts):
            assert (await login(c, f"doan.mo.{n}", "mat-khau-sai")).status_code == 401
        assert (await login(c)).status_code == 429


async def test_a_forged_forwarded_address_changes_neither_the_limit_nor_the_audit(
    officer: dict[str, Any],
) -> None:
    async with client() as c:
        for n in range(get_settings().login_attempts):
            forged = {"X-Forwarded-For": f"198.51.100.{n}"}
            answer = await c.post(LOGIN, json={"username": "canbo.xa", "password": "sai"}, headers=forged)
            assert answer.status_code == 401
        assert (await c.post(LOGIN, json={"username": "canbo.xa", "password": PASSWORD},
                             headers={"X-Forwarded-For": "198.51.100.99"})).status_code == 429
    rows = await AuditEntry.select(AuditEntry.after).where(AuditEntry.action == "login.failure")
    assert rows and all("198.51.100" not in str(r["after"]) for r in rows), rows


async def test_a_successful_login_clears_the_count(officer: dict[str, Any]) -> None:
    below = get_settings().login_attempts - 1
    async with client() as c:
        for _ in range(2):
            for _ in range(below):
                assert (await login(c, password="mat-khau-sai")).status_code == 401
            assert (await login(c)).status_code == 200


async def test_a_session_survives_a_restart_and_works_on_other_workers(officer: dict[str, Any]) -> None:
    async with client() as c:
        token = (await login(c)).cookies[SESSION_COOKIE]
    async with client(**{SESSION_COOKIE: token}) as other:
        response = await other.get(ME)
    assert response.status_code == 200, "phiên đăng nhập phải dùng được ở tiến trình khác"
    assert response.json()["user"]["username"] == "canbo.xa"


async def test_cookie_writes_need_the_csrf_token(officer: dict[str, Any]) -> None:
    async with client() as c:
        csrf = (await login(c)).json()["csrf_token"]
        refused = await c.post(TOKENS, json={"name": "máy chủ báo cáo"})
        assert refused.status_code == 403
        assert error_of(refused) == {
            "code": "csrf_failed",
            "message": "Thiếu hoặc sai mã chống giả mạo (CSRF). Hãy tải lại trang rồi thử lại.",
        }
        wrong = await c.post(TOKENS, json={"name": "x"}, headers={"X-CSRF-Token": "doan-bua"})
        assert wrong.status_code == 403
        accepted = await c.post(TOKENS, json={"name": "máy chủ báo cáo"}, headers={"X-CSRF-Token": csrf})
        assert accepted.status_code == 201, accepted.text
        form = await c.post("/api/v1/test/form", data={"_csrf": csrf, "ghi_chu": "từ biểu mẫu"})
        assert form.status_code == 201, form.text
        assert form.json()["ghi_chu"] == "từ biểu mẫu", "thân biểu mẫu phải còn nguyên sau khi kiểm tra CSRF"


async def test_bearer_token_writes_need_no_csrf(officer: dict[str, Any]) -> None:
    async with client() as c:
        csrf = (await login(c)).json()["csrf_token"]
        created = await c.post(TOKENS, json={"name": "kịch bản"}, headers={"X-CSRF-Token": csrf})
        token = created.json()["token"]
    async with client() as script:
        bearer = {"Authorization": f"Bearer {token}"}
        me = await script.get(ME, headers=bearer)
        assert me.status_code == 200 and me.json()["user"]["via"] == "token"
        assert me.json()["csrf_token"] is None
        minted = await script.post(TOKENS, json={"name": "thêm"}, headers=bearer)
        assert minted.status_code == 403 and "không được tạo mã truy cập khác" in error_of(minted)["message"]
        [mine] = (await script.get(TOKENS, headers=bearer)).json()
        revoked = await script.delete(f"{TOKENS}/{mine['id']}", headers=bearer)  # a write, no CSRF
        assert revoked.status_code == 204, revoked.text
        assert (await script.get(ME, headers=bearer)).status_code == 401, "a revoked token is dead at once"
        bad = await script.get(ME, headers={"Authorization": "Bearer khong-hop-le"})
        assert bad.status_code == 401 and error_of(bad)["code"] == "unauthenticated"


async def test_logout_ends_the_session_everywhere(officer: dict[str, Any]) -> None:
    async with client() as c:
        response = await login(c)
        token, csrf = response.cookies[SESSION_COOKIE], response.json()["csrf_token"]
        assert (await c.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})).status_code == 204
        assert (await c.get(ME)).status_code == 401
    async with client(**{SESSION_COOKIE: token}) as replay:
        response = await replay.get(ME)
    assert response.status_code == 401
    assert error_of(response) == {"code": "unauthenticated",
                                  "message": "Bạn cần đăng nhập để dùng chức năng này."}


async def test_only_admins_list_accounts(officer: dict[str, Any]) -> None:
    async with client() as c:
        assert (await c.get("/api/v1/auth/accounts")).status_code == 401
        await login(c)
        refused = await c.get("/api/v1/auth/accounts")
        assert refused.status_code == 403
        assert error_of(refused) == {"code": "forbidden",
                                     "message": "Chức năng này chỉ dành cho quản trị viên."}
        await login(c, "quantri")
        listed = await c.get("/api/v1/auth/accounts")
        assert listed.status_code == 200
        assert [a["username"] for a in listed.json()] == ["canbo.xa", "quantri"]
        assert all("password_hash" not in a for a in listed.json())


async def test_passwords_are_stored_only_as_argon2id_hashes(officer: dict[str, Any]) -> None:
    stored = await Account.select(Account.password_hash)
    assert stored and all(row["password_hash"].startswith("$argon2id$") for row in stored)
    assert all(PASSWORD not in row["password_hash"] for row in stored)
    audited = await AuditEntry.select(AuditEntry.action, AuditEntry.after)
    assert [row["action"] for row in audited] == ["account.create", "account.create"]
    assert all(PASSWORD not in row["after"] and "password" not in row["after"] for row in audited)


async def test_account_rules_are_explained_in_vietnamese(clean_db: str) -> None:
    with pytest.raises(ServiceError) as short:
        await create_account("canbo", "Lê Văn C", "ngan", "unit")
    assert short.value.code == "invalid_input"
    assert {p["field"] for p in short.value.details} == {"password", "unit_code"}
    with pytest.raises(ServiceError) as role:
        await create_account("canbo", "Lê Văn C", PASSWORD, "superuser")
    assert "Vai trò «superuser» không có" in role.value.message
    await create_account("CanBo", "Lê Văn C", PASSWORD, "council")
    with pytest.raises(ServiceError) as taken:
        await create_account("canbo", "Lê Văn D", PASSWORD, "council")
    assert taken.value.code == "conflict" and status_of(taken.value) == 409


async def test_openapi_lists_the_auth_routes(clean_db: str) -> None:
    async with client() as c:
        response = await c.get("/schema/openapi.json")
        assert response.status_code == 200
        spec = response.json()
    assert spec["info"]["title"] == "thidua API"
    for path in (LOGIN, "/api/v1/auth/logout", ME, TOKENS, "/api/v1/auth/accounts", "/api/v1/health"):
        assert path in spec["paths"], f"thiếu {path} trong OpenAPI"


async def test_errors_are_json_in_vietnamese(clean_db: str) -> None:
    async with client() as c:
        assert (await c.get("/api/v1/health")).json() == {"status": "ok"}
        missing = await c.get("/api/v1/khong-co-dia-chi-nay")
        assert missing.status_code == 404
        assert error_of(missing)["code"] == "not_found" and "Không tìm thấy" in error_of(missing)["message"]
        wrong_method = await c.get(LOGIN)
        assert wrong_method.status_code == 405 and error_of(wrong_method)["code"] == "method_not_allowed"
        invalid = await c.post(LOGIN, json={"username": "canbo.xa"})
        assert invalid.status_code == 400
        error = error_of(invalid)
        assert error["code"] == "invalid_input" and "password" in error["message"]
        assert error["details"][0]["field"] == "password"
        malformed = await c.post(LOGIN, content=b"{khong-phai-json",
                                 headers={"content-type": "application/json"})
        assert malformed.status_code == 400 and error_of(malformed)["code"] == "invalid_input"


class Remember(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


async def test_an_unexpected_exception_is_a_500_json_without_internals(clean_db: str) -> None:
    remembered = Remember()
    logging.getLogger("thidua.api").addHandler(remembered)  # the app's logging config replaces caplog's
    try:
        async with client() as c:
            response = await c.get("/api/v1/test/boom")
    finally:
        logging.getLogger("thidua.api").removeHandler(remembered)
    assert response.status_code == 500
    assert error_of(response) == {
        "code": "internal_error",
        "message": "Đã có lỗi trong hệ thống. Vui lòng thử lại hoặc báo cho quản trị viên.",
    }
    assert "lỗi cố ý" not in response.text
    assert any(r.exc_info for r in remembered.records), "lỗi phải được ghi kèm vết lỗi vào nhật ký máy chủ"


async def test_tokens_expire_are_listed_revoked_by_staff_and_die_with_their_account(
    officer: dict[str, Any],
) -> None:
    from datetime import UTC, datetime, timedelta

    from accounts.admin import set_active
    from accounts.tables import ApiToken

    async with client() as c:
        csrf = (await login(c)).json()["csrf_token"]
        short = await c.post(TOKENS, json={"name": "một ngày", "days": 1}, headers={"X-CSRF-Token": csrf})
        assert short.status_code == 201, short.text
        expires = datetime.fromisoformat(short.json()["expires_at"])
        assert timedelta(hours=23) < expires - datetime.now(UTC) <= timedelta(days=1)
        too_long = await c.post(TOKENS, json={"name": "mãi mãi", "days": 3650},
                                headers={"X-CSRF-Token": csrf})
        assert too_long.status_code == 400
        other = await c.post(TOKENS, json={"name": "kịch bản"}, headers={"X-CSRF-Token": csrf})
        listed = (await c.get(TOKENS)).json()
        assert [t["name"] for t in listed] == ["kịch bản", "một ngày"] and "token" not in listed[0]
    one_day, script = short.json()["token"], other.json()["token"]
    async with client() as s:
        assert (await s.get(ME, headers={"Authorization": f"Bearer {one_day}"})).status_code == 200
        await ApiToken.update({ApiToken.expires_at: datetime.now(UTC) - timedelta(seconds=1)}).where(
            ApiToken.name == "một ngày")
        assert (await s.get(ME, headers={"Authorization": f"Bearer {one_day}"})).status_code == 401
        # a token from before expiries (none stored) lives the default 90 days, listed as such
        await ApiToken.update({ApiToken.expires_at: None,
                               ApiToken.created_at: datetime.now(UTC) - timedelta(days=91)}).where(
            ApiToken.name == "một ngày")
        assert (await s.get(ME, headers={"Authorization": f"Bearer {one_day}"})).status_code == 401
    async with client() as c:
        await login(c)
        old = next(t for t in (await c.get(TOKENS)).json() if t["name"] == "một ngày")
        assert old["expired"] and old["expires_at"] is not None, old
    async with client() as admin:
        csrf = (await login(admin, "quantri")).json()["csrf_token"]
        everyone = (await admin.get(TOKENS, params={"all": "true"})).json()
        assert {t["username"] for t in everyone} == {"canbo.xa"}
        target = next(t for t in everyone if t["name"] == "kịch bản")
        revoked = await admin.delete(f"{TOKENS}/{target['id']}", headers={"X-CSRF-Token": csrf})
        assert revoked.status_code == 204
    async with client() as s:
        assert (await s.get(ME, headers={"Authorization": f"Bearer {script}"})).status_code == 401
    async with client() as c:
        csrf = (await login(c)).json()["csrf_token"]
        kept = (await c.post(TOKENS, json={"name": "cuối"}, headers={"X-CSRF-Token": csrf})).json()["token"]
    await set_active(officer["id"], False, "quantri")
    async with client() as s:
        assert (await s.get(ME, headers={"Authorization": f"Bearer {kept}"})).status_code == 401
    assert await ApiToken.count().where(ApiToken.name == "cuối") == 0, "disabling deletes its tokens"
