"""The browser tests' plumbing: a free port, waiting for a server, and :class:`Browse` (routing,
visited pages, their checks, screenshots), shared by conftest.py and tests with a server of their own."""

from __future__ import annotations

import contextlib
import re
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

from e2e_checks import check_page

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "var" / "e2e-artifacts"
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def wait_ready(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 30) -> None:
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

    def new_page(self, width: int = 1280, height: int = 900) -> Any:
        """A page in a new context (its own cookies: a new visitor); a phone with ``width=390``."""
        context = self.browser.new_context(base_url=self.base_url, locale="vi-VN",
                                           timezone_id="Asia/Ho_Chi_Minh",
                                           viewport={"width": width, "height": height},
                                           is_mobile=width < 600, has_touch=width < 600)
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
