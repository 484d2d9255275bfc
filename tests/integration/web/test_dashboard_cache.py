"""The dashboard body is cached per results version, unit, period and role; the header stays
personal; a new run shows on the next page."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
import loaded_province as province
from loaded_province import PASSWORD, UNIT_A, World, api, client, world

from scoring.services.runs import start_run
from storage.versions import RESULTS
from web import page_cache

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


def cached_dashboards() -> list[tuple[Any, ...]]:
    return [key for key in page_cache.pages._pages if key[0] == RESULTS and key[2] == "dashboard"]


def test_cached_body_equals_a_fresh_one_and_keeps_each_viewers_header(
    client: TestClient[Any], world: World
) -> None:
    page_cache.pages.clear()
    fresh = open_dashboard(client, world, "unit_own")
    assert [key[3:] for key in cached_dashboards()] == [(UNIT_A, None, "unit")]
    again = open_dashboard(client, world, "unit_own")
    assert len(cached_dashboards()) == 1, "lần mở thứ hai phải lấy trang từ bộ nhớ đệm"
    assert without_csrf(again) == without_csrf(fresh), "trang lấy từ bộ nhớ đệm phải giống hệt trang dựng mới"

    staff = open_dashboard(client, world, "admin")
    assert body(staff) != body(fresh), "cán bộ Sở phải thấy liên kết nhập số liệu cho đơn vị"
    assert "Người thử admin" in staff and "Người thử admin" not in fresh
    assert len(cached_dashboards()) == 2, "thân trang được giữ theo vai trò người xem"


def test_a_new_run_shows_on_the_next_dashboard(client: TestClient[Any], world: World) -> None:
    before = open_dashboard(client, world, "unit_own")
    run = province.run(start_run(world.period, province.LEVEL, "system"))
    after = open_dashboard(client, world, "unit_own")
    shown = f"Lần chấm điểm số {run['id']} lúc"
    assert shown not in before and shown in after, "trang của đơn vị phải theo lần chấm mới ngay"
    assert len({key[1] for key in cached_dashboards()}) == 2, "lần chấm mới phải đổi phiên bản kết quả"
