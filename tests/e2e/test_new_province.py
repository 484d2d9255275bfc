"""A Department of another province starts from an empty database with the web alone (Chromium).

Its own server on its own empty database (the shared e2e world stays untouched): the specialist
follows the home page to the first-run page, sets up Đắk Lắk and its first administrator, logs
in, edits one of the starter agencies, builds a commune cluster with its leader and deputy,
opens a period on a shipped plan offered as a starting point, types a plan of its own into the
editor and uploads another as an edited workbook (each previewed with its differences, saved,
and given a period), and creates the communes' accounts with the credential sheet. A commune
officer then logs in with a slip's one-time password and must change it before anything else.
Every page visited passes the page checks.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from e2e_browse import HOST, ROOT, Browse, free_port, wait_ready
from e2e_plans import open_period_on, type_a_plan, upload_a_workbook
from test_flows import click_and_wait, text_of

from storage.pg_server import on_server

pytestmark = [pytest.mark.db, pytest.mark.e2e]

PROVINCE = "Tỉnh Đắk Lắk"
ADMIN, ADMIN_PASSWORD = "quantri.daklak", "Dak-Lak-Thi-Dua-2026"
SLIP = re.compile(r"Tên đăng nhập\s+(\S+)\s+Mật khẩu dùng một lần\s+(\S+)")


def _fresh_database() -> tuple[str, Any]:
    """A new empty database of the session's engine, and how to drop it."""
    url = os.environ["DATABASE_URL"]
    if url.startswith("sqlite"):
        return f"sqlite:///{tempfile.mkdtemp(prefix='thidua-e2e-new-')}/new.sqlite", lambda: None
    server, name = url.rsplit("/", 1)[0], f"thidua_e2e_new_{uuid.uuid4().hex[:8]}"
    on_server(server, f'CREATE DATABASE "{name}"')
    return f"{server}/{name}", lambda: on_server(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def empty_site_url() -> Iterator[str]:
    url, drop = _fresh_database()
    env = {**os.environ, "DATABASE_URL": url, "THIDUA_DB_POOL": "0", "PYTHONUNBUFFERED": "1"}
    migrated = subprocess.run([sys.executable, "-m", "api.cli", "db", "migrate"], cwd=ROOT, env=env,
                              capture_output=True, text=True, check=False)
    assert migrated.returncode == 0, migrated.stderr
    port = free_port()
    log = Path(tempfile.mkdtemp(prefix="thidua-e2e-new-")) / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "server.app:create_app", "--host", HOST,
             "--port", str(port), "--log-level", "warning"], cwd=ROOT, env=env, stdout=out,
            stderr=subprocess.STDOUT)
    try:
        wait_ready(f"http://{HOST}:{port}/api/v1/health", server, log)
        yield f"http://{HOST}:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)
        drop()


@pytest.fixture
def fresh(browser: Any, empty_site_url: str) -> Iterator[Browse]:
    browse = Browse(browser, empty_site_url)
    try:
        yield browse
        assert not browse.unchecked(), f"trang đã mở mà chưa kiểm tra: {browse.unchecked()}"
        assert not browse.foreign, f"trình duyệt đã gọi ra ngoài 127.0.0.1: {browse.foreign}"
    finally:
        browse.close()


def first_run(site: Browse, page: Any) -> None:
    page.goto("/")
    site.check(page)
    click_and_wait(page, page.locator("#can-khoi-tao a"))
    site.check(page)
    page.get_by_label("Tỉnh, thành phố").select_option(label=PROVINCE)
    page.get_by_label("Tên đăng nhập của quản trị viên").fill(ADMIN)
    page.get_by_label("Họ và tên").fill("Nguyễn Thị Hoa")
    page.get_by_label("Mật khẩu", exact=True).fill(ADMIN_PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill(ADMIN_PASSWORD)
    click_and_wait(page, page.get_by_role("button", name="Khởi tạo"))
    site.check(page)
    done = text_of(page.locator("#da-khoi-tao"))
    assert PROVINCE in done and "102 xã, phường" in done and ADMIN in done, done


def log_in(site: Browse, page: Any, username: str, password: str) -> None:
    page.goto("/dang-nhap")
    site.check(page)
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    click_and_wait(page, page.get_by_role("button", name="Đăng nhập"))
    site.check(page)


def edit_an_agency(site: Browse, page: Any) -> None:
    """Find the Department itself without diacritics and give it the province's name."""
    page.goto("/quan-tri/don-vi")
    site.check(page)
    page.get_by_label("Tìm theo tên hoặc mã").fill("so noi vu")
    click_and_wait(page, page.get_by_role("button", name="Xem"))
    site.check(page)
    click_and_wait(page, page.get_by_role("link", name="Sở Nội vụ", exact=True))
    site.check(page)
    page.get_by_label("Tên đơn vị").fill("Sở Nội vụ tỉnh Đắk Lắk")
    click_and_wait(page, page.get_by_role("button", name="Lưu thay đổi"))
    site.check(page)
    assert "Sở Nội vụ tỉnh Đắk Lắk" in text_of(page.locator("h1")), text_of(page.locator("h1"))


def build_a_cluster(site: Browse, page: Any) -> None:
    """A cluster of three communes, the first its leader (cụm trưởng), the second its deputy."""
    communes = page.context.request.get("/api/v1/units?level=commune").json()
    members = [u["code"] for u in communes[:3]]
    page.goto("/quan-tri/cum-thi-dua")
    site.check(page)
    page.get_by_label("Mã khối/cụm").fill("cum.xa.1")
    page.get_by_label("Tên khối/cụm").fill("Cụm thi đua số 1 các xã, phường")
    page.get_by_label("Cấp").select_option(value="commune")
    click_and_wait(page, page.get_by_role("button", name="Thêm khối/cụm"))
    site.check(page)
    page.get_by_label("Mã các đơn vị thành viên").fill("\n".join(members))
    click_and_wait(page, page.get_by_role("button", name="Lưu thành viên"))
    site.check(page)
    page.get_by_label("Cụm trưởng", exact=True).select_option(value=members[0])
    page.get_by_label("Cụm phó", exact=True).select_option(value=members[1])
    click_and_wait(page, page.get_by_role("button", name="Lưu cụm trưởng, cụm phó"))
    site.check(page)
    cluster = page.context.request.get("/api/v1/units?level=commune").json()
    assert {u["code"] for u in cluster if u.get("cluster") == "cum.xa.1"} == set(members)
    shown = page.content()
    assert communes[0]["name"] in shown and communes[1]["name"] in shown


def credential_slips(site: Browse, page: Any, level: str) -> list[tuple[str, str]]:
    """Create the level's unit accounts; (username, one-time password) read from the PDF.
    One argon2 hash per account: a hundred accounts take tens of seconds on a small machine."""
    page.goto("/quan-tri/tai-khoan")
    site.check(page)
    page.get_by_label("Cấp đơn vị").select_option(value=level)
    page.set_default_timeout(180_000)
    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile("Tạo tài khoản và tải phiếu")).click()
    page.set_default_timeout(10_000)
    sheet = site.last_document(page)  # a download, not a page: checked here as a PDF
    assert sheet.headers["content-type"].startswith("application/pdf"), sheet.headers
    site.checked.add(id(sheet))
    path = download.value.path()
    assert shutil.which("pdftotext"), "thiếu pdftotext (poppler-utils)"
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return SLIP.findall(text)


def open_period(site: Browse, page: Any) -> None:
    page.goto("/quan-tri/ky/moi")
    site.check(page)
    page.get_by_label("Năm").fill("2026")
    page.get_by_label("Phiên bản kế hoạch").select_option(value="mau:tuyen-quang-de-an-06-2025")
    page.get_by_label("Mở nhập số liệu").fill("02/01/2026 08:00")
    page.get_by_label("Đóng nhập số liệu").fill("15/12/2026 17:00")
    click_and_wait(page, page.get_by_role("button", name="Mở kỳ đánh giá"))
    site.check(page)
    assert "/quan-tri/ky/" in page.url and "2026" in page.content()


def test_a_department_sets_up_its_province_with_the_web_alone(fresh: Browse) -> None:
    staff = fresh.new_page()
    first_run(fresh, staff)
    staff.goto("/khoi-tao")
    fresh.check(staff, 404)
    log_in(fresh, staff, ADMIN, ADMIN_PASSWORD)
    edit_an_agency(fresh, staff)
    build_a_cluster(fresh, staff)
    open_period(fresh, staff)
    with tempfile.TemporaryDirectory(prefix="thidua-e2e-plan-") as folder:
        typed = type_a_plan(fresh, staff)
        uploaded = upload_a_workbook(fresh, staff, typed, Path(folder))
    assert uploaded != typed
    for version in (typed, uploaded):
        open_period_on(fresh, staff, version, 2026)
    slips = credential_slips(fresh, staff, "commune")
    assert len(slips) == 102, f"mỗi xã, phường một phiếu: {len(slips)}"

    officer = fresh.new_page()
    username, one_time = slips[0]
    log_in(fresh, officer, username, one_time)
    assert officer.url.endswith("/doi-mat-khau"), officer.url
    officer.goto("/")
    fresh.check(officer)
    assert officer.url.endswith("/doi-mat-khau"), "phải đổi mật khẩu trước khi làm việc khác"
    officer.get_by_label("Mật khẩu hiện tại").fill(one_time)
    officer.get_by_label("Mật khẩu mới", exact=True).fill("Xa-phuong-rieng-2026")
    officer.get_by_label("Nhập lại mật khẩu mới").fill("Xa-phuong-rieng-2026")
    click_and_wait(officer, officer.get_by_role("button", name=re.compile("Đổi mật khẩu")))
    fresh.check(officer)
    assert not officer.url.endswith("/doi-mat-khau"), officer.url
