"""People get error pages in Vietnamese that say what to do next; API paths keep JSON."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import get
from litestar.testing import TestClient

from server.app import create_app

pytestmark = pytest.mark.db


@get("/thu-loi", include_in_schema=False)
async def broken_page() -> str:
    raise RuntimeError("lỗi thử")


@get("/api/v1/thu-loi", include_in_schema=False)
async def broken_api() -> dict[str, Any]:
    raise RuntimeError("lỗi thử")


@pytest.fixture
def client(migrated_database: str) -> Any:
    with TestClient(create_app(extra_route_handlers=[broken_page, broken_api])) as c:
        yield c


def test_unknown_page_is_a_vietnamese_404_page_with_a_way_back(client: TestClient[Any]) -> None:
    answer = client.get("/khong-co-trang-nay")
    assert answer.status_code == 404 and answer.headers["content-type"].startswith("text/html")
    assert "Không tìm thấy trang" in answer.text and 'href="/"' in answer.text
    assert "Hãy quay về trang chủ" in answer.text


def test_a_crash_is_a_500_page_telling_what_to_do(client: TestClient[Any]) -> None:
    answer = client.get("/thu-loi")
    assert answer.status_code == 500 and answer.headers["content-type"].startswith("text/html")
    assert "Đã có lỗi trong hệ thống" in answer.text and "báo cho quản trị viên" in answer.text
    assert "RuntimeError" not in answer.text and "lỗi thử" not in answer.text


def test_api_paths_keep_answering_json(client: TestClient[Any]) -> None:
    missing = client.get("/api/v1/khong-co")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    crashed = client.get("/api/v1/thu-loi")
    assert crashed.status_code == 500 and crashed.json()["error"]["code"] == "internal_error"


def test_a_page_that_needs_login_sends_to_the_login_form(client: TestClient[Any]) -> None:
    answer = client.get("/quan-tri", follow_redirects=False)
    assert answer.status_code in (302, 303) and answer.headers["location"].startswith("/dang-nhap")
