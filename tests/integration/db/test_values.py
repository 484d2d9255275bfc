"""Indicator values: all-or-nothing imports, entry rules, appraisal, concurrent imports."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from open_province import YEAR, open_year, row_counts

from criteria.model import Plan
from demo.indicators import demo_values
from scoring.core.units import Registry
from scoring.intake.reader import read_indicator_files
from scoring.intake.template import write_long_csv
from scoring.services.periods import (
    find_period,
    get_period,
    list_periods,
    open_period,
    set_locked,
    set_window,
)
from scoring.services.values import (
    appraise,
    effective_frame,
    import_files,
    list_values,
    pending_counts,
    set_own_value,
)
from scoring.tables import IndicatorValue
from storage.audit import verify
from storage.errors import ServiceError
from storage.tables import AuditEntry

pytestmark = pytest.mark.db



class Setup:
    def __init__(self, period_id: int, plan: Plan, registry: Registry, tmp: Path) -> None:
        self.period_id, self.plan, self.registry, self.tmp = period_id, plan, registry, tmp

    def commune_values(self, seed: int = 2024) -> pd.DataFrame:
        frame = demo_values(self.plan, self.registry, YEAR, seed=seed)
        ids = {i.id for i in self.plan.indicators_of("commune")}
        return frame[frame["indicator"].isin(ids)].reset_index(drop=True)

    def write(self, frame: pd.DataFrame, name: str) -> Path:
        path = self.tmp / name
        write_long_csv(frame, YEAR, path, plan=self.plan)
        return path


@pytest.fixture
async def setup(clean_db: str, tmp_path: Path) -> Setup:
    period_id, plan, registry = await open_year(None)
    return Setup(period_id, plan, registry, tmp_path)


async def stored_values(period_id: int) -> dict[tuple[str, str], float]:
    rows = await IndicatorValue.select(IndicatorValue.unit_code, IndicatorValue.indicator,
                                       IndicatorValue.self_value).where(IndicatorValue.period == period_id)
    return {(r["unit_code"], r["indicator"]): r["self_value"] for r in rows}


def as_dict(frame: pd.DataFrame) -> dict[tuple[str, str], float]:
    return {(u, i): float(v) for u, i, v in zip(frame["unit_code"], frame["indicator"], frame["value"],
                                                strict=True)}


def first_percent(setup: Setup) -> tuple[str, str]:
    unit = next(u.code for u in setup.registry.units if u.level == "commune")
    ind = next(i.id for i in setup.plan.indicators_of("commune") if i.kind == "percent")
    return unit, ind


async def test_a_bad_last_row_refuses_the_whole_file(setup: Setup) -> None:
    values = setup.commune_values()
    await import_files(setup.period_id, [setup.write(values.head(100), "dau.csv")], actor="admin")
    before_counts, before_values = await row_counts(), await stored_values(setup.period_id)

    path = setup.write(setup.commune_values(seed=7), "cap-xa.csv")  # other values, more rows
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    lines[-1] = lines[-1].rsplit(",", 1)[0] + ",abc"  # the last row's value is bad
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8-sig")
    with pytest.raises(ServiceError) as caught:
        await import_files(setup.period_id, [path], actor="admin")
    err = caught.value
    assert err.code == "import_invalid" and err.message.startswith("Tệp có 1 lỗi")
    assert err.details == [{"file": "cap-xa.csv", "row": len(lines), "column": err.details[0]["column"],
                            "reason": err.details[0]["reason"]}], "lỗi phải chỉ đúng dòng cuối của tệp"
    assert "abc" in err.details[0]["reason"]
    assert await row_counts() == before_counts, "tệp có lỗi thì không bảng nào được thay đổi"
    assert await stored_values(setup.period_id) == before_values


async def test_dry_run_writes_nothing_then_import_stores_every_row(setup: Setup) -> None:
    values = setup.commune_values()
    path = setup.write(values, "cap-xa.csv")
    before = await row_counts()
    summary = await import_files(setup.period_id, [path], actor="admin", dry_run=True)
    assert await row_counts() == before, "chạy thử không được ghi gì"
    assert (summary["rows"], summary["new"], summary["changed"]) == (len(values), len(values), 0)
    assert summary["units"] == values["unit_code"].nunique()

    done = await import_files(setup.period_id, [path], actor="admin")
    assert done["new"] == len(values) and done["sha256"] == summary["sha256"]
    assert await stored_values(setup.period_id) == as_dict(values)
    again = await import_files(setup.period_id, [path], actor="admin")
    assert (again["new"], again["changed"], again["unchanged"]) == (0, 0, len(values))

    frame, sha = await effective_frame(setup.period_id, "commune")
    expected = read_indicator_files([path], setup.plan, setup.registry, YEAR, level="commune")
    assert sha == expected.sha256, "mã băm số liệu phải giống mã băm khi đọc thẳng từ tệp"
    assert len(frame) == len(values)
    assert await AuditEntry.count().where(AuditEntry.action == "values.import") == 2


async def test_a_locked_period_refuses_every_change(setup: Setup) -> None:
    values = setup.commune_values()
    path = setup.write(values, "cap-xa.csv")
    unit, ind = first_percent(setup)
    await set_own_value(setup.period_id, unit, ind, "80", actor="xa")
    await set_locked(setup.period_id, True, "admin")
    before = await row_counts()
    for attempt in (
        import_files(setup.period_id, [path], actor="admin"),
        set_own_value(setup.period_id, unit, ind, "90", actor="xa"),
        appraise(setup.period_id, unit, ind, actor="admin", accept=True),
    ):
        with pytest.raises(ServiceError) as caught:
            await attempt
        assert caught.value.code == "period_locked"
    assert await row_counts() == before
    with pytest.raises(ServiceError) as caught:
        await set_locked(setup.period_id, False, "admin", reason="  ")
    assert caught.value.code == "invalid_input", "mở lại kỳ phải có lý do"
    reopened = await set_locked(setup.period_id, False, "admin", reason="Sửa số liệu theo kết luận kiểm tra")
    assert not reopened["locked"]
    assert (await set_own_value(setup.period_id, unit, ind, "90", actor="xa"))["self_value"] == 90.0


async def test_entry_window_closed_refuses_own_values(setup: Setup) -> None:
    unit, ind = first_percent(setup)
    now = datetime.now(UTC)
    await set_window(setup.period_id, now - timedelta(days=30), now - timedelta(days=1), "admin")
    assert not (await get_period(setup.period_id))["entry_open"]
    with pytest.raises(ServiceError) as caught:
        await set_own_value(setup.period_id, unit, ind, "80", actor="xa")
    assert caught.value.code == "entry_window_closed"
    # Staff may still appraise after the window closes.
    row = await appraise(setup.period_id, unit, ind, actor="admin", accept=False, value="75",
                         reason="Đơn vị không nộp số liệu; lấy theo báo cáo của Công an tỉnh")
    assert row["self_value"] is None and row["appraised_value"] == 75.0


async def test_an_invalid_value_names_the_field(setup: Setup) -> None:
    unit, ind = first_percent(setup)
    for raw in ("abc", "150"):
        with pytest.raises(ServiceError) as caught:
            await set_own_value(setup.period_id, unit, ind, raw, actor="xa")
        assert caught.value.code == "invalid_value"
        assert caught.value.details["field"] == ind
    with pytest.raises(ServiceError) as caught:
        await set_own_value(setup.period_id, unit, "khong_co", "1", actor="xa")
    assert caught.value.code == "invalid_input"
    with pytest.raises(ServiceError) as caught:
        await set_own_value(setup.period_id, unit, ind, "80", actor="xa", evidence_url="javascript:alert(1)")
    assert caught.value.details == {"field": "evidence_url"}
    assert await IndicatorValue.count() == 0


async def test_appraisal_correction_needs_a_reason_and_keeps_both_values(setup: Setup) -> None:
    unit, ind = first_percent(setup)
    own = await set_own_value(setup.period_id, unit, ind, "80,5", actor="xa",
                              evidence_url="https://example.gov.vn/bc.pdf", comment="Theo báo cáo quý IV")
    assert own["self_value"] == 80.5 and own["pending"]
    for kwargs in ({"value": "70"}, {"reason": "Sai số liệu"}):
        with pytest.raises(ServiceError) as caught:
            await appraise(setup.period_id, unit, ind, actor="admin", accept=False, **kwargs)
        assert caught.value.code == "invalid_input"
    row = await appraise(setup.period_id, unit, ind, actor="admin", accept=False, value="70",
                         reason="Số liệu hệ thống VNeID chỉ đạt 70%")
    assert (row["self_value"], row["appraised_value"], row["effective_value"]) == (80.5, 70.0, 70.0)
    assert not row["pending"] and row["appraisal_note"] == "Số liệu hệ thống VNeID chỉ đạt 70%"
    assert await list_values(setup.period_id, pending_only=True) == []
    frame, _ = await effective_frame(setup.period_id, "commune")
    assert as_dict(frame) == {(unit, ind): 70.0}, "giá trị thẩm định được dùng để chấm điểm"

    accepted = await appraise(setup.period_id, unit, ind, actor="admin", accept=True)
    assert accepted["appraised_value"] == 80.5
    entries = await AuditEntry.select().where(AuditEntry.action == "value.appraise").order_by(AuditEntry.seq)
    assert len(entries) == 2 and entries[0]["unit_code"] == unit
    assert '"self_value":80.5' in entries[0]["after"], "nhật ký giữ cả giá trị tự đánh giá"
    assert (await verify()).ok


async def test_pending_counts_are_the_values_awaiting_appraisal_by_unit(setup: Setup) -> None:
    unit, ind = first_percent(setup)
    other = next(i.id for i in setup.plan.indicators_of("commune") if i.kind == "percent" and i.id != ind)
    await set_own_value(setup.period_id, unit, ind, "80", actor="xa")
    await set_own_value(setup.period_id, unit, other, "60", actor="xa")
    assert await pending_counts(setup.period_id) == {unit: 2}
    await appraise(setup.period_id, unit, ind, actor="admin", accept=True)
    assert await pending_counts(setup.period_id) == {unit: 1}, "giá trị đã thẩm định không còn chờ"
    await set_own_value(setup.period_id, unit, ind, "85", actor="xa")
    assert await pending_counts(setup.period_id) == {unit: 2}, "sửa sau thẩm định thì lại chờ thẩm định"
    pending = await list_values(setup.period_id, pending_only=True)
    assert len(pending) == 2 and {v["unit_code"] for v in pending} == {unit}


async def test_concurrent_imports_are_serialised(setup: Setup) -> None:
    units = sorted({u.code for u in setup.registry.units if u.level == "commune"})
    a_units, b_units = set(units[:70]), set(units[35:105])
    values_a, values_b = setup.commune_values(seed=1), setup.commune_values(seed=2)
    file_a = values_a[values_a["unit_code"].isin(a_units)]
    file_b = values_b[values_b["unit_code"].isin(b_units)]
    a, b = as_dict(file_a), as_dict(file_b)
    overlap = a.keys() & b.keys()
    assert sum(a[k] != b[k] for k in overlap) > 50, "hai tệp phải khác nhau ở phần chung"
    # Stored beforehand: the shared part alternates between A's and B's values, so an import
    # that compared against a stale state would skip rows and leave a mixture.
    mixed = {k: (a[k] if n % 2 else b[k]) for n, k in enumerate(sorted(overlap))}
    before = pd.DataFrame([(u, i, v) for (u, i), v in mixed.items()],
                          columns=["unit_code", "indicator", "value"])
    await import_files(setup.period_id, [setup.write(before, "truoc.csv")], actor="admin")
    paths = [setup.write(file_a, "a.csv"), setup.write(file_b, "b.csv")]

    results: list[Any] = await asyncio.gather(
        *(import_files(setup.period_id, [p], actor=f"can-bo-{i}") for i, p in enumerate(paths)))
    assert all(r["rows"] > 0 for r in results)
    final = await stored_values(setup.period_id)
    assert final.keys() == a.keys() | b.keys(), "không được mất dòng nào"
    shared = {k: final[k] for k in overlap}
    assert shared in ({k: a[k] for k in overlap}, {k: b[k] for k in overlap}), \
        "phần chung phải là trọn vẹn số liệu của một tệp, không được trộn lẫn"
    assert all(final[k] == a[k] for k in a.keys() - b.keys())
    assert all(final[k] == b[k] for k in b.keys() - a.keys())
    assert await AuditEntry.count().where(AuditEntry.action == "values.import") == 3
    assert (await verify()).ok


async def test_open_period_is_idempotent_and_checks_the_year(setup: Setup) -> None:
    period = await get_period(setup.period_id)
    now = datetime.now(UTC)
    again = await open_period(period["plan_version"], YEAR, now, now + timedelta(days=2), "admin")
    assert again == setup.period_id
    assert (await find_period(period["plan_version"], YEAR) or {})["id"] == setup.period_id
    assert [p["id"] for p in await list_periods()] == [setup.period_id]
    assert period["key"] == f"{setup.plan.sha256}|{YEAR}"
    with pytest.raises(ServiceError) as caught:
        await open_period(period["plan_version"], 2030, now, now + timedelta(days=2), "admin")
    assert caught.value.code == "invalid_input" and "2030" in caught.value.message
    with pytest.raises(ServiceError) as caught:
        await set_window(setup.period_id, now, now - timedelta(days=1), "admin")
    assert caught.value.code == "invalid_input"


async def test_staff_import_of_appraised_values_and_a_units_own_upload(setup: Setup) -> None:
    values = setup.commune_values()
    unit = values["unit_code"].iloc[0]
    own = values[values["unit_code"] == unit]
    await import_files(setup.period_id, [setup.write(own, "cua-xa.csv")], actor="xa", unit_code=unit)
    with pytest.raises(ServiceError) as caught:
        await import_files(setup.period_id, [setup.write(values.head(40), "nhieu-xa.csv")], actor="xa",
                           unit_code=unit)
    assert caught.value.code == "import_invalid", "đơn vị chỉ được tải số liệu của chính mình"

    checked = await import_files(setup.period_id, [setup.write(values, "tham-dinh.csv")], actor="admin",
                                 as_appraised=True)
    assert checked["new"] == len(values) - len(own) and checked["changed"] == len(own)
    rows = {(r["unit_code"], r["indicator"]): r for r in await list_values(setup.period_id)}
    some = rows[(unit, own["indicator"].iloc[0])]
    assert some["self_value"] == some["appraised_value"] == float(own["value"].iloc[0])
    other = next(r for r in rows.values() if r["unit_code"] != unit)
    assert other["self_value"] is None and other["appraised_value"] is not None
    frame, _ = await effective_frame(setup.period_id, "commune")
    assert as_dict(frame) == as_dict(values)
