"""Periods through the API: the submission deadline, one level's data locked and reopened."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import TestClient
from loaded_province import LEVEL, UNIT_A, World

pytestmark = pytest.mark.db

V1 = "/api/v1"


def test_a_new_period_carries_its_submission_deadline(client: TestClient[Any], world: World) -> None:
    admin = world.headers("admin")
    opens = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)
    body = {"plan_version_id": world.plan_version, "year": 2025, "entry_opens": opens.isoformat(),
            "entry_closes": (opens + timedelta(days=30)).isoformat(),
            "submission_deadline": "2025-03-01T17:00:00+07:00"}
    created = client.post(f"{V1}/periods", json=body, headers=admin)
    assert created.status_code == 201, created.text
    period = created.json()
    assert period["submission_deadline"] == "2025-03-01T10:00:00Z" and period["locked_levels"] == []
    listed = {p["id"]: p for p in client.get(f"{V1}/periods", headers=admin).json()}
    assert listed[period["id"]]["submission_deadline"] == "2025-03-01T10:00:00Z"
    assert listed[world.period]["submission_deadline"] is None, "the field is optional"
    late = client.post(f"{V1}/periods", headers=admin, json={
        **body, "year": 2022, "submission_deadline": opens.isoformat()})
    assert late.status_code == 400 and late.json()["error"]["details"] == {"field": "submission_deadline"}


def test_one_level_is_locked_and_reopened_with_a_reason(client: TestClient[Any], world: World) -> None:
    admin, unit = world.headers("admin"), world.headers("unit_own")
    base = f"{V1}/periods/{world.period}/levels"
    value = f"{V1}/periods/{world.period}/values/{UNIT_A}/{world.indicator}"
    refused = client.post(f"{base}/{LEVEL}/lock", json={"reason": ""}, headers=admin)
    assert refused.status_code == 400 and refused.json()["error"]["details"] == {"field": "reason"}
    unknown = client.post(f"{base}/khong-co/lock", json={"reason": "kiểm thử"}, headers=admin)
    assert unknown.status_code == 400 and unknown.json()["error"]["details"] == {"field": "level"}
    locked = client.post(f"{base}/{LEVEL}/lock", json={"reason": "Chốt số liệu cấp xã"}, headers=admin)
    assert locked.status_code == 201, locked.text
    assert locked.json()["locked_levels"] == [LEVEL] and not locked.json()["locked"]
    entry = client.put(value, json={"value": 91}, headers=unit)
    assert entry.status_code == 409 and entry.json()["error"]["code"] == "period_locked", entry.text
    run = client.post(f"{V1}/runs", json={"period_id": world.period, "level": LEVEL}, headers=admin)
    assert run.status_code == 409, run.text
    reopened = client.post(f"{base}/{LEVEL}/reopen", json={"reason": "Đơn vị bổ sung minh chứng"},
                           headers=admin)
    assert reopened.status_code == 201 and reopened.json()["locked_levels"] == [], reopened.text
    assert client.put(value, json={"value": 91}, headers=unit).status_code == 200
    audit = [e for e in client.get(f"{V1}/audit", headers=admin).json()
             if e["action"] in ("period.level_lock", "period.level_reopen")]
    assert [e["action"] for e in audit] == ["period.level_reopen", "period.level_lock"]
    assert "Đơn vị bổ sung minh chứng" in str(audit[0]) and "Chốt số liệu cấp xã" in str(audit[1])


def test_a_plan_workbook_through_the_api(client: TestClient[Any], world: World) -> None:
    import io

    import openpyxl

    from criteria.workbook_write import plan_workbook

    admin = world.headers("admin")
    data = plan_workbook(world.plan)
    same = client.post(f"{V1}/plans/workbook", headers=admin,
                       files=[("files", ("ke-hoach.xlsx", data, "application/octet-stream"))])
    assert same.status_code == 200, same.text
    assert same.json() == {"id": world.plan_version, "plan_id": world.plan.info.id,
                           "version": world.plan.info.version, "sha256": world.plan.sha256, "created": False}
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = f"Tiêu chí {world.plan.levels[0].id}"
    book[sheet]["I5"], book["Cấp thi đua"]["E2"] = "không rõ", 999
    out = io.BytesIO()
    book.save(out)
    refused = client.post(f"{V1}/plans/workbook", headers=admin,
                          files=[("files", ("hong.xlsx", out.getvalue(), "application/octet-stream"))])
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "plan_invalid"
    found = {(d.get("sheet"), d.get("row"), d.get("column")) for d in refused.json()["error"]["details"]}
    assert {(sheet, 5, "Chỉ tiêu"), ("Cấp thi đua", 2, "Thang điểm")} <= found


def test_hostile_files_are_refused_through_the_api_and_nothing_is_written(
    client: TestClient[Any], world: World, tmp_path: Any,
) -> None:
    import sys
    import time
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "unit" / "scoring"))
    from test_hostile_files import SHEET_START, rows_xml, workbook

    admin = world.headers("admin")
    entity = SHEET_START.replace("<worksheet", '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                                 "<worksheet") + "<sheetData/></worksheet>"
    bomb = SHEET_START + " " * (400 * 1024 * 1024) + "</worksheet>"
    files = {
        "bom.xlsx": (workbook(tmp_path / "bom.xlsx", bomb), "vượt giới hạn 300 MB"),
        "trieu-dong": (workbook(tmp_path / "trieu-dong", rows_xml(1_048_575, dimension=False)),
                       "hơn 200.000 dòng"),
        "thuc-the.xlsx": (workbook(tmp_path / "thuc-the.xlsx", entity), "khai báo thực thể XML"),
    }
    before = client.get(f"{V1}/periods/{world.period}/values", headers=admin).json()
    for name, (path, words) in files.items():
        start = time.monotonic()
        answer = client.post(f"{V1}/periods/{world.period}/import", headers=admin,
                             files=[("files", (name, path.read_bytes(), "application/octet-stream"))])
        assert time.monotonic() - start < 20, name
        assert answer.status_code == 400, answer.text[:300]
        error = answer.json()["error"]
        assert error["code"] == "import_invalid" and len(answer.content) < 10_000
        assert any(words in d["reason"] and d["file"] == name for d in error["details"]), error
    assert client.get(f"{V1}/periods/{world.period}/values", headers=admin).json() == before
