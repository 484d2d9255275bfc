"""The audit log is a hash chain: verification passes untouched and names the altered entry."""

from __future__ import annotations

import pytest

from storage.audit import AuditFilter, audit_entries, count_audit_entries, record, verify
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


async def test_entries_are_read_newest_first_by_filter_and_page(clean_db: str) -> None:
    writers = [("admin", "02200"), ("xa", "02200"), ("admin", "02203"), ("admin", None)]
    for n, (actor, unit) in enumerate(writers):
        async with write_transaction():
            await record(actor, "value.appraise" if n else "run.start", "indicator_value", n, unit_code=unit)

    async def seqs(found: AuditFilter, limit: int = 100, offset: int = 0) -> list[int]:
        return [e["seq"] for e in await audit_entries(found, limit, offset)]

    every = await audit_entries(AuditFilter(), 100)
    assert [e["seq"] for e in every] == [4, 3, 2, 1], "mục mới nhất lên trước"
    assert await seqs(AuditFilter(unit_code="02200")) == [2, 1]
    assert await seqs(AuditFilter(unit_code="02200", actor="admin")) == [1]
    assert await seqs(AuditFilter(action="value.appraise", entity_id="2")) == [3]
    assert await seqs(AuditFilter(), 2, 2) == [2, 1], "trang thứ hai"
    assert await seqs(AuditFilter(since=every[-1]["at"])) == [4, 3, 2, 1]
    assert await seqs(AuditFilter(until=every[-1]["at"])) == [], "đến ngày kết thúc, không tính mốc đó"
    assert await count_audit_entries(AuditFilter(actor="admin")) == 3
    assert await count_audit_entries(AuditFilter()) == 4
