"""A new installation from an empty database: the first-run page sets up the province and the first
administrator in one step, refuses bad input without writing anything, and is gone afterwards."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient
from test_unit_pages import by_id, check_page, text

from accounts.tables import Account
from scoring.tables import Unit
from server.app import create_app
from storage.audit import verify

pytestmark = pytest.mark.db

DAK_LAK = "66"  # 102 communes and wards since 1 Jul 2025, and the 23 starter agencies
FORM = {"province": DAK_LAK, "username": "quantri.daklak", "full_name": "Nguyễn Thị Hoa",
        "password": "Mat-khau-rieng-2026", "password_again": "Mat-khau-rieng-2026"}


def counts() -> tuple[int, int]:
    async def both() -> tuple[int, int]:
        return int(await Account.count()), int(await Unit.count())
    return asyncio.run(both())


@pytest.fixture
def client(clean_db: str) -> Iterator[TestClient[Any]]:
    with TestClient(create_app()) as c:
        yield c


def test_the_first_run_sets_up_the_province_and_the_administrator_once(client: TestClient[Any]) -> None:
    assert 'href="/khoi-tao"' in client.get("/").text, "trang chủ chỉ đường tới trang khởi tạo"
    page = client.get("/khoi-tao")
    assert page.status_code == 200, page.text
    root = check_page(page.text)
    options = [o.get("value") for o in by_id(root, "province").iter("option") if o.get("value")]
    assert len(options) == 34 and DAK_LAK in options, "phải chọn được 34 tỉnh, thành phố"

    mismatch = client.post("/khoi-tao", data={**FORM, "password_again": "khac"})
    assert mismatch.status_code == 400 and "chưa khớp" in mismatch.text
    assert 'value="quantri.daklak"' in mismatch.text, "giữ lại những gì người dùng đã nhập"
    short = client.post("/khoi-tao", data={**FORM, "password": "ngan", "password_again": "ngan"})
    assert short.status_code == 400 and "ít nhất" in text(by_id(check_page(short.text), "loi-khoi-tao"))
    assert counts() == (0, 0), "bị từ chối thì không ghi gì, kể cả danh mục đơn vị"

    done = client.post("/khoi-tao", data=FORM)
    assert done.status_code == 200, done.text
    said = text(by_id(check_page(done.text), "da-khoi-tao"))
    assert "Tỉnh Đắk Lắk" in said and "102 xã, phường" in said and "quantri.daklak" in said
    accounts, units = counts()
    assert accounts == 1 and units == 1 + 23 + 102
    assert asyncio.run(verify()).ok, "nhật ký phải nguyên vẹn"

    assert client.get("/khoi-tao").status_code == 404, "sau khi có quản trị viên, trang khởi tạo không còn"
    assert 'href="/khoi-tao"' not in client.get("/").text
    again = client.post("/khoi-tao", data={**FORM, "username": "ke.gian"})
    assert again.status_code == 404 and counts() == (1, 126), "không ai tạo thêm được quản trị viên"

    login = client.post("/dang-nhap", data={"username": FORM["username"], "password": FORM["password"]},
                        follow_redirects=False)
    assert login.status_code in (302, 303), login.text
    assert client.get("/quan-tri").status_code == 200

    form = client.get("/quan-tri/ky/moi")
    assert 'value="mau:tuyen-quang-de-an-06-2025"' in form.text, "kế hoạch mẫu là điểm xuất phát"
    csrf = client.get("/api/v1/auth/me").json()["csrf_token"]
    opened = client.post("/quan-tri/ky/moi", follow_redirects=False, data={
        "_csrf": csrf, "nam": "2026", "phien_ban": "mau:tuyen-quang-de-an-06-2025",
        "mo": "02/01/2026 08:00", "dong": "15/12/2026 17:00", "han_nop": ""})
    assert opened.status_code == 303, opened.text
    periods = client.get("/api/v1/periods").json()
    assert [p["year"] for p in periods] == [2026] and "hai cấp" in periods[0]["plan_title"]
    assert "mau:tuyen-quang-de-an-06-2025" not in client.get("/quan-tri/ky/moi").text, "đã lưu thì thôi mời"


def test_a_registry_set_up_by_the_cli_only_needs_the_administrator(client: TestClient[Any]) -> None:
    from scoring.services.province_setup import init_province

    asyncio.run(init_province("Tuyên Quang", False, "cli"))
    units = counts()[1]
    page = client.get("/khoi-tao")
    assert "chỉ cần tạo tài khoản quản trị" in page.text and 'id="province"' not in page.text
    done = client.post("/khoi-tao", data={k: v for k, v in FORM.items() if k != "province"})
    assert done.status_code == 200, done.text
    assert counts() == (1, units), "danh mục giữ nguyên, chỉ thêm tài khoản quản trị"
