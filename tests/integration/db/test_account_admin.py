"""Managing accounts (accounts.admin) on the test database: search, role, disable and enable
ending sessions and tokens at once, one-time passwords, one account per unit of a level."""

from __future__ import annotations

from datetime import date

import pytest
from open_province import open_year

from accounts import admin
from accounts.security import token_digest
from accounts.service import (
    authenticate,
    create_account,
    create_api_token,
    session_user,
    start_session,
    token_user,
)
from accounts.tables import Account
from storage.errors import ServiceError
from storage.tables import AuditEntry

pytestmark = pytest.mark.db

PASSWORD = "mat-khau-rat-dai-2025"


async def _unit_account(username: str = "can.bo", unit: str = "CQ01") -> dict[str, object]:
    return await create_account(username, "Nguyễn Văn Bình", PASSWORD, "unit", unit, actor="admin")


async def _actions() -> list[str]:
    """The account changes audited, in order (logins are audited too, and left out here)."""
    return [r["action"] for r in await AuditEntry.select(AuditEntry.action).order_by(AuditEntry.seq)
            if not r["action"].startswith("login.")]


async def test_search_by_name_role_unit_and_pages(clean_db: str) -> None:
    await open_year(None)
    await create_account("quantri", "Trần Thị Quản", PASSWORD, "admin", actor="admin")
    for n in range(1, 6):
        await _unit_account(f"cq{n:02d}", f"CQ0{n}")
    found = await admin.search_accounts("cq0")
    assert found.total == 5 and [r["username"] for r in found.rows][:2] == ["cq01", "cq02"]
    assert (await admin.search_accounts(role="admin")).total == 1
    assert [r["username"] for r in (await admin.search_accounts(unit_code="CQ03")).rows] == ["cq03"]
    paged = await admin.search_accounts(role="unit", page=2, page_size=2)
    assert (paged.page, paged.pages, [r["username"] for r in paged.rows]) == (2, 3, ["cq03", "cq04"])
    assert (await admin.search_accounts("Quản")).total == 1


async def test_disable_ends_session_and_token_at_once_and_enable_lets_login_again(clean_db: str) -> None:
    await open_year(None)
    account = await _unit_account()
    cookie, _ = await start_session(account["id"])
    token = await create_api_token(account["id"], "máy chủ")
    assert await session_user(cookie) is not None and await token_user(token) is not None  # now cached
    await admin.set_active(account["id"], False, actor="quantri")
    assert await session_user(cookie) is None and await token_user(token) is None
    assert await Account.count().where(Account.active == False) == 1  # noqa: E712
    with pytest.raises(ServiceError) as refused:
        await authenticate("can.bo", PASSWORD, "127.0.0.1")
    assert refused.value.code == "unauthenticated"
    await admin.set_active(account["id"], True, actor="quantri")
    assert (await authenticate("can.bo", PASSWORD, "127.0.0.1"))["id"] == account["id"]
    assert (await _actions())[-2:] == ["account.disable", "account.enable"]


async def test_reset_gives_a_one_time_password_that_must_be_changed(clean_db: str) -> None:
    await open_year(None)
    account = await _unit_account()
    cookie, _ = await start_session(account["id"])
    assert await session_user(cookie) is not None
    after, once = await admin.reset_password(account["id"], actor="quantri")
    assert after["must_change_password"] and len(once) >= 12
    assert await session_user(cookie) is None
    with pytest.raises(ServiceError):
        await authenticate("can.bo", PASSWORD, "127.0.0.1")
    signed = await authenticate("can.bo", once, "127.0.0.1")
    assert signed["must_change_password"] is True
    fresh, _ = await start_session(account["id"])
    user = await session_user(fresh)
    assert user is not None and user.must_change_password
    for old, new, message in [(once, "ngan", "ít nhất 8"), (once, once, "khác mật khẩu cũ"),
                              ("sai-mat-khau", "mat-khau-moi-2026", "không đúng")]:
        with pytest.raises(ServiceError) as wrong:
            await admin.change_own_password(account["id"], old, new, keep_session="")
        assert message in wrong.value.message
    await admin.change_own_password(account["id"], once, "mat-khau-moi-2026",
                                    keep_session=token_digest(fresh))
    user = await session_user(fresh)
    assert user is not None and not user.must_change_password
    assert not (await authenticate("can.bo", "mat-khau-moi-2026", "127.0.0.1"))["must_change_password"]
    assert "account.reset_password" in await _actions() and "account.change_password" in await _actions()


async def test_change_role_refuses_an_unknown_unit(clean_db: str) -> None:
    await open_year(None)
    account = await create_account("bich", "Lê Thị Bích", PASSWORD, "council", actor="admin")
    with pytest.raises(ServiceError) as unknown:
        await admin.change_role(account["id"], "unit", "KHONG-CO", actor="quantri")
    assert unknown.value.code == "not_found" and "Không có đơn vị mã «KHONG-CO»" in unknown.value.message
    changed = await admin.change_role(account["id"], "unit", "CQ02", actor="quantri")
    assert (changed["role"], changed["unit_code"]) == ("unit", "CQ02")
    with pytest.raises(ServiceError) as bad:
        await admin.create_checked_account("moi", "Mới", None, "unit", "ZZ9", actor="quantri")
    assert "«ZZ9»" in bad.value.message


async def test_bulk_create_skips_units_that_have_an_account(clean_db: str) -> None:
    _, _, registry = await open_year(None)
    await _unit_account("cq01-cu", "CQ01")
    made = await admin.create_unit_accounts("agency", actor="quantri")
    agencies = [u.code for u in registry.of_level("agency")]
    assert [c.unit_code for c in made] == [c for c in agencies if c != "CQ01"]
    assert made[0].username == made[0].unit_code.lower() and len({c.password for c in made}) == len(made)
    signed = await authenticate(made[0].username, made[0].password, "127.0.0.1")
    assert signed["must_change_password"] and signed["unit_code"] == made[0].unit_code
    assert await admin.create_unit_accounts("agency", actor="quantri") == []
    assert (await _actions()).count("account.create") == len(agencies)
    with pytest.raises(ServiceError):
        await admin.create_unit_accounts("cap-khong-co", actor="quantri")
    if not registry.of_level("district", on=date.today()):  # the districts ended on 1 July 2025
        with pytest.raises(ServiceError) as none:
            await admin.create_unit_accounts("district", actor="quantri")
        assert "không có đơn vị nào" in none.value.message
