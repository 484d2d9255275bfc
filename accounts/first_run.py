"""The first run of a new installation: choose the province and create the first administrator.

Until an administrator exists, whoever reaches the server may do this once, from the web
(``/khoi-tao``); afterwards the page is gone. There is no default password: the person setting
up chooses it. Province and administrator are saved in one transaction, so a failure leaves the
database as it was.
"""

from __future__ import annotations

from typing import Any

from accounts.service import create_account
from accounts.tables import Account
from scoring.services.province_setup import init_province, registry_size
from storage.cache import TTLCache
from storage.db import write_transaction
from storage.errors import ServiceError

ACTOR = "khoi-tao"
DONE = "Hệ thống đã có quản trị viên: trang khởi tạo không còn dùng được. Hãy đăng nhập."

# Once an administrator exists one always will (accounts are disabled, never deleted): no query
# after that. Emptied with every cache when the database is emptied (tests).
_set_up: TTLCache[str, bool] = TTLCache(maxsize=1, ttl=None)


async def needs_first_run() -> bool:
    """True while no administrator account exists."""
    if _set_up.get("done") is True:
        return False
    done = bool(await Account.exists().where(Account.role == "admin"))
    if done:
        _set_up.put("done", True)
    return not done


async def first_run(*, province: str | None, legacy: bool, username: str, full_name: str,
                    password: str) -> dict[str, Any]:
    """Set up the province (unless the registry already holds units) and the first administrator.

    Raises ``ServiceError`` ("conflict") once an administrator exists, and the province's or the
    account's refusals; nothing is written then.
    """
    async with write_transaction():
        if not await needs_first_run():
            raise ServiceError("conflict", DONE)
        held = await registry_size()
        if held == 0 and not province:
            raise ServiceError("invalid_input", "Hãy chọn tỉnh, thành phố.",
                               [{"field": "province", "message": "Hãy chọn tỉnh, thành phố."}])
        summary = await init_province(province, legacy, ACTOR) if held == 0 and province else None
        account = await create_account(username, full_name, password, "admin", actor=ACTOR)
    _set_up.put("done", True)
    return {"province": summary, "account": account}
