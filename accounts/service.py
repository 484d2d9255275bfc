"""Accounts, logins, sessions and API tokens: the service behind the auth routes.

Login attempts are limited per account and per client address through counters every server
worker shares (see :mod:`accounts.login_limit`).
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from asyncpg.exceptions import UniqueViolationError  # type: ignore[import-untyped]

from accounts import login_limit
from accounts.security import (
    hash_password,
    needs_rehash,
    new_token,
    spend_a_hash,
    token_digest,
    verify_password,
)
from accounts.tables import ROLES, Account, ApiToken, LoginSession
from presentation.text import without_diacritics
from storage import audit
from storage.db import write_transaction
from storage.errors import ServiceError
from storage.settings import get_settings

USERNAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{1,79}")
MIN_PASSWORD = 8
MIN_STRENGTH = 2  # zxcvbn's score, 0–4: below 2 is a common or easily guessed password


def password_problem(password: str, username: str = "", full_name: str = "") -> str | None:
    """Why a password may not be used, in Vietnamese, or None. For every role: not blank, at
    least 8 characters, not holding the username, not a common or easily guessed password (the
    zxcvbn estimator and its lists, told the account's own words) — NIST SP 800-63B §5.1.1.2."""
    from zxcvbn import zxcvbn

    if not password.strip():
        return "Mật khẩu không được để trống hoặc chỉ gồm khoảng trắng."
    if len(password) < MIN_PASSWORD:
        return f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự."
    if len(username) >= 3 and username.lower() in password.lower():
        return "Mật khẩu không được chứa tên đăng nhập."
    bare = without_diacritics(full_name)
    words = (username, *full_name.split(), *bare.split(), bare.replace(" ", ""), "thidua", "noivu", "admin")
    context = [w.lower() for w in words if w]
    if zxcvbn(password[:100], user_inputs=context)["score"] < MIN_STRENGTH:
        return ("Mật khẩu quá dễ đoán (mật khẩu phổ biến, chuỗi lặp hay dãy liên tiếp). Hãy dùng một cụm "
                "nhiều từ dễ nhớ, ví dụ «Mua-xuan-tren-cao-nguyen-2026».")
    return None
BAD_LOGIN = "Tên đăng nhập hoặc mật khẩu không đúng."
_FAIL = "login-fail"
_PUBLIC = (Account.id, Account.username, Account.full_name, Account.role, Account.unit_code, Account.active,
           Account.created_at, Account.must_change_password)


@dataclass(frozen=True, slots=True)
class CurrentUser:
    """Who is making the request, and how they proved it."""

    id: int
    username: str
    full_name: str
    role: str
    unit_code: str | None
    via: Literal["cookie", "token"]
    csrf_token: str | None = None  # only for cookie sessions
    must_change_password: bool = False  # logged in with a one-time password: change it first

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def clean_username(username: str) -> str:
    """NFC, lower case, without control characters (PostgreSQL refuses NUL in text)."""
    return "".join(ch for ch in _nfc(username).lower() if ch.isprintable())


def _invalid(problems: list[dict[str, str]]) -> ServiceError:
    message = "Thông tin tài khoản chưa hợp lệ: " + " ".join(p["message"] for p in problems)
    return ServiceError("invalid_input", message, problems)


async def create_account(username: str, full_name: str, password: str, role: str,
                         unit_code: str | None = None, actor: str = "system",
                         must_change_password: bool = False) -> dict[str, Any]:
    name, full, unit = clean_username(username), _nfc(full_name), _nfc(unit_code or "") or None
    problems: list[dict[str, str]] = []
    if not USERNAME_RE.fullmatch(name):
        problems.append({"field": "username", "message": "Tên đăng nhập chỉ gồm chữ cái không dấu, chữ số, "
                                                         "dấu chấm, gạch dưới, gạch ngang (2–80 ký tự)."})
    if not full:
        problems.append({"field": "full_name", "message": "Hãy nhập họ và tên."})
    if role not in ROLES:
        problems.append({"field": "role", "message": f"Vai trò «{role}» không có; chọn một trong: "
                                                     f"{', '.join(ROLES)}."})
    if role == "unit" and not unit:
        problems.append({"field": "unit_code", "message": "Tài khoản của đơn vị phải có mã đơn vị."})
    weak = password_problem(password, name, full)
    if weak:
        problems.append({"field": "password", "message": weak})
    if problems:
        raise _invalid(problems)
    taken = ServiceError("conflict", f"Tên đăng nhập «{name}» đã có người dùng. Hãy chọn tên khác.",
                         [{"field": "username", "message": "Đã có người dùng."}])
    password_hash = await asyncio.to_thread(hash_password, password)
    account = Account(username=name, full_name=full, password_hash=password_hash, role=role,
                      unit_code=unit, active=True, created_at=datetime.now(UTC),
                      must_change_password=must_change_password)
    try:
        async with write_transaction():
            if await Account.exists().where(Account.username == name):
                raise taken
            await account.save()
            await audit.record(actor, "account.create", "account", account.id, unit_code=unit,
                               after={"username": name, "full_name": full, "role": role, "unit_code": unit,
                                      **({"must_change_password": True} if must_change_password else {})})
    except (sqlite3.IntegrityError, UniqueViolationError) as exc:  # a concurrent create won the race
        raise taken from exc
    return await get_account(account.id)


async def get_account(account_id: int) -> dict[str, Any]:
    row = await Account.select(*_PUBLIC).where(Account.id == account_id).first()
    if row is None:
        raise ServiceError("not_found", f"Không tìm thấy tài khoản số {account_id}.")
    return row


async def list_accounts() -> list[dict[str, Any]]:
    return await Account.select(*_PUBLIC).order_by(Account.username)


# --- logins ----------------------------------------------------------------------------------------

async def authenticate(username: str, password: str, client: str) -> dict[str, Any]:
    """The account for these credentials, or ``ServiceError`` unauthenticated / rate_limited.

    The attempt is reserved with the limiter (:mod:`accounts.login_limit`) before the password is
    checked; successes, failures and refusals are audited with the client's address.
    """
    settings = get_settings()
    name = clean_username(username)
    try:
        reservation = await login_limit.reserve(
            name, client, limit=settings.login_attempts, client_limit=settings.client_login_attempts,
            window_s=settings.login_window_s)
    except ServiceError as refused:
        async with write_transaction():
            await audit.record(name or "?", "login.refused", "account", name or "?",
                               after={"client": client, **(refused.details or {})})
        raise
    row = await Account.select(*_PUBLIC, Account.password_hash).where(Account.username == name).first()
    ok = False
    if row is not None and row["active"]:
        ok = await asyncio.to_thread(verify_password, row["password_hash"], password)
    else:
        await asyncio.to_thread(spend_a_hash, password)
    if row is None or not ok:
        async with write_transaction():
            await audit.record(name or "?", "login.failure", "account", name or "?",
                               after={"client": client})
        raise ServiceError("unauthenticated", BAD_LOGIN)
    await login_limit.succeeded(reservation)
    stored_hash = row.pop("password_hash")
    new_hash = await asyncio.to_thread(hash_password, password) if needs_rehash(stored_hash) else None
    async with write_transaction():
        if new_hash:
            await Account.update({Account.password_hash: new_hash}).where(Account.id == row["id"])
        await audit.record(name, "login.success", "account", row["id"], unit_code=row["unit_code"],
                           after={"client": client})
    return row


# --- sessions and API tokens ----------------------------------------------------------------------

def _user_columns(fk: Any) -> list[Any]:
    return [fk.id.as_alias("id"), fk.username.as_alias("username"), fk.full_name.as_alias("full_name"),
            fk.role.as_alias("role"), fk.unit_code.as_alias("unit_code"),
            fk.must_change_password.as_alias("must_change_password")]


async def start_session(account_id: int) -> tuple[str, str]:
    """A new login session: returns (session token for the cookie, CSRF token)."""
    token, csrf = new_token(), new_token()
    now = datetime.now(UTC)
    async with write_transaction():
        await LoginSession.delete().where(LoginSession.expires_at <= now)
        await LoginSession.insert(LoginSession(
            token_hash=token_digest(token), account=account_id, csrf_token=csrf, created_at=now,
            expires_at=now + timedelta(hours=get_settings().session_hours)))
    return token, csrf


async def session_user(token: str) -> CurrentUser | None:
    """The account behind a login session, read at every request (no cache): a disabled account,
    a changed role or an ended session holds on no worker a moment longer."""
    return await _session_user(token) if token else None


async def _session_user(token: str) -> CurrentUser | None:
    row = await LoginSession.select(LoginSession.csrf_token, *_user_columns(LoginSession.account)).where(
        LoginSession.token_hash == token_digest(token),
        LoginSession.expires_at > datetime.now(UTC),
        LoginSession.account.active == True,  # noqa: E712 (a SQL comparison)
    ).first()
    return CurrentUser(**row, via="cookie") if row else None


async def end_session(token: str) -> None:
    if token:
        await LoginSession.delete().where(LoginSession.token_hash == token_digest(token))


TOKEN_DAYS, TOKEN_MAX_DAYS = 90, 365  # an API token's life: the default, and the most allowed


async def create_api_token(account_id: int, name: str, days: int | None = None) -> str:
    """A new API token (see :func:`issue_api_token`), the token alone."""
    token, _ = await issue_api_token(account_id, name, days)
    return token


async def issue_api_token(account_id: int, name: str, days: int | None = None) -> tuple[str, datetime]:
    """A new API token for the account, valid ``days`` (default 90, at most 365); only its digest
    is kept, so it is shown once. Returns (token, expiry)."""
    label = _nfc(name)
    if not label or len(label) > 80:
        raise ServiceError("invalid_input", "Tên mã truy cập phải có từ 1 đến 80 ký tự.",
                           [{"field": "name", "message": "Từ 1 đến 80 ký tự."}])
    life = TOKEN_DAYS if days is None else days
    if not 1 <= life <= TOKEN_MAX_DAYS:
        raise ServiceError("invalid_input", f"Thời hạn mã truy cập phải từ 1 đến {TOKEN_MAX_DAYS} ngày.",
                           [{"field": "days", "message": f"Từ 1 đến {TOKEN_MAX_DAYS} ngày."}])
    account = await get_account(account_id)
    token = new_token()
    now = datetime.now(UTC)
    expires = now + timedelta(days=life)
    async with write_transaction():
        saved = ApiToken(token_hash=token_digest(token), account=account_id, name=label,
                         created_at=now, expires_at=expires)
        await saved.save()
        await audit.record(account["username"], "api_token.create", "api_token", saved.id,
                           after={"account": account["username"], "name": label, "expires_at": expires})
    return token, expires


async def list_api_tokens(account_id: int | None = None) -> list[dict[str, Any]]:
    """The API tokens of one account (``None``: every account's), newest first; never the token."""
    query = ApiToken.select(ApiToken.id, ApiToken.name, ApiToken.created_at, ApiToken.expires_at,
                            ApiToken.account.username.as_alias("username"))
    if account_id is not None:
        query = query.where(ApiToken.account == account_id)
    rows = await query.order_by(ApiToken.id, ascending=False)
    now = datetime.now(UTC)
    out = []
    for row in rows:
        ends = token_end(row["created_at"], row["expires_at"])
        out.append({**row, "expires_at": ends, "expired": ends <= now})
    return out


def token_end(created: datetime, expires: datetime | None) -> datetime:
    """When a token stops working (one from before expiries lives the default term)."""
    return expires or created + timedelta(days=TOKEN_DAYS)


async def revoke_api_token(token_id: int, actor: CurrentUser) -> None:
    """End one API token: the holder's own, or anyone's for staff. Audited."""
    row = await ApiToken.select(ApiToken.account, ApiToken.name,
                                ApiToken.account.username.as_alias("username")).where(
        ApiToken.id == token_id).first()
    if row is None:
        raise ServiceError("not_found", f"Không có mã truy cập số {token_id}.")
    if actor.role != "admin" and row["account"] != actor.id:
        raise ServiceError("forbidden", "Bạn chỉ thu hồi được mã truy cập của chính mình.")
    async with write_transaction():
        await ApiToken.delete().where(ApiToken.id == token_id)
        await audit.record(actor.username, "api_token.revoke", "api_token", token_id,
                           before={"account": row["username"], "name": row["name"]})


async def token_user(token: str) -> CurrentUser | None:
    """The account behind an API token, read at every request (see :func:`session_user`)."""
    return await _token_user(token) if token else None


async def _token_user(token: str) -> CurrentUser | None:
    row = await ApiToken.select(*_user_columns(ApiToken.account), ApiToken.created_at,
                                ApiToken.expires_at).where(
        ApiToken.token_hash == token_digest(token), ApiToken.account.active == True).first()  # noqa: E712
    if row is None:
        return None
    if token_end(row.pop("created_at"), row.pop("expires_at")) <= datetime.now(UTC):
        return None
    return CurrentUser(**row, via="token")
