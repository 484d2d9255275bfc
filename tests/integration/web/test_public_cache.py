"""The public pages come from a cache keyed by what has been published: a run not yet published
never shows, a publication shows at once, a conditional GET is answered 304, and the page is
sent gzip-compressed to whoever accepts it.

The module's world is the API tests' loaded province: the 2023 commune run published, the 2024
one not (yet: one test publishes it).
"""

from __future__ import annotations

import asyncio
import gzip
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient
from markupsafe import Markup

from scoring.services.publish import publish_run
from storage.versions import read_version
from web import page_cache

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
import loaded_province as province
from loaded_province import PASSWORD, World, api, client, world

__all__ = ["api", "client", "world"]
pytestmark = pytest.mark.db
Client = TestClient[Any]


def anonymous(c: Client, path: str, **headers: str) -> httpx.Response:
    c.cookies.clear()
    return c.get(path, headers=headers)


def test_conditional_get_gzip_and_the_signed_in_header(client: Client, world: World) -> None:
    page_cache.pages.clear()
    first = anonymous(client, "/", **{"Accept-Encoding": "gzip"})
    assert first.status_code == 200 and first.headers["content-encoding"] == "gzip"
    assert f"Kết quả đã công bố năm {province.PUBLISHED_YEAR}" in first.text
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "no-cache" and "Accept-Encoding" in first.headers["vary"]

    plain = anonymous(client, "/", **{"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.headers["etag"] != etag, "mỗi dạng một ETag"
    assert anonymous(client, "/", **{"Accept-Encoding": "identity", "If-None-Match": etag}).status_code == 200
    assert plain.content == first.content, "trang nén và không nén phải là cùng một nội dung"
    assert len(gzip.compress(plain.content)) < len(plain.content) / 3

    again = anonymous(client, "/", **{"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    other = anonymous(client, "/", **{"If-None-Match": '"khac"'})
    assert other.status_code == 200 and other.content == plain.content

    login = client.post("/dang-nhap", data={"username": world.username("admin"), "password": PASSWORD},
                        follow_redirects=False)
    assert login.status_code in (302, 303)
    signed = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert signed.status_code == 200 and "etag" not in signed.headers
    assert signed.headers["cache-control"] == "private, no-cache"
    assert "Người thử admin" in signed.text and "Người thử admin" not in plain.text
    main = plain.text[plain.text.index('<main id="noi-dung">'):plain.text.index("</main>")]
    assert main in signed.text, "người đã đăng nhập thấy đúng bảng xếp hạng của khách"


def test_a_run_not_published_never_shows_and_a_publication_shows_at_once(
        client: Client, world: World) -> None:
    year = f"Kết quả đã công bố năm {province.OPEN_YEAR}"
    before = province.run(read_version())
    for path in ("/", f"/?ky={world.period}", f"/don-vi/{province.UNIT_A}/cong-khai"):
        for _ in range(2):  # built, then from the cache
            page = anonymous(client, path)
            assert page.status_code == 200 and year not in page.text, path
    unit_page = anonymous(client, f"/don-vi/{province.UNIT_A}/cong-khai").text
    assert str(province.OPEN_YEAR) not in unit_page[unit_page.index("<main"):]

    province.run(publish_run(world.run, "system"))
    assert province.run(read_version()) != before, "công bố phải đổi phiên bản trang công khai"
    assert year in anonymous(client, "/").text, "trang chủ phải hiện kết quả vừa công bố ngay"
    assert year in anonymous(client, f"/?ky={world.period}").text
    unit_page = anonymous(client, f"/don-vi/{province.UNIT_A}/cong-khai").text
    assert str(province.OPEN_YEAR) in unit_page[unit_page.index("<main"):]


def test_a_worker_that_answered_a_write_reads_the_version_again(client: Client, world: World,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from storage.versions import public_watch

    monkeypatch.setattr(public_watch, "bound", 3600.0)  # only an expiry makes it read again
    anonymous(client, "/")
    assert public_watch.read_at > float("-inf")
    client.post("/dang-nhap", data={"username": "khong-co", "password": "sai"})
    assert public_watch.read_at == float("-inf"), "sau một yêu cầu ghi, lần đọc sau phải hỏi lại phiên bản"


def test_the_cache_keeps_to_its_byte_bound() -> None:
    cache = page_cache.PageCache(limit=10_000)
    for n in range(50):
        cache.put(("trang", n), page_cache.finished({"content": Markup("x" * 1000)}, "1", float("inf")))
    assert 0 < cache.used <= 10_000 and cache.get(("trang", 0)) is None and cache.get(("trang", 49))


def test_searches_have_their_own_room(client: Client, world: World) -> None:
    page_cache.pages.clear()
    page_cache.searches.clear()
    anonymous(client, "/?tim=xa")
    assert page_cache.searches.used > 0 and page_cache.pages.used == 0
    anonymous(client, "/")
    assert page_cache.pages.used > 0
    used = page_cache.pages.used
    unknown = anonymous(client, "/?ky=987654")
    assert unknown.status_code == 404 and "Không có kỳ đánh giá số 987654" in unknown.text
    assert page_cache.pages.used == used, "một kỳ không có thật không được chiếm chỗ trong bộ nhớ đệm"


def test_a_page_that_changes_with_the_clock_is_built_again_after_its_moment(world: World) -> None:
    from datetime import UTC, datetime, timedelta

    from storage.versions import public_watch

    builds = []

    async def build() -> dict[str, Any]:
        builds.append(1)
        return {"unit": None, page_cache.VALID_UNTIL: datetime.now(UTC) + timedelta(seconds=0.5)}

    async def twice_then_later() -> None:
        for _ in range(2):
            await page_cache.cached(("thu",), public_watch, "methodology_index.html", build, None, True)
        assert len(builds) == 1
        await asyncio.sleep(0.6)
        await page_cache.cached(("thu",), public_watch, "methodology_index.html", build, None, True)

    province.run(twice_then_later())
    assert len(builds) == 2, "trang có mốc thời gian phải được dựng lại khi qua mốc"
