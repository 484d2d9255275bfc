"""What the API does on real data: its errors, bulk import, the self-assessment flow,
reproducible runs, and its OpenAPI description."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from litestar.routes import HTTPRoute
from litestar.testing import TestClient
from loaded_province import LEVEL, UNIT_A, World, run

from criteria.shipped import shipped_plan_path
from demo.indicators import demo_values
from scoring.intake.template import write_long_csv
from scoring.tables import IndicatorValue
from server.app import create_app

pytestmark = pytest.mark.db

V1 = "/api/v1"
VIETNAMESE = re.compile(r"[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]",
                        re.IGNORECASE)


def error_of(response: Any, status: int, code: str) -> dict[str, Any]:
    """The error body, after checking its status, shape, code and Vietnamese message."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code, error
    assert VIETNAMESE.search(error["message"]), f"thông báo phải bằng tiếng Việt có dấu: {error['message']}"
    return error


def value_count() -> int:
    return run(IndicatorValue.count().run())


def values_of(client: TestClient[Any], world: World, unit: str) -> dict[str, dict[str, Any]]:
    response = client.get(f"{V1}/periods/{world.period}/values", params={"unit": unit},
                          headers=world.headers("admin"))
    assert response.status_code == 200, response.text
    return {row["indicator"]: row for row in response.json()}


def test_errors_are_json_with_a_stable_code_and_a_vietnamese_message(client: TestClient[Any],
                                                                     world: World) -> None:
    admin, unit = world.headers("admin"), world.headers("unit_own")
    error = error_of(client.get(f"{V1}/runs/999999", headers=admin), 404, "not_found")
    assert "999999" in error["message"]
    error_of(client.get(f"{V1}/audit"), 401, "unauthenticated")

    plans_before = client.get(f"{V1}/plans").json()
    kinds = [i.kind for i in world.plan.indicators]
    broken = shipped_plan_path().read_text(encoding="utf-8")
    broken = broken.replace("issuer = ", 'nguoi_ky = "Chủ tịch"\nissuer = ', 1)
    broken = broken.replace("max_points = 100\n", 'max_points = "một trăm"\n', 1)
    broken = broken.replace('ranking_scope = "cluster"', 'ranking_scope = "toan_tinh"', 1)
    broken = broken.replace('kind = "percent"', 'kind = "phan_tram"', 1)
    error = error_of(client.post(f"{V1}/plans", json={"toml": broken}, headers=admin), 400, "plan_invalid")
    assert {d["path"] for d in error["details"]} == {
        "plan.nguoi_ky", "levels[0].max_points", "levels[0].ranking_scope",
        f"indicators[{kinds.index('percent')}].kind",
    }, error["details"]
    assert all(VIETNAMESE.search(d["message"]) for d in error["details"])
    assert client.get(f"{V1}/plans").json() == plans_before, "một kế hoạch lỗi không được lưu"
    syntax = client.post(f"{V1}/plans", json={"toml": "[plan\nid = "}, headers=admin)
    assert error_of(syntax, 400, "plan_invalid")["details"][0]["path"] == "(cú pháp TOML)"

    locked = f"{V1}/periods/{world.published_period}/values/{UNIT_A}/{world.indicator}"
    error_of(client.put(locked, json={"value": 50}, headers=admin), 409, "period_locked")

    url = f"{V1}/periods/{world.period}/values/{UNIT_A}/{world.indicator}"
    error = error_of(client.put(url, json={"value": "nhiều lắm"}, headers=unit), 400, "invalid_value")
    assert error["details"]["field"] == world.indicator
    name = next(i.name for i in world.plan.indicators if i.id == world.indicator)
    assert name in error["message"]
    error = error_of(client.put(url, json={"comment": "quên giá trị"}, headers=unit), 400, "invalid_input")
    assert [d["field"] for d in error["details"]] == ["value"]
    error = error_of(client.put(url, json={"value": 50, "evidence_url": "ftp://x"}, headers=unit),
                     400, "invalid_input")
    assert error["details"] == {"field": "evidence_url"}


def district_csv(world: World, tmp_path: Path) -> list[list[str]]:
    """Three valid 2024 rows of one district (nothing of that level is stored yet)."""
    frame = demo_values(world.plan, world.registry, 2024)
    ids = {i.id for i in world.plan.indicators_of("district")}
    district = frame[frame["indicator"].isin(ids)]
    rows = district[district["unit_code"] == district["unit_code"].iloc[0]].head(3)
    path = tmp_path / "cap-huyen.csv"
    write_long_csv(rows, 2024, path, plan=world.plan)
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def upload(client: TestClient[Any], world: World, lines: list[list[str]], dry_run: bool) -> Any:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(lines)
    return client.post(f"{V1}/periods/{world.period}/import", params={"dry_run": str(dry_run).lower()},
                       files=[("files", ("cap-huyen.csv", out.getvalue().encode(), "text/csv"))],
                       headers=world.headers("admin"))


def test_bulk_import_lists_every_bad_row_and_a_dry_run_writes_nothing(client: TestClient[Any], world: World,
                                                                      tmp_path: Path) -> None:
    good = district_csv(world, tmp_path)
    district = good[1][0]
    bad = [row[:] for row in good]
    bad[1][0], bad[2][1], bad[3][3] = "99999", "khong_co_chi_tieu", "nhiều lắm"
    before = value_count()
    error = error_of(upload(client, world, bad, dry_run=True), 400, "import_invalid")
    assert [(d["row"], d["column"]) for d in error["details"]] == [
        (2, "A (ma_don_vi)"), (3, "B (chi_tieu)"), (4, "D (gia_tri)")]
    reasons = [d["reason"] for d in error["details"]]
    assert "99999" in reasons[0] and "khong_co_chi_tieu" in reasons[1] and "nhiều lắm" in reasons[2]
    assert all(d["file"] == "cap-huyen.csv" for d in error["details"])
    error_of(upload(client, world, bad, dry_run=False), 400, "import_invalid")
    assert value_count() == before, "một tệp có lỗi không được ghi dòng nào"

    dry = upload(client, world, good, dry_run=True)
    assert dry.status_code == 200, dry.text  # a check creates nothing
    summary = dry.json()
    assert summary["dry_run"] and (summary["rows"], summary["new"], summary["changed"]) == (3, 3, 0)
    assert value_count() == before, "chạy thử không được ghi gì"

    real = upload(client, world, good, dry_run=False)
    assert real.status_code == 200 and not real.json()["dry_run"], real.text
    assert value_count() == before + 3
    stored = values_of(client, world, district)
    assert {(district, row[1]) for row in good[1:]} == {(r["unit_code"], i) for i, r in stored.items()}


def audit_since(client: TestClient[Any], world: World, seq: int, **params: str) -> list[tuple[str, str]]:
    response = client.get(f"{V1}/audit", params=params, headers=world.headers("admin"))
    assert response.status_code == 200, response.text
    return [(e["action"], e["actor"]) for e in response.json() if e["seq"] > seq]


def test_self_assessment_appraisal_publication_and_reopening(client: TestClient[Any], world: World) -> None:
    admin, unit = world.headers("admin"), world.headers("unit_own")
    officer, staff = world.username("unit_own"), world.username("admin")
    start = max([e["seq"] for e in client.get(f"{V1}/audit", headers=admin).json()], default=0)
    url = f"{V1}/periods/{world.period}/values/{UNIT_A}/{world.indicator}"

    entered = client.put(url, json={"value": "95,5", "comment": "theo báo cáo quý IV"}, headers=unit)
    assert entered.status_code == 200, entered.text
    assert entered.json()["self_value"] == 95.5 and entered.json()["pending"]
    reason = "Kiểm tra thực tế chỉ đạt 90%"
    appraised = client.post(f"{url}/appraisal", json={"accept": False, "value": "90", "reason": reason},
                            headers=admin)
    assert appraised.status_code == 201, appraised.text
    for who in ("admin", "unit_own"):  # both values stay visible, to staff and to the unit itself
        rows = client.get(f"{V1}/periods/{world.period}/values", headers=world.headers(who),
                          params={"unit": UNIT_A}).json()
        row = next(r for r in rows if r["indicator"] == world.indicator)
        assert (row["self_value"], row["appraised_value"], row["effective_value"]) == (95.5, 90.0, 90.0)
        assert row["appraisal_note"] == reason and row["appraised_by"] == staff and not row["pending"]

    scored = client.post(f"{V1}/runs", json={"period_id": world.period, "level": LEVEL}, headers=admin)
    assert scored.status_code == 201, scored.text
    run_id = scored.json()["id"]
    breakdown = client.get(f"{V1}/runs/{run_id}/units/{UNIT_A}", headers=unit).json()
    criterion = next(c for c in breakdown["criteria"] if c["id"] == world.criterion)
    assert criterion["value"] == 90, "lượt chấm phải dùng giá trị thẩm định"

    published = client.post(f"{V1}/runs/{run_id}/publish", headers=admin)
    assert published.status_code == 201 and published.json()["published"], published.text
    error = error_of(client.put(url, json={"value": 97}, headers=unit), 409, "period_locked")
    assert "đã khóa" in error["message"]
    error = error_of(client.post(f"{V1}/periods/{world.period}/reopen", json={}, headers=admin),
                     400, "invalid_input")
    assert error["details"] == {"field": "reason"}
    reopened = client.post(f"{V1}/periods/{world.period}/reopen",
                           json={"reason": "Đơn vị bổ sung minh chứng"}, headers=admin)
    assert reopened.status_code == 201 and not reopened.json()["locked"], reopened.text
    again = client.put(url, json={"value": 97}, headers=unit)
    assert again.status_code == 200 and again.json()["self_value"] == 97, again.text

    assert audit_since(client, world, start, unit=UNIT_A) == [  # newest first
        ("value.self", officer), ("value.appraise", staff), ("value.self", officer)]
    assert audit_since(client, world, start, actor=staff) == [
        ("period.reopen", staff), ("period.lock", staff), ("run.publish", staff), ("run.start", staff),
        ("value.appraise", staff)]
    verified = client.get(f"{V1}/audit/verify", headers=admin)
    assert verified.status_code == 200 and verified.json()["ok"], verified.text
    assert verified.json()["checked"] > 0 and verified.json()["broken_seq"] is None


def test_same_data_gives_the_same_run_and_a_changed_value_a_new_hash(client: TestClient[Any],
                                                                      world: World) -> None:
    admin = world.headers("admin")
    body = {"period_id": world.period, "level": LEVEL}
    first, second = (client.post(f"{V1}/runs", json=body, headers=admin).json() for _ in range(2))
    assert second["id"] != first["id"]
    for key in ("run_hash", "results_sha256", "data_sha256", "plan_sha256"):
        assert second[key] == first[key], f"chấm lại trên cùng số liệu phải cho cùng {key}"
    results = [client.get(f"{V1}/runs/{r['id']}/results", headers=admin) for r in (first, second)]
    assert results[0].status_code == 200 and results[0].json(), results[0].text
    assert results[0].json() == results[1].json()

    current = values_of(client, world, UNIT_A)[world.indicator]["effective_value"]
    changed = client.post(f"{V1}/periods/{world.period}/values/{UNIT_A}/{world.indicator}/appraisal",
                          json={"accept": False, "value": 12.5 if current != 12.5 else 13,
                                "reason": "Kiểm tra lại số liệu"}, headers=admin)
    assert changed.status_code == 201, changed.text
    third = client.post(f"{V1}/runs", json=body, headers=admin).json()
    assert third["data_sha256"] != first["data_sha256"] and third["run_hash"] != first["run_hash"]
    assert third["plan_sha256"] == first["plan_sha256"]


def test_openapi_lists_every_api_route(client: TestClient[Any]) -> None:
    response = client.get("/schema/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    routes = {
        (re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path), method.lower())
        for route in create_app().routes
        if isinstance(route, HTTPRoute) and route.path.startswith("/api/v1")
        for handler in route.route_handlers
        for method in handler.http_methods - {"OPTIONS"}
    }
    assert len(routes) >= 29
    missing = sorted((path, method) for path, method in routes if method not in paths.get(path, {}))
    assert not missing, f"thiếu trong OpenAPI: {missing}"


def test_an_upload_above_the_frameworks_default_body_limit_reaches_the_intake(
        client: TestClient[Any], world: World) -> None:
    """Litestar refuses bodies over 10 MB by default; the intake allows 50 MB files and says
    itself what is wrong with one."""
    junk = b"\x00" * (11 * 1024 * 1024)
    answer = client.post(f"{V1}/periods/{world.period}/import", params={"dry_run": "true"},
                         files=[("files", ("cap-huyen.csv", junk, "text/csv"))],
                         headers=world.headers("admin"))
    assert answer.status_code == 400, answer.text[:300]
    assert "cap-huyen.csv" in answer.text
