"""Stored history: all-or-nothing imports, audit, idempotence, lineage, the CLI and the demo."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import date
from pathlib import Path

import pytest
from open_province import row_counts
from test_cli_db import thidua

from demo.history import demo_history, write_history_csv
from demo.load import load_demo_history
from demo.registry_tuyen_quang import build_tuyen_quang_registry
from nominations.history import HistoryEntry
from nominations.history_store import import_history, load_history, unit_history
from nominations.tables import HistoryRecord
from scoring.core.units import Registry, Unit
from scoring.registry.store import save_registry
from storage.audit import verify
from storage.errors import ServiceError
from storage.tables import AuditEntry

pytestmark = pytest.mark.db

MERGED = "X25001"  # a commune formed on 1 Jul 2025 from two older ones
HEADER = "ma_don_vi,nam,loai,gia_tri,chi_tiet,da_dung_cho"


def with_merger(registry: Registry) -> tuple[Registry, str, str]:
    """The registry with two communes merged into :data:`MERGED` (successor links)."""
    first, second = registry.of_level("commune")[:2]
    merged = Unit(MERGED, "Xã Tân Trào mới", "commune.xa", "commune", registry.province_code, None,
                  date(2025, 7, 1))
    units = tuple(dataclasses.replace(u, successors=(MERGED,)) if u.code in (first.code, second.code) else u
                  for u in registry.units)
    return (Registry(registry.province_code, registry.province_name, registry.clusters, (*units, merged)),
            first.code, second.code)


@pytest.fixture
async def province(clean_db: str) -> tuple[Registry, str, str]:
    registry, first, second = with_merger(build_tuyen_quang_registry())
    await save_registry(registry, "admin")
    return registry, first, second


def write(path: Path, *rows: str) -> Path:
    path.write_text("\n".join((HEADER, *rows)) + "\n", encoding="utf-8-sig")
    return path


async def stored() -> list[HistoryEntry]:
    rows = await HistoryRecord.select().order_by(HistoryRecord.key)
    return [HistoryEntry(r["unit_code"], r["year"], r["kind"], r["value"], r["detail"], r["used_for"])
            for r in rows]


async def test_a_bad_last_row_stores_nothing(province: tuple[Registry, str, str], tmp_path: Path) -> None:
    registry, *_ = province
    entries = demo_history(registry)
    path = write_history_csv(tmp_path / "lich-su-thi-dua.csv", entries)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    lines[-1] = lines[-1].replace(",2024,", ",1899,", 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    before = await row_counts()
    with pytest.raises(ServiceError) as refused:
        await import_history([path], actor="admin")
    assert refused.value.code == "import_invalid"
    assert refused.value.details == [{
        "file": "lich-su-thi-dua.csv", "row": len(lines), "column": "B (nam)",
        "reason": "năm «1899» không hợp lệ: cần một năm từ 2000 đến 2100"}]
    assert await row_counts() == before


async def test_an_import_stores_everything_once_and_is_audited(province: tuple[Registry, str, str],
                                                               tmp_path: Path) -> None:
    registry, *_ = province
    entries = demo_history(registry)
    path = write_history_csv(tmp_path / "lich-su-thi-dua.csv", entries)
    checked = await import_history([path], actor="admin", dry_run=True)
    assert (checked["new"], checked["unchanged"], await HistoryRecord.count()) == (len(entries), 0, 0)

    summary = await import_history([path], actor="admin")
    counts = (summary["rows"], summary["new"], summary["changed"], summary["unchanged"])
    assert counts == (len(entries), len(entries), 0, 0)
    assert sum(summary["by_kind"].values()) == len(entries)
    assert sorted(await stored(), key=repr) == sorted(entries, key=repr)
    audit = await AuditEntry.select().where(AuditEntry.action == "history.import")
    assert len(audit) == 1 and audit[0]["actor"] == "admin"
    assert hashlib.sha256(path.read_bytes()).hexdigest() in audit[0]["after"]

    again = await import_history([path], actor="admin")
    assert (again["new"], again["changed"], again["unchanged"]) == (0, 0, len(entries))
    assert await HistoryRecord.count() == len(entries)
    assert (await verify()).ok


async def test_a_contradiction_of_a_stored_fact_is_refused(province: tuple[Registry, str, str],
                                                           tmp_path: Path) -> None:
    await import_history([write(tmp_path / "a.csv", "CN00001,2022,rating,httnv,,",
                                "CN00001,2022,initiative,co-so,Số hóa hồ sơ,")], actor="admin")
    used_for = write(tmp_path / "b.csv", "CN00001,2022,initiative,co-so,Số hóa hồ sơ,CSTĐCS")
    used = await import_history([used_for], actor="admin")
    assert (used["new"], used["changed"]) == (0, 1)
    assert [e.used_for for e in await stored() if e.kind == "initiative"] == ["cstdcs"]
    before = await row_counts()
    with pytest.raises(ServiceError) as refused:
        await import_history([write(tmp_path / "c.csv", "CN00002,2022,rating,htxs,,",
                                    "CN00001,2022,rating,HTXSNV,,")], actor="admin")
    assert refused.value.details == [{
        "file": "c.csv", "row": 3, "column": "D (gia_tri)",
        "reason": "«CN00001» đã có xếp loại năm 2022 là «HTTNV» trong cơ sở dữ liệu; "
                  "mỗi năm chỉ có một xếp loại"}]
    assert await row_counts() == before


async def test_a_successor_sees_its_predecessors_history(province: tuple[Registry, str, str],
                                                         tmp_path: Path) -> None:
    _, first, second = province
    await import_history([write(tmp_path / "a.csv", f"{first},2023,title,TTLĐXS,QĐ 1/QĐ-UBND,",
                                f"{second},2024,rating,htxs,,", "CN00001,2023,title,ldtt,,")], actor="admin")
    history = await load_history([MERGED])
    assert history.of(MERGED, 2023, "title") == [HistoryEntry(first, 2023, "title", "ttldxs", "QĐ 1/QĐ-UBND")]
    assert history.years_with(MERGED, "rating", ["htxs"]) == {2024}
    assert history.of("CN00001", 2023, "title") == []  # only the units asked for were loaded
    assert (await load_history()).of("CN00001", 2023, "title")[0].value == "ldtt"
    rows = await unit_history(MERGED)
    assert [(r["year"], r["unit_code"], r["inherited"], r["value_label"]) for r in rows] == [
        (2024, second, True, "Hoàn thành xuất sắc nhiệm vụ"),
        (2023, first, True, "Tập thể lao động xuất sắc"),
    ]
    assert rows[1]["kind_label"] == "Danh hiệu, khen thưởng" and rows[1]["value_short"] == "TTLĐXS"
    with pytest.raises(ServiceError) as unknown:
        await unit_history("KHONG-CO")
    assert unknown.value.code == "not_found"


async def test_the_demo_history_is_loaded_once(province: tuple[Registry, str, str]) -> None:
    registry, *_ = province
    said: list[str] = []
    await load_demo_history(registry, said.append)
    count = await HistoryRecord.count()
    assert count == len(demo_history(registry))
    assert said == ["Đang nhập lịch sử thi đua, khen thưởng mẫu 2019–2024"]
    await load_demo_history(registry, said.append)
    assert await HistoryRecord.count() == count and len(said) == 1


async def test_cli_import_names_every_issue_or_prints_the_counts(province: tuple[Registry, str, str],
                                                                 tmp_path: Path) -> None:
    bad = write(tmp_path / "sai.csv", "CN00001,2022,rating,httnv,,", "XX1,2022,rating,httnv,,",
                "CN00001,2022,xếp loại,giỏi,,")
    before = await row_counts()
    refused = thidua("history", "import", str(bad))
    assert refused.returncode == 1, refused.stdout
    assert "tệp sai.csv, dòng 3, cột «A (ma_don_vi)»: mã «XX1» không có trong danh mục" in refused.stderr
    assert "tệp sai.csv, dòng 4, cột «D (gia_tri)»: giá trị «giỏi» không hợp lệ" in refused.stderr
    assert await row_counts() == before

    good = write(tmp_path / "dung.csv", "CN00001,2022,rating,httnv,,", "CN00001,2022,Danh hiệu,LĐTT,QĐ 5,")
    checked = thidua("history", "import", "--dry-run", str(good))
    assert checked.returncode == 0 and "Kiểm tra xong (chưa ghi gì)" in checked.stdout, checked.stderr
    assert await HistoryRecord.count() == 0
    done = thidua("history", "import", str(good))
    assert done.returncode == 0, done.stderr
    assert "2 dòng" in done.stdout and "mới: 2" in done.stdout and "đã có: 0" in done.stdout, done.stdout
    shown = thidua("history", "show", "CN00001")
    assert shown.returncode == 0, shown.stderr
    assert "2022  Danh hiệu, khen thưởng: Lao động tiên tiến (LĐTT) — QĐ 5" in shown.stdout, shown.stdout
    missing = thidua("history", "show", "KHONG-CO")
    assert missing.returncode == 1 and "Không có đơn vị hoặc cá nhân mã «KHONG-CO»" in missing.stderr
