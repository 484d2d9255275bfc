"""Managing accounts without code: search, role, disable and enable, password resets, one account
per unit of a level, and the forced change of a one-time password.

Disabling or resetting an account deletes its login sessions and API tokens in the same
transaction, and drops them from this worker's principal cache, so they stop working at once
(other workers' caches forget them within ``THIDUA_CACHE_SECONDS``).
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from accounts.security import hash_password, verify_password
from accounts.service import (
    _PUBLIC,
    USERNAME_RE,
    clean_username,
    create_account,
    get_account,
    password_problem,
)
from accounts.tables import ROLES, Account, ApiToken, LoginSession
from scoring.registry.store import load_registry_from_db, load_unit
from storage import audit
from storage.db import is_sqlite, write_transaction
from storage.errors import ServiceError

PAGE_SIZE = 50
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off a printed slip


@dataclass(frozen=True, slots=True)
class AccountPage:
    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int


@dataclass(frozen=True, slots=True)
class UnitCredential:
    unit_code: str
    unit_name: str
    username: str
    password: str


def one_time_password() -> str:
    """Twelve letters and digits in three groups, e.g. ``k7mq-x3ta-9wfe``."""
    chars = [secrets.choice(_ALPHABET) for _ in range(12)]
    return "-".join("".join(chars[i:i + 4]) for i in range(0, 12, 4))


async def search_accounts(query: str = "", role: str = "", unit_code: str = "", status: str = "",
                          page: int = 1, page_size: int = PAGE_SIZE) -> AccountPage:
    """Accounts whose username, name or unit code contains ``query``; by role, unit, status; paged."""
    where: list[Any] = []
    if text := query.strip():
        pattern, op = f"%{text}%", "like" if is_sqlite() else "ilike"  # SQLite's LIKE ignores case
        where.append(getattr(Account.username, op)(pattern) | getattr(Account.full_name, op)(pattern)
                     | getattr(Account.unit_code, op)(pattern))
    if role:
        where.append(Account.role == role)
    if unit_code.strip():
        where.append(Account.unit_code == unit_code.strip())
    if status in ("active", "disabled"):
        where.append(Account.active == (status == "active"))
    count = Account.count()
    select = Account.select(*_PUBLIC)
    if where:
        count, select = count.where(*where), select.where(*where)
    total = await count
    pages = max(1, -(-total // page_size))
    page = min(max(page, 1), pages)
    rows = await select.order_by(Account.username).limit(page_size).offset((page - 1) * page_size)
    return AccountPage(rows, total, page, pages)


async def account_by_username(username: str) -> dict[str, Any]:
    name = clean_username(username)
    row = await Account.select(*_PUBLIC).where(Account.username == name).first()
    if row is None:
        raise ServiceError("not_found", f"Không có tài khoản «{name}».")
    return row


async def check_unit_code(code: str) -> str:
    """The stored unit's code, or ``ServiceError`` not_found in Vietnamese."""
    return (await load_unit(code.strip())).code


async def create_checked_account(username: str, full_name: str, password: str | None, role: str,
                                 unit_code: str | None, actor: str) -> tuple[dict[str, Any], str | None]:
    """``create_account`` after refusing a unit code that is not in the registry. Without a password,
    a one-time password is made (returned once) and must be changed at the first login."""
    unit = (unit_code or "").strip() or None
    if unit is not None:
        unit = await check_unit_code(unit)
    once = one_time_password() if password is None else None
    account = await create_account(username, full_name, password or once or "", role, unit, actor=actor,
                                   must_change_password=once is not None)
    return account, once


async def _end_access(account_id: int) -> tuple[int, int]:
    """Delete the account's sessions and API tokens (inside the caller's transaction); returns
    how many of each ended. Every request reads its session or token from the database, so
    they stop working at once on every worker."""
    sessions = await LoginSession.count().where(LoginSession.account == account_id)
    tokens = await ApiToken.count().where(ApiToken.account == account_id)
    await LoginSession.delete().where(LoginSession.account == account_id)
    await ApiToken.delete().where(ApiToken.account == account_id)
    return sessions, tokens


async def change_role(account_id: int, role: str, unit_code: str | None, actor: str) -> dict[str, Any]:
    if role not in ROLES:
        raise ServiceError("invalid_input", f"Vai trò «{role}» không có; chọn một trong: {', '.join(ROLES)}.",
                           [{"field": "role", "message": "Vai trò không hợp lệ."}])
    unit = (unit_code or "").strip() or None
    if role == "unit" and unit is None:
        raise ServiceError("invalid_input", "Tài khoản của đơn vị phải có mã đơn vị.",
                           [{"field": "unit_code", "message": "Hãy nhập mã đơn vị."}])
    if unit is not None:
        unit = await check_unit_code(unit)
    before = await get_account(account_id)
    after = {"role": role, "unit_code": unit}
    async with write_transaction():
        await Account.update({Account.role: role, Account.unit_code: unit}).where(Account.id == account_id)
        await _end_access(account_id)  # a new role starts with a new login
        await audit.record(actor, "account.role", "account", account_id,
                           unit_code=unit or before["unit_code"],
                           before={"role": before["role"], "unit_code": before["unit_code"]}, after=after)
    return await get_account(account_id)


async def set_active(account_id: int, active: bool, actor: str) -> dict[str, Any]:
    """Enable or disable; disabling ends every session and API token of the account at once."""
    before = await get_account(account_id)
    sessions = tokens = 0
    async with write_transaction():
        await Account.update({Account.active: active}).where(Account.id == account_id)
        if not active:
            sessions, tokens = await _end_access(account_id)
        await audit.record(actor, "account.enable" if active else "account.disable", "account", account_id,
                           unit_code=before["unit_code"], before={"active": before["active"]},
                           after={"active": active, "sessions_ended": sessions,
                                  "tokens_revoked": tokens})
    return await get_account(account_id)


async def reset_password(account_id: int, actor: str) -> tuple[dict[str, Any], str]:
    """A new one-time password (returned once, never stored in clear); the next login must change it.
    The account's sessions and API tokens end."""
    account = await get_account(account_id)
    password = one_time_password()
    password_hash = await asyncio.to_thread(hash_password, password)
    async with write_transaction():
        await Account.update({Account.password_hash: password_hash,
                              Account.must_change_password: True}).where(Account.id == account_id)
        await _end_access(account_id)
        await audit.record(actor, "account.reset_password", "account", account_id,
                           unit_code=account["unit_code"], after={"must_change_password": True})
    return await get_account(account_id), password


async def change_own_password(account_id: int, old: str, new: str, keep_session: str) -> None:
    """The holder sets a new password: the old one must match; the new one is long enough and
    differs from it. Other sessions of the account end; ``keep_session`` (a digest) stays."""
    row = await Account.select(Account.password_hash, Account.username, Account.unit_code,
                               Account.full_name).where(Account.id == account_id).first()
    problems = []
    weak = password_problem(new, row["username"], row["full_name"]) if row else None
    if weak:
        problems.append({"field": "new_password", "message": weak})
    elif new == old:
        problems.append({"field": "new_password", "message": "Mật khẩu mới phải khác mật khẩu cũ."})
    if problems:
        raise ServiceError("invalid_input", problems[0]["message"], problems)
    if row is None or not await asyncio.to_thread(verify_password, row["password_hash"], old):
        raise ServiceError("invalid_input", "Mật khẩu hiện tại không đúng.",
                           [{"field": "old_password", "message": "Không đúng."}])
    new_hash = await asyncio.to_thread(hash_password, new)
    async with write_transaction():
        await Account.update({Account.password_hash: new_hash, Account.must_change_password: False}).where(
            Account.id == account_id)
        await LoginSession.delete().where(LoginSession.account == account_id,
                                          LoginSession.token_hash != keep_session)
        await audit.record(row["username"], "account.change_password", "account", account_id,
                           unit_code=row["unit_code"], after={"must_change_password": False})


def unit_username(code: str) -> str:
    name = clean_username(code)
    return name if USERNAME_RE.fullmatch(name) else "dv-" + "".join(c for c in name if c.isalnum())


async def create_unit_accounts(level: str, actor: str) -> list[UnitCredential]:
    """One ``unit`` account for each unit of the level valid today that has none; username from
    the unit code, a one-time password each (returned once). Units that have one are skipped."""
    if level == "individual":
        raise ServiceError("invalid_input", "Cấp «individual» là cá nhân, không có tài khoản đơn vị.")
    registry = await load_registry_from_db()
    try:
        units = registry.of_level(level, on=date.today())
    except ValueError as exc:
        raise ServiceError("invalid_input", str(exc)) from exc
    if not units:
        raise ServiceError("not_found", f"Danh mục không có đơn vị nào của cấp «{level}» còn hiệu lực "
                                        "hôm nay; hãy kiểm tra danh mục đơn vị.")
    having = {r["unit_code"] for r in await Account.select(Account.unit_code).where(Account.role == "unit")}
    taken = {r["username"] for r in await Account.select(Account.username)}
    wanted = [u for u in units if u.code not in having and unit_username(u.code) not in taken]
    made = [UnitCredential(u.code, u.name, unit_username(u.code), one_time_password()) for u in wanted]
    hashes = await asyncio.gather(*(asyncio.to_thread(hash_password, c.password) for c in made))
    now = datetime.now(UTC)
    async with write_transaction():
        for cred, password_hash in zip(made, hashes, strict=True):
            account = Account(username=cred.username, full_name=cred.unit_name, password_hash=password_hash,
                              role="unit", unit_code=cred.unit_code, active=True, created_at=now,
                              must_change_password=True)
            await account.save()
            await audit.record(actor, "account.create", "account", account.id, unit_code=cred.unit_code,
                               after={"username": cred.username, "full_name": cred.unit_name, "role": "unit",
                                      "unit_code": cred.unit_code, "must_change_password": True})
    return made
