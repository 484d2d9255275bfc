"""What people do in the browser, end to end, on the real server (see ``conftest.py``).

1. A commune officer logs in with its demo account, reads its own score page (every number
   equal to the API's breakdown of the same run), is refused another commune's page, enters
   a bad value and sees the message next to the field (a good one beside it is saved), and
   logs out.
2. The administrator imports a file with one bad row (the error table names its row and
   column), imports the fixed file, scores the level, publishes; an anonymous visitor then
   finds the published ranking, with that unit, on the home page and the unit's public page.

Every page visited passes :func:`e2e_checks.check_page` (Vietnamese text, no mojibake,
strict HTML, one h1, labelled controls); ``site`` fails a test that skipped the check.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from e2e_world import IMPORT_LEVEL, IMPORT_YEAR, LEVEL, Account, World

from presentation.words import CRITERION_STATUS
from web.templating import vn_number

pytestmark = [pytest.mark.db, pytest.mark.e2e]


def click_and_wait(page: Any, target: Any) -> None:
    """Click something that loads a new page (a link or a form's button) and wait for it."""
    with page.expect_navigation():
        target.click()


def log_in(site: Any, page: Any, account: Account, lands_on: str) -> None:
    page.goto("/dang-nhap")
    site.check(page)
    page.get_by_label("Tên đăng nhập").fill(account.username)
    page.get_by_label("Mật khẩu").fill(account.password)
    click_and_wait(page, page.get_by_role("button", name="Đăng nhập"))
    assert page.url.endswith(lands_on), page.url
    site.check(page)


def text_of(locator: Any) -> str:
    return " ".join(locator.inner_text().split())


def value_text(value: Any, unit: str) -> str:
    """A criterion's value as the score page writes it."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return f"{vn_number(value)} {unit}" if unit.strip() else vn_number(value)


# --- 1. a commune officer ------------------------------------------------------------------------

def test_commune_officer_reads_own_scores_is_refused_elsewhere_and_enters_data(site: Any, page: Any,
                                                                               world: World) -> None:
    log_in(site, page, world.officer, f"/don-vi/{world.unit}")
    unit_name = world.registry.unit(world.unit).name
    assert unit_name in text_of(page.get_by_role("heading", level=1))

    answer = page.context.request.get(f"/api/v1/runs/{world.run}/units/{world.unit}")  # same cookie
    assert answer.ok, answer.text()
    record = answer.json()
    assert text_of(page.locator("#tong-diem")) == vn_number(record["total"])
    assert text_of(page.locator("#ty-le")) == f"{vn_number(record['percent'])} %"
    assert text_of(page.locator("#xep-loai")) == record["band_name"]
    assert text_of(page.locator("#hang-cum")) == f"{record['rank_in_cluster']}/{record['cluster_size']}"
    assert text_of(page.locator("#hang-chung")).startswith(f"{record['rank_overall']}/")
    table = page.get_by_role("table", name=re.compile("^Điểm từng tiêu chí"))
    assert record["criteria"], "the breakdown has no criterion"
    for c in record["criteria"]:
        row = table.locator(f"[id='tc-{c['id']}']")
        assert c["name"] in text_of(row.get_by_role("rowheader"))
        cells = [text_of(cell) for cell in row.get_by_role("cell").all()]
        assert cells[0] == value_text(c["value"], c["unit"]), c["id"]
        assert cells[2] == f"{vn_number(c['points'])} / {vn_number(c['max_points'])}", c["id"]
        assert cells[4].startswith(CRITERION_STATUS[c["status"]]), c["id"]

    # Another commune of the same cluster: refused, with a page that says so in Vietnamese.
    page.goto(f"/don-vi/{world.other_unit}")
    site.check(page, 403)
    assert text_of(page.get_by_role("heading", level=1)) == "Không có quyền truy cập"
    assert world.registry.unit(world.other_unit).name not in page.inner_text("main")

    # Data entry: a percentage above 100 is refused next to its field, the text typed stays,
    # and a good value sent in the same form is saved.
    click_and_wait(page, page.get_by_role("link", name="Nhập số liệu"))
    assert page.url.endswith("/nhap-lieu")
    site.check(page)
    bad, good = [i for i in world.plan.indicators_of(LEVEL) if i.kind == "percent"][:2]
    field = page.get_by_role("group", name=bad.name).get_by_label("Giá trị tự đánh giá")
    assert field.get_attribute("id") == f"v-{bad.id}"
    field.fill("150")
    page.get_by_role("group", name=good.name).get_by_label("Giá trị tự đánh giá").fill("77,5")
    click_and_wait(page, page.get_by_role("button", name="Lưu số liệu"))
    site.check(page, 400)
    field = page.locator(f"[id='v-{bad.id}']")
    error = page.locator(f"span.field-error[id='err-{bad.id}']")
    assert error.is_visible()
    assert "Giá trị chưa hợp lệ" in error.inner_text() and "100" in error.inner_text()
    assert f"err-{bad.id}" in (field.get_attribute("aria-describedby") or "").split()
    assert field.get_attribute("aria-invalid") == "true"
    assert field.input_value() == "150"
    next_to = field.evaluate("el => el.nextElementSibling && el.nextElementSibling.id")
    assert next_to == f"err-{bad.id}", f"the message is not beside the field: {next_to}"
    assert page.locator(f"[id='ok-{good.id}']").is_visible()
    stored = page.context.request.get(f"/api/v1/periods/{world.open_period}/values?unit={world.unit}")
    assert stored.ok, stored.text()
    mine = {v["indicator"]: v["self_value"] for v in stored.json()}
    assert mine.get(good.id) == 77.5
    assert mine.get(bad.id) != 150, "the refused value was stored"

    click_and_wait(page, page.get_by_role("button", name="Đăng xuất"))
    assert urlsplit(page.url).path == "/", page.url
    site.check(page)
    assert page.get_by_role("link", name="Đăng nhập").is_visible()


# --- 2. the administrator ------------------------------------------------------------------------

def district_files(world: World, folder: Path) -> tuple[Path, Path, int, str]:
    """(bad file, fixed file, the bad line's number, its unit): the demo district values of 2023,
    with one percentage set to 150 in the bad copy."""
    (folder / "fixed").mkdir()
    good = world.write_csv(world.level_values(IMPORT_LEVEL, IMPORT_YEAR), IMPORT_YEAR,
                           folder / "fixed" / "cap-huyen-2023.csv")
    with good.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    kinds = {i.id: i.kind for i in world.plan.indicators}
    index = next(n for n, r in enumerate(rows) if n > 0 and kinds.get(r[1]) == "percent")
    rows[index][3] = "150"
    bad = folder / "cap-huyen-2023.csv"
    with bad.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(rows)
    return bad, good, index + 1, rows[index][0]


def test_admin_imports_scores_and_publishes_then_the_public_sees_it(site: Any, page: Any, world: World,
                                                                    tmp_path: Path) -> None:
    bad, good, bad_line, unit_code = district_files(world, tmp_path)
    unit_name = world.registry.unit(unit_code).name
    log_in(site, page, world.admin, "/quan-tri")

    admin_menu = page.get_by_role("navigation", name="Các chức năng quản trị")
    click_and_wait(page, admin_menu.get_by_role("link", name="Nhập số liệu từ tệp"))
    site.check(page)
    page.get_by_label("Kỳ đánh giá").select_option(label=f"Năm {IMPORT_YEAR}")
    page.get_by_label(re.compile("^Tệp số liệu")).set_input_files(bad)
    click_and_wait(page, page.get_by_role("button", name="Kiểm tra (chưa lưu)"))
    site.check(page, 400)
    errors = page.get_by_role("table", name=re.compile("^Danh sách lỗi"))
    assert [text_of(h) for h in errors.get_by_role("columnheader").all()] == ["Tệp", "Dòng", "Cột", "Lý do"]
    rows = [[text_of(c) for c in r.get_by_role("cell").all()] for r in errors.locator("tbody tr").all()]
    assert len(rows) == 1, rows
    file, line, column, reason = rows[0]
    assert (file, line) == (bad.name, str(bad_line)), rows
    assert column in ("gia_tri", "D (gia_tri)"), rows  # the header, with its spreadsheet letter
    assert "150" in reason, rows

    page.get_by_label("Kỳ đánh giá").select_option(label=f"Năm {IMPORT_YEAR}")
    page.get_by_label(re.compile("^Tệp số liệu")).set_input_files(good)
    click_and_wait(page, page.get_by_role("button", name="Nhập số liệu", exact=True))
    site.check(page)
    done = page.get_by_role("status")
    assert "Đã nhập số liệu" in text_of(done)
    assert not page.get_by_role("table", name=re.compile("^Danh sách lỗi")).count()

    click_and_wait(page, admin_menu.get_by_role("link", name="Chấm điểm, công bố"))
    site.check(page)
    page.get_by_label("Kỳ đánh giá").select_option(label=f"Năm {IMPORT_YEAR}")
    level_name = world.plan.level(IMPORT_LEVEL).name
    page.get_by_label("Cấp", exact=True).select_option(label=level_name)
    click_and_wait(page, page.get_by_role("button", name="Chấm điểm", exact=True))
    assert re.search(r"/quan-tri/luot-cham/\d+$", page.url), page.url
    site.check(page)
    assert f"{level_name}, năm {IMPORT_YEAR}" in text_of(page.get_by_role("heading", level=1))
    results = page.get_by_role("table", name=re.compile("^Kết quả theo thứ tự xếp hạng"))
    assert unit_name in text_of(results)

    click_and_wait(page, page.get_by_role("link", name=re.compile("^Công bố lượt chấm này")))
    site.check(page)
    click_and_wait(page, page.get_by_role("button", name="Xác nhận công bố"))
    assert re.search(r"/quan-tri/luot-cham/\d+(\?.*)?$", page.url), page.url
    site.check(page)
    assert "Đã công bố" in text_of(page.get_by_role("status"))

    visitor = site.new_page()  # a new context: no cookie
    visitor.goto("/")
    site.check(visitor)
    heading = visitor.get_by_role("heading", name=re.compile("^Kết quả đã công bố"))
    assert f"năm {IMPORT_YEAR}" in text_of(heading)
    section = visitor.get_by_role("region", name=level_name)
    link = section.get_by_role("link", name=unit_name, exact=True)
    assert link.count() == 1
    row = section.get_by_role("row").filter(has=visitor.get_by_role("link", name=unit_name, exact=True))
    assert re.fullmatch(r"\d+", text_of(row.get_by_role("cell").first)), text_of(row)
    find_on_a_phone(site, unit_code, unit_name)
    click_and_wait(visitor, link)
    assert visitor.url.endswith(f"/don-vi/{unit_code}/cong-khai")
    site.check(visitor)
    history = visitor.get_by_role("table", name="Kết quả đã công bố")
    assert str(IMPORT_YEAR) in text_of(history)


def find_on_a_phone(site: Any, unit_code: str, unit_name: str) -> None:
    """A citizen on a phone types the unit's name without diacritics and reaches its row."""
    phone = site.new_page(width=390, height=844)
    phone.goto("/")
    site.check(phone)
    bare = "".join(c for c in unicodedata.normalize("NFD", unit_name.replace("Đ", "D").replace("đ", "d"))
                   if not unicodedata.combining(c)).lower()
    phone.get_by_label(re.compile("^Tìm đơn vị")).fill(bare)
    click_and_wait(phone, phone.get_by_role("button", name="Tìm", exact=True))
    site.check(phone)
    results = phone.get_by_role("region", name=re.compile("^Tìm thấy"))
    results.get_by_role("link", name=unit_name, exact=True).click()
    phone.wait_for_url(re.compile(f"#dv-{re.escape(unit_code)}$"))
    row = phone.locator(f"#dv-{unit_code}")
    assert row.is_visible() and "tim-thay" in (row.get_attribute("class") or "")
    overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"trang rộng hơn màn hình điện thoại {overflow} px"
