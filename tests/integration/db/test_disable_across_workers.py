"""Disabling an account stops its session and API token at once on every worker: a real server
with two worker processes, the account disabled from another process (the CLI), the very next
requests refused whichever worker answers."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from accounts.service import create_account

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "e2e"))
from e2e_browse import HOST, free_port, wait_ready
from test_cli_db import thidua

pytestmark = pytest.mark.db

ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "mat-khau-rat-dai-2025"
TRIES = 12  # enough requests that both workers answer some


@pytest.fixture
def server(clean_db: str, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "server.app:create_app", "--host", HOST,
             "--port", str(port), "--workers", "2", "--log-level", "warning"],
            cwd=ROOT, env={**os.environ, "THIDUA_CACHE_SECONDS": "60"}, stdout=out,
            stderr=subprocess.STDOUT)
    base = f"http://{HOST}:{port}"
    try:
        wait_ready(base + "/api/v1/health", process, log)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


async def test_a_disabled_account_is_refused_at_once_by_every_worker(server: str) -> None:
    await create_account("canbo.xa", "Trần Thị Bình", PASSWORD, "admin")
    async with httpx.AsyncClient(base_url=server, timeout=10) as browser:
        login = await browser.post("/api/v1/auth/login",
                                   json={"username": "canbo.xa", "password": PASSWORD})
        assert login.status_code == 200, login.text
        made = await browser.post("/api/v1/auth/tokens", json={"name": "kịch bản"},
                                  headers={"X-CSRF-Token": login.json()["csrf_token"]})
        assert made.status_code in (200, 201), made.text
        bearer = {"Authorization": f"Bearer {made.json()['token']}"}
        async with httpx.AsyncClient(base_url=server, timeout=10) as script:
            for _ in range(TRIES):  # both workers have now seen both
                assert (await browser.get("/api/v1/auth/me")).status_code == 200
                assert (await script.get("/api/v1/auth/me", headers=bearer)).status_code == 200

            disabled = thidua("user", "disable", "canbo.xa")
            assert disabled.returncode == 0, disabled.stderr

            for _ in range(TRIES):
                assert (await browser.get("/api/v1/auth/me")).status_code == 401
                assert (await script.get("/api/v1/auth/me", headers=bearer)).status_code == 401
            page = await browser.get("/quan-tri", follow_redirects=False)
            assert page.status_code == 302 and page.headers["location"].startswith("/dang-nhap")
