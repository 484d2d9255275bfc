"""``thidua province init`` as staff run it, on the test database (SQLite or PostgreSQL): from an
empty database to the units the API lists, and a second init refused without writing."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient
from open_province import row_counts

from accounts.service import create_account, create_api_token
from scoring.registry.provinces import load_agencies
from server.app import create_app
from storage.audit import verify
from storage.tables import AuditEntry

pytestmark = pytest.mark.db

ROOT = Path(__file__).parents[3]


def thidua(*argv: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("thidua")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "api.cli"]
    return subprocess.run([*command, *argv], cwd=ROOT, env=os.environ, capture_output=True, text=True,
                          timeout=180)


async def _admin_token() -> str:
    account = await create_account("quantri", "Quản trị", "mat-khau-rat-dai-2025", "admin", actor="system")
    return await create_api_token(account["id"], "kiểm thử")


async def _actions() -> list[str]:
    return [r["action"] for r in await AuditEntry.select(AuditEntry.action).order_by(AuditEntry.seq)]


def test_province_list_prints_the_34_provinces(migrated_database: str) -> None:
    done = thidua("province", "list")
    assert done.returncode == 0, done.stderr
    assert "34 tỉnh, thành phố" in done.stdout
    assert "66  Tỉnh Đắk Lắk" in done.stdout and "01  Thành phố Hà Nội" in done.stdout


def test_init_dak_lak_from_an_empty_database_then_a_second_init_is_refused(clean_db: str) -> None:
    done = thidua("province", "init", "Đắk Lắk")
    assert done.returncode == 0, done.stderr
    assert "Tỉnh Đắk Lắk (mã 66)" in done.stdout
    assert "xã, phường, đặc khu (từ 01/7/2025): 102" in done.stdout
    _, agencies = load_agencies()
    assert f"cơ quan, đơn vị cấp tỉnh: {len(agencies)}" in done.stdout

    token = asyncio.run(_admin_token())
    with TestClient(app=create_app()) as client:
        response = client.get("/api/v1/units", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    units: list[dict[str, Any]] = response.json()
    levels = Counter(u["level"] for u in units)
    assert levels == {"province": 1, "agency": len(agencies), "commune": 102}
    communes = [u for u in units if u["level"] == "commune"]
    assert {u["kind"] for u in communes} == {"commune.xa", "commune.phuong"}
    assert all(u["valid_from"] == "2025-07-01" and u["parent"] == "66" for u in communes)
    assert {u["name"] for u in units if u["level"] == "agency"} >= {"Sở Nội vụ", "Sở Tài chính"}

    assert asyncio.run(_actions()) [:2] == ["registry.save", "province.init"]
    before = asyncio.run(row_counts())
    for again in (("Đắk Lắk",), ("tuyen quang", "--legacy")):
        refused = thidua("province", "init", *again)
        assert refused.returncode == 1, refused.stdout + refused.stderr
        assert "Danh mục đơn vị đã có" in refused.stderr and "Không ghi gì" in refused.stderr
        assert refused.stdout == ""
    assert asyncio.run(row_counts()) == before
    assert asyncio.run(verify()).ok


def test_init_with_legacy_links_every_current_commune(clean_db: str) -> None:
    done = thidua("province", "init", "tuyen quang", "--legacy")
    assert done.returncode == 0, done.stderr
    assert "Tỉnh Tuyên Quang (mã 08)" in done.stdout and ": 124" in done.stdout
    assert "thị trấn của Tỉnh Hà Giang, Tỉnh Tuyên Quang)" in done.stdout
    assert "liên kết tới đơn vị kế thừa:" in done.stdout


def test_an_unknown_province_is_refused_with_close_matches(clean_db: str) -> None:
    done = thidua("province", "init", "dak lac")
    assert done.returncode == 1
    assert "Không có tỉnh, thành phố nào ứng với «dak lac»" in done.stderr and "Đắk Lắk (66)" in done.stderr
