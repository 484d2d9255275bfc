"""Every kind of response carries the security headers — a page, JSON, a PDF, a spreadsheet, a
static file, the API viewer, a 404 and a 500 — cookies are Secure over HTTPS, and no page nor the
API viewer loads anything from another host."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from litestar import get
from litestar.response import Response
from litestar.testing import TestClient

from http_layer.downloads import file_download
from http_layer.security import CSP
from server.app import create_app

pytestmark = pytest.mark.db

EXPECTED = {
    "content-security-policy": CSP,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}


@get("/kiem-thu/ho-so.pdf")
async def a_pdf() -> Response[bytes]:
    return file_download(b"%PDF-1.4\n%%EOF\n", "ho-so.pdf", "0" * 64)


@get("/kiem-thu/loi")
async def a_crash() -> None:
    raise RuntimeError("lỗi cố ý trong bài kiểm tra")


@pytest.fixture
def client(migrated_database: str) -> Iterator[TestClient[Any]]:
    with TestClient(app=create_app([a_pdf, a_crash]), raise_server_exceptions=False) as c:
        yield c


@pytest.mark.parametrize(("url", "status", "kind"), [
    ("/phuong-phap", 200, "text/html"),
    ("/dang-nhap", 200, "text/html"),
    ("/api/v1/health", 200, "application/json"),
    ("/api/v1/plans", 200, "application/json"),
    ("/kiem-thu/ho-so.pdf", 200, "application/pdf"),
    ("/static/app.css", 200, "text/css"),
    ("/static/swagger-ui/swagger-ui-bundle.js", 200, "javascript"),
    ("/schema", 200, "text/html"),
    ("/schema/openapi.json", 200, "openapi+json"),
    ("/khong-co-trang-nay", 404, "text/html"),
    ("/api/v1/khong-co", 404, "application/json"),
    ("/kiem-thu/loi", 500, ""),
])
def test_every_kind_of_response_carries_the_headers(client: TestClient[Any], url: str, status: int,
                                                    kind: str) -> None:
    answer = client.get(url)
    assert answer.status_code == status, answer.text[:300]
    assert kind in answer.headers.get("content-type", "")
    for name, value in EXPECTED.items():
        assert answer.headers.get(name) == value, f"{url}: thiếu {name}"
    assert "camera=()" in answer.headers["permissions-policy"]
    assert "strict-transport-security" not in answer.headers, "HSTS chỉ gửi qua HTTPS"
    assert "'unsafe-inline'" not in CSP.split("script-src")[1].split(";")[0]


def test_over_https_cookies_are_secure_and_hsts_is_sent(migrated_database: str) -> None:
    with TestClient(app=create_app(), base_url="https://thidua.example") as secure:
        answer = secure.post("/api/v1/auth/login", json={"username": "khong.ai", "password": "sai"})
        assert answer.headers["strict-transport-security"].startswith("max-age=")
        page = secure.get("/dang-nhap")
        cookies = page.headers.get_list("set-cookie")
        assert all("Secure" in c for c in cookies)


def test_no_page_nor_the_api_viewer_loads_from_another_host(client: TestClient[Any]) -> None:
    for url in ("/", "/phuong-phap", "/dang-nhap", "/schema", "/khong-co-trang-nay"):
        text = client.get(url).text
        loaded = re.findall(r'<(?:script|img|iframe|link)[^>]+(?:src|href)="([^"]+)"', text)
        foreign = [u for u in loaded if re.match(r"^(https?:)?//", u)]
        assert not foreign, f"{url} tải tài nguyên từ máy khác: {foreign}"
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", text), f"{url} có mã JavaScript nội tuyến"


@pytest.mark.parametrize("url", ["/phuong-phap", "/static/app.css", "/schema/openapi.json"])
def test_text_answers_are_gzip_compressed_when_the_client_accepts_it(client: TestClient[Any],
                                                                     url: str) -> None:
    packed = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert packed.headers.get("content-encoding") == "gzip"
    assert int(packed.headers.get("content-length") or len(packed.content)) < len(packed.content)
    assert packed.headers["x-content-type-options"] == "nosniff", "nén không làm mất các header"
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == packed.content
