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
import contextlib
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from e2e_checks import check_page
from e2e_world import World, load_world

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "var" / "e2e-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
HOST = "127.0.0.1"
REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[Any]:
    report = yield
    item.stash.setdefault(REPORTS, {})[report.when] = report
    return report


# --- the server ---------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"máy chủ đã dừng (mã {process.returncode}):\n"
                               f"{log.read_text(errors='replace')}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as answer:
            if answer.status == 200:
                return
        if time.monotonic() > deadline:
            raise RuntimeError(f"máy chủ chưa sẵn sàng sau {timeout:.0f} s:\n"
                               f"{log.read_text(errors='replace')}")
        time.sleep(0.1)


@pytest.fixture(scope="session")
def world(migrated_database: str) -> World:
    return asyncio.run(load_world())


@pytest.fixture(scope="session")
def base_url(world: World) -> Iterator[str]:
    """The real app (uvicorn, one worker) on the session's database, at ``http://127.0.0.1:<port>``."""
    port = _free_port()
    env = {**os.environ, "THIDUA_DB_POOL": "1", "PYTHONUNBUFFERED": "1"}
    log = Path(tempfile.mkdtemp(prefix="thidua-e2e-")) / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "server.app:create_app", "--host", HOST,
             "--port", str(port), "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_ready(f"http://{HOST}:{port}/api/v1/health", server, log)
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


class Browse:
    """The browser contexts of one test: routing, visited pages, their checks, screenshots."""

    def __init__(self, browser: Any, base_url: str) -> None:
        self.browser, self.base_url = browser, base_url
        self.allowed = re.compile(rf"^{re.escape(base_url)}(/|$)")
        self.foreign: list[str] = []  # requests to anywhere but the test server
        self.contexts: list[Any] = []
        self.pages: list[Any] = []
        self.documents: dict[Any, list[Any]] = {}  # page → its main-frame document responses
        self.checked: set[int] = set()
        self.shots: Path | None = None

    def new_page(self) -> Any:
        """A page in a new context (its own cookies: a new visitor)."""
        context = self.browser.new_context(base_url=self.base_url, locale="vi-VN",
                                           timezone_id="Asia/Ho_Chi_Minh",
                                           viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        context.route("**/*", self._route)
        context.on("request", self._saw_request)
        page = context.new_page()
        self.documents[page] = []
        page.on("response", lambda response: self._saw_response(page, response))
        self.contexts.append(context)
        self.pages.append(page)
        return page

    def _route(self, route: Any) -> None:
        if self.allowed.match(route.request.url):
            route.continue_()
        else:
            self.foreign.append(route.request.url)
            route.abort()

    def _saw_request(self, request: Any) -> None:
        url = request.url
        if not self.allowed.match(url) and not url.startswith(("data:", "blob:", "about:")) \
                and url not in self.foreign:
            self.foreign.append(url)

    def _saw_response(self, page: Any, response: Any) -> None:
        if response.request.resource_type == "document" and response.frame == page.main_frame \
                and not 300 <= response.status < 400:
            self.documents[page].append(response)

    def last_document(self, page: Any) -> Any:
        documents = self.documents[page]
        assert documents, "chưa mở trang nào"
        return documents[-1]

    def check(self, page: Any, status: int = 200) -> str:
        """Check the page now shown (see :func:`e2e_checks.check_page`); returns its HTML as sent."""
        page.wait_for_load_state("load")
        response = self.last_document(page)
        assert response.url == page.url, f"trang đang hiện {page.url}, tài liệu cuối {response.url}"
        assert response.status == status, f"{page.url}: mã {response.status}, cần {status}"
        html: str = response.text()
        check_page(page, html)
        self.checked.add(id(response))
        if self.shots is not None:  # THIDUA_E2E_SHOTS=1: every page checked, for a person to look at
            self.shots.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(self.shots / f"{len(self.checked):02d}-{status}.png"), full_page=True)
        return html

    def unchecked(self) -> list[str]:
        return [f"{r.request.method} {r.url}" for docs in self.documents.values() for r in docs
                if id(r) not in self.checked]

    def screenshots(self, name: str) -> list[Path]:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        saved = []
        for n, page in enumerate(self.pages):
            path = ARTIFACTS / (f"{name}.png" if n == 0 else f"{name}-{n + 1}.png")
            with contextlib.suppress(Exception):
                page.screenshot(path=str(path), full_page=True)
                saved.append(path)
        return saved

    def close(self) -> None:
        for context in self.contexts:
            with contextlib.suppress(Exception):
                context.close()


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
