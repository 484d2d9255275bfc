"""Browser tests: the real server in a subprocess, driven by Debian's headless Chromium.

Once per session: the test database (``DATABASE_URL`` of the session, SQLite or PostgreSQL)
is migrated, emptied and loaded (:mod:`e2e_world`); ``uvicorn --factory server.app:create_app``
is started on a free port of 127.0.0.1 and stopped at the end. Once per module, Chromium is
launched from ``/usr/bin/chromium`` (never ``playwright install``) with a fresh profile.

Per test, ``site`` opens browser contexts whose every request is routed: only
``http://127.0.0.1:<port>/…`` goes through; anything else is aborted, recorded, and fails
the test at teardown. Every page a test visits must be checked with :meth:`Browse.check`
(see :mod:`e2e_checks`); teardown fails a test that left a visited page unchecked. When a
test fails, a screenshot of each of its pages goes to ``var/e2e-artifacts/<test>.png``;
with ``THIDUA_E2E_SHOTS=1``, every checked page is also saved under
``var/e2e-artifacts/pages/<test>/``.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from e2e_browse import ARTIFACTS, HOST, ROOT, Browse, free_port, wait_ready
from e2e_world import World, load_world

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[Any]:
    report = yield
    item.stash.setdefault(REPORTS, {})[report.when] = report
    return report


# --- the server ---------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def world(migrated_database: str) -> World:
    return asyncio.run(load_world())


@pytest.fixture(scope="session")
def base_url(world: World) -> Iterator[str]:
    """The real app (uvicorn, one worker) on the session's database, at ``http://127.0.0.1:<port>``."""
    port = free_port()
    env = {**os.environ, "THIDUA_DB_POOL": "1", "PYTHONUNBUFFERED": "1"}
    log = Path(tempfile.mkdtemp(prefix="thidua-e2e-")) / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "server.app:create_app", "--host", HOST,
             "--port", str(port), "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_ready(f"http://{HOST}:{port}/api/v1/health", server, log)
        yield f"http://{HOST}:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# --- the browser --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser(base_url: str) -> Iterator[Any]:
    """Chromium, once per test module. Playwright's sync API keeps an event loop running in
    this thread while it is open, so it is started after the data is loaded and stopped
    before the next module: the other tests' ``asyncio.run`` would fail beside it."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"Thiếu {CHROMIUM}: chạy scripts/setup.sh (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # A plain launch starts from a fresh temporary profile every time.
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def site(request: pytest.FixtureRequest, browser: Any, base_url: str) -> Iterator[Browse]:
    browse = Browse(browser, base_url)
    if os.environ.get("THIDUA_E2E_SHOTS") == "1":
        browse.shots = ARTIFACTS / "pages" / re.sub(r"[^\w.-]+", "_", request.node.name)
    try:
        yield browse
        reports = request.node.stash.get(REPORTS, {})
        if any(r.failed for r in reports.values()):
            name = re.sub(r"[^\w.-]+", "_", request.node.name)
            saved = browse.screenshots(name)
            sys.stderr.write("".join(f"\nảnh chụp màn hình: {p}" for p in saved))
        else:
            assert not browse.unchecked(), f"trang đã mở mà chưa kiểm tra: {browse.unchecked()}"
        assert not browse.foreign, f"trình duyệt đã gọi ra ngoài 127.0.0.1: {browse.foreign}"
    finally:
        browse.close()


@pytest.fixture
def page(site: Browse) -> Any:
    """A page in a fresh context: an anonymous visitor until it logs in."""
    return site.new_page()
