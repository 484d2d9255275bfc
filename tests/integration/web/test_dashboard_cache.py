"""The dashboard body is cached per unit, period and role; the header stays personal."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from loaded_province import PASSWORD, UNIT_A, World, api, client, world

from storage.cache import MISSING
from web import fragments

__all__ = ["api", "client", "world"]
pytestmark = pytest.mark.db


def open_dashboard(c: TestClient[Any], world: World, role: str) -> str:
    c.cookies.clear()
    answer = c.post("/dang-nhap", data={"username": world.username(role), "password": PASSWORD},
                    follow_redirects=False)
    assert answer.status_code in (301, 302, 303), answer.text
    page = c.get(f"/don-vi/{UNIT_A}")
    assert page.status_code == 200, page.text
    return page.text


def without_csrf(html: str) -> str:
    """Each login has its own CSRF token (in the logout form); the rest must not differ."""
    return re.sub(r'name="_csrf" value="[^"]*"', 'name="_csrf"', html)


def body(html: str) -> str:
    return html[html.index('<main id="noi-dung">'):html.index("</main>")]


def test_cached_body_equals_a_fresh_one_and_keeps_each_viewers_header(
    client: TestClient[Any], world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = open_dashboard(client, world, "unit_own")  # tests run with caches off
    monkeypatch.setattr(fragments.bodies, "ttl", 60)
    fragments.bodies.clear()
    first = open_dashboard(client, world, "unit_own")
    assert fragments.bodies.get(("dashboard", UNIT_A, None, "unit")) is not MISSING
    again = open_dashboard(client, world, "unit_own")
    same = without_csrf(first) == without_csrf(again) == without_csrf(fresh)
    assert same, "trang lấy từ bộ nhớ đệm phải giống hệt trang dựng mới"

    staff = open_dashboard(client, world, "admin")
    assert body(staff) != body(first), "cán bộ Sở phải thấy liên kết nhập số liệu cho đơn vị"
    assert "Người thử admin" in staff and "Người thử admin" not in first
    fragments.bodies.clear()
