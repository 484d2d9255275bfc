"""The audit log is a hash chain: verification passes untouched and names the altered entry."""

from __future__ import annotations

import pytest

from storage.audit import record, verify
from storage.db import write_transaction
from storage.tables import AuditEntry

pytestmark = pytest.mark.db


async def test_chain_verifies_and_names_the_first_altered_entry(clean_db: str) -> None:
    for n in range(5):
        async with write_transaction():
            await record("admin", "value.appraise", "indicator_value", n,
                         before={"giá_trị": n}, after={"giá_trị": n + 1}, unit_code="02200")
    result = await verify()
    assert result.ok and result.checked == 5

    await AuditEntry.update({AuditEntry.after: '{"giá_trị":99}'}).where(AuditEntry.seq == 3)
    result = await verify()
    assert not result.ok
    assert result.broken_seq == 3, "phải chỉ ra đúng mục nhật ký bị sửa"
    assert "bị sửa" in result.reason


async def test_deleting_an_entry_breaks_the_chain(clean_db: str) -> None:
    for n in range(3):
        async with write_transaction():
            await record("admin", "run.start", "score_run", n)
    await AuditEntry.delete().where(AuditEntry.seq == 2)
    result = await verify()
    assert not result.ok and result.broken_seq == 2


async def test_an_entry_rolls_back_with_its_transaction(clean_db: str) -> None:
    with pytest.raises(RuntimeError):
        async with write_transaction():
            await record("admin", "run.start", "score_run", 1)
            raise RuntimeError("lỗi giữa chừng")
    assert await AuditEntry.count() == 0
