"""Browser steps of a Department writing its own plans: one typed into the editor (a copy of the
stored shipped plan), one uploaded as an edited workbook; each previewed with its differences,
saved, then a period opened on it."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import openpyxl
from e2e_browse import Browse
from test_flows import click_and_wait, text_of

SAVED = re.compile(r"Đã lưu phiên bản kế hoạch số (\d+)")


def _saved_version(page: Any) -> int:
    found = SAVED.search(text_of(page.locator("#da-luu")))
    assert found, page.content()[:2000]
    return int(found[1])


def type_a_plan(site: Browse, page: Any) -> int:
    """Copy the stored plan in the editor, rename it, see a mistake flagged as one types, fix
    it, preview the differences and save; returns the new version's number."""
    page.goto("/quan-tri/ke-hoach")
    site.check(page)
    click_and_wait(page, page.get_by_role("link", name="Sửa trên bản sao").first)
    site.check(page)
    page.get_by_label("Mã kế hoạch").fill("dak-lak-de-an-06-2026")
    page.get_by_label("Phiên bản", exact=True).fill("2026.1")
    page.get_by_label("Tên phong trào").fill("Phong trào thi đua thực hiện Đề án 06 tỉnh Đắk Lắk năm 2026")
    points = page.locator("#criteria-0-max_points")
    before = points.input_value()
    points.fill("mười")  # a mistake: said beside the field while typing, before any submit
    page.locator("#loi-criteria-0-max_points").filter(has_text="không phải là số").wait_for()
    points.fill(before)
    page.locator("#loi-criteria-0-max_points").filter(has_text=re.compile(r"^$")).wait_for(state="attached")
    click_and_wait(page, page.get_by_role("button", name="Kiểm tra, xem trước"))
    site.check(page)
    shown = page.content()
    assert "Kế hoạch hợp lệ" in shown and "Điểm khác so với phiên bản trước" in shown
    assert "dak-lak-de-an-06-2026" in shown
    click_and_wait(page, page.get_by_role("button", name="Lưu phiên bản này"))
    site.check(page)
    return _saved_version(page)


def upload_a_workbook(site: Browse, page: Any, version: int, folder: Path) -> int:
    """Download a version as a workbook, change it as a specialist would (a version number, a
    target), upload it, preview the differences and save; returns the new version's number."""
    answer = page.context.request.get(f"/quan-tri/ke-hoach/{version}/bang-tinh.xlsx")
    assert answer.ok, answer.status
    book = openpyxl.load_workbook(io.BytesIO(answer.body()))
    book["Kế hoạch"]["B3"] = "2026.2"
    sheet = next(book[name] for name in book.sheetnames if name.startswith("Tiêu chí commune"))
    sheet["I5"] = 75
    path = folder / "ke-hoach-dak-lak-2026.xlsx"
    book.save(path)
    page.goto("/quan-tri/ke-hoach")
    site.check(page)
    page.get_by_label("Tệp kế hoạch (.xlsx hoặc .toml)").set_input_files(str(path))
    click_and_wait(page, page.get_by_role("button", name="Kiểm tra và xem trước"))
    site.check(page)
    shown = page.content()
    assert "Kế hoạch hợp lệ" in shown and "2026.2" in shown
    assert "Thay đổi:" in shown, "điểm khác so với phiên bản trước được liệt kê"
    click_and_wait(page, page.get_by_role("button", name="Lưu phiên bản này"))
    site.check(page)
    return _saved_version(page)


def open_period_on(site: Browse, page: Any, version: int, year: int) -> None:
    page.goto("/quan-tri/ky/moi")
    site.check(page)
    page.get_by_label("Năm").fill(str(year))
    page.get_by_label("Phiên bản kế hoạch").select_option(value=str(version))
    page.get_by_label("Mở nhập số liệu").fill(f"02/01/{year} 08:00")
    page.get_by_label("Đóng nhập số liệu").fill(f"15/12/{year} 17:00")
    click_and_wait(page, page.get_by_role("button", name="Mở kỳ đánh giá"))
    site.check(page)
    assert "/quan-tri/ky/" in page.url and str(year) in page.content(), page.content()[:2000]
