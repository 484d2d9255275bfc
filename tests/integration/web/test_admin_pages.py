"""The administrators' pages on real data: import, appraisal, runs and publishing, comparison,
audit log, exports; every page valid HTML with labelled controls and one heading."""

from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import html5lib
import openpyxl
import pytest
from litestar.testing import TestClient

from scoring.services import runs as run_service
from scoring.services import values as value_service
from scoring.tables import IndicatorValue
from server.app import create_app
from web.exports import neutralise, ranking_table, to_csv, to_xlsx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
import loaded_province as province  # the API tests' loaded province

pytestmark = pytest.mark.db

ADMIN = "quantri"
DISTRICT = "district"
CSRF = re.compile(r'name="_csrf" value="([^"]+)"')
LABELLED = ("input", "select", "textarea")
UNLABELLED_TYPES = ("hidden", "submit", "button", "reset", "image")


# --- fixtures ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def world(migrated_database: str) -> province.World:
    return province.run(province.load_world())


@pytest.fixture(scope="module")
def app_client(world: province.World) -> Iterator[TestClient[Any]]:
    with TestClient(app=create_app()) as client:
        yield client


@pytest.fixture
def admin(app_client: TestClient[Any]) -> Iterator[TestClient[Any]]:
    """The app with the administrator logged in (a fresh session per test)."""
    app_client.cookies.clear()
    login(app_client, ADMIN)
    yield app_client
    app_client.cookies.clear()


def login(client: TestClient[Any], username: str) -> None:
    response = client.post("/dang-nhap", data={"username": username, "password": province.PASSWORD})
    assert response.status_code == 200, f"đăng nhập {username} không được: {response.text[:300]}"


def csrf(client: TestClient[Any]) -> str:
    found = CSRF.search(client.get("/quan-tri").text)
    assert found, "trang quản trị thiếu mã chống giả mạo (_csrf)"
    return found.group(1)


def value_count() -> int:
    return province.run(IndicatorValue.count().run())


# --- page checks ---------------------------------------------------------------------------------

def checked_page(html: str) -> Element:
    """Parse strictly (any HTML error fails), then: one h1, unique ids, every control labelled."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    try:
        doc = parser.parse(html)
    except html5lib.html5parser.ParseError as exc:
        line = html.splitlines()[parser.errors[-1][0][0] - 1] if parser.errors else ""
        raise AssertionError(f"HTML không hợp lệ: {exc}; dòng: {line.strip()[:200]}") from None
    headings = doc.findall(".//h1")
    assert len(headings) == 1, f"trang phải có đúng một h1, có {len(headings)}"
    ids = [el.get("id") for el in doc.iter() if el.get("id")]
    assert len(ids) == len(set(ids)), f"id bị trùng: {sorted({i for i in ids if ids.count(i) > 1})}"
    labelled = {label.get("for") for label in doc.iter("label")}
    wrapped = {id(el) for label in doc.iter("label") for el in label.iter()}
    for el in doc.iter():
        if el.tag not in LABELLED or el.get("type") in UNLABELLED_TYPES:
            continue
        named = (el.get("id") in labelled or id(el) in wrapped or el.get("aria-label")
                 or el.get("aria-labelledby"))
        assert named, f"ô nhập «{el.get('name')}» không có nhãn (label)"
    for button in doc.iter("button"):
        assert "".join(button.itertext()).strip(), "nút bấm không có chữ"
    return doc


def page(client: TestClient[Any], url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, f"{url}: {response.status_code} {response.text[:500]}"
    checked_page(response.text)
    return response.text


def table_rows(html: str, caption_start: str) -> list[list[str]]:
    """The body rows (cell texts) of the table whose caption starts with ``caption_start``."""
    doc = html5lib.parse(html, namespaceHTMLElements=False)
    for table in doc.iter("table"):
        caption = table.find("caption")
        if caption is not None and "".join(caption.itertext()).strip().startswith(caption_start):
            return [["".join(cell.itertext()).strip() for cell in row] for row in table.iter("tr")
                    if row.find("td") is not None]
    raise AssertionError(f"không thấy bảng «{caption_start}…»")


def district_csv(world: province.World, bad_row: bool) -> bytes:
    """District values for 2024 (long form); with ``bad_row`` its third line has a word for a number."""
    indicator = next(i.id for i in world.plan.indicators_of(DISTRICT) if i.kind == "percent")
    lines = ["ma_don_vi,chi_tieu,ky,gia_tri"]
    for n, unit in enumerate(world.registry.of_level(DISTRICT)):
        value = "khoảng tám mươi" if bad_row and n == 1 else 80 + n
        lines.append(f"{unit.code},{indicator},{province.OPEN_YEAR},{value}")
    return ("\n".join(lines) + "\n").encode("utf-8")


# --- access --------------------------------------------------------------------------------------

def test_a_unit_officer_gets_the_forbidden_page(app_client: TestClient[Any]) -> None:
    app_client.cookies.clear()
    anonymous = app_client.get("/quan-tri")
    assert anonymous.url.path == "/dang-nhap", "người chưa đăng nhập phải được đưa tới trang đăng nhập"
    login(app_client, province.PEOPLE["unit_own"][0])
    for url in ("/quan-tri", "/quan-tri/nhat-ky", f"/quan-tri/xuat/{1}.csv"):
        html = page(app_client, url, 403)
        assert "Không có quyền truy cập" in html, f"{url}: cán bộ đơn vị phải thấy trang báo không có quyền"
    app_client.cookies.clear()


def test_every_admin_page_is_valid_html_with_labels_and_one_heading(admin: TestClient[Any],
                                                                    world: province.World) -> None:
    urls = ["/quan-tri", "/quan-tri/nhap-lieu", "/quan-tri/tham-dinh",
            f"/quan-tri/tham-dinh?ky={world.period}&don_vi={province.UNIT_A}",
            f"/quan-tri/tham-dinh?ky={world.period}&don_vi={province.UNIT_A}&tat_ca=1",
            "/quan-tri/cham-diem", f"/quan-tri/luot-cham/{world.run}",
            f"/quan-tri/luot-cham/{world.published_run}", f"/quan-tri/luot-cham/{world.run}/cong-bo",
            "/quan-tri/so-sanh", f"/quan-tri/so-sanh?a={world.published_run}&b={world.run}",
            "/quan-tri/don-vi", "/quan-tri/don-vi?cap=commune", "/quan-tri/nhat-ky"]
    for url in urls:
        page(admin, url)
    assert "dd/mm" not in page(admin, "/quan-tri/nhat-ky?tu=31-12-2024", 400)
    page(admin, "/quan-tri/luot-cham/999999", 404)


# --- import --------------------------------------------------------------------------------------

def test_import_with_a_bad_row_lists_it_and_saves_nothing_then_the_fixed_file_is_saved(
        admin: TestClient[Any], world: province.World) -> None:
    token, before = csrf(admin), value_count()
    form = {"_csrf": token, "period_id": str(world.period), "action": "nhap"}
    bad = admin.post("/quan-tri/nhap-lieu", data=form,
                     files={"file": ("cap-huyen.csv", district_csv(world, bad_row=True), "text/csv")})
    assert bad.status_code == 400, bad.text[:500]
    checked_page(bad.text)
    assert "Tệp có 1 lỗi; không có số liệu nào được nhận." in bad.text
    rows = table_rows(bad.text, "Danh sách lỗi")
    assert len(rows) == 1, f"mỗi lỗi một dòng, có {rows}"
    file, row, column, reason = rows[0]
    assert (file, row) == ("cap-huyen.csv", "3") and column.startswith("D"), rows[0]
    assert "khoảng tám mươi" in reason
    assert value_count() == before, "tệp có lỗi thì không được lưu giá trị nào"

    dry = admin.post("/quan-tri/nhap-lieu", data={**form, "action": "kiem-tra"},
                     files={"file": ("cap-huyen.csv", district_csv(world, bad_row=False), "text/csv")})
    assert dry.status_code == 200 and "Kiểm tra xong" in dry.text, dry.text[:500]
    checked_page(dry.text)
    assert value_count() == before, "kiểm tra thử không được lưu"

    saved = admin.post("/quan-tri/nhap-lieu", data=form,
                       files={"file": ("cap-huyen.csv", district_csv(world, bad_row=False), "text/csv")})
    assert saved.status_code == 200 and "Đã nhập số liệu" in saved.text, saved.text[:500]
    assert value_count() == before + len(world.registry.of_level(DISTRICT))


def test_import_without_the_csrf_field_is_refused(admin: TestClient[Any], world: province.World) -> None:
    response = admin.post("/quan-tri/nhap-lieu", data={"period_id": str(world.period), "action": "nhap"},
                          files={"file": ("a.csv", district_csv(world, bad_row=False), "text/csv")})
    assert response.status_code == 403


# --- appraisal -----------------------------------------------------------------------------------

def test_a_correction_needs_a_reason_and_then_keeps_both_values(admin: TestClient[Any],
                                                              world: province.World) -> None:
    form = {"_csrf": csrf(admin), "ky": str(world.period), "don_vi": province.UNIT_A,
            "chi_tieu": world.indicator, "action": "sua", "gia_tri": "12,5", "ly_do": ""}
    queue = page(admin, f"/quan-tri/tham-dinh?ky={world.period}&don_vi={province.UNIT_A}")
    assert world.indicator in queue, "chỉ tiêu chưa thẩm định phải có trong danh sách chờ"
    missing = admin.post("/quan-tri/tham-dinh", data=form)
    assert missing.status_code == 400
    doc = checked_page(missing.text)
    errors = [el for el in doc.iter("span") if "field-error" in (el.get("class") or "")]
    assert len(errors) == 1 and "lý do" in "".join(errors[0].itertext()), "phải báo thiếu lý do ngay cạnh ô"
    reason_input = next(el for el in doc.iter("input") if el.get("aria-describedby") == errors[0].get("id"))
    assert reason_input.get("name") == "ly_do" and reason_input.get("aria-invalid") == "true"

    saved = admin.post("/quan-tri/tham-dinh", data={**form, "ly_do": "Theo biên bản kiểm tra ngày 10/12"})
    assert saved.status_code == 200 and "Đã lưu kết quả thẩm định" in saved.text, saved.text[:500]
    row = next(v for v in province.run(value_service.list_values(world.period, province.UNIT_A))
               if v["indicator"] == world.indicator)
    assert row["self_value"] == world.own_value and row["appraised_value"] == 12.5, row
    assert "Theo biên bản" in row["appraisal_note"]
    assert not row["pending"], "số liệu đã thẩm định không còn chờ"


# --- runs, publishing, comparison ----------------------------------------------------------------

def test_start_and_publish_a_run_then_the_home_page_shows_it(admin: TestClient[Any],
                                                           world: province.World) -> None:
    token = csrf(admin)
    start_form = {"_csrf": token, "ky": str(world.period), "cap": DISTRICT}
    started = admin.post("/quan-tri/cham-diem", data=start_form)
    assert started.status_code == 200, started.text[:500]
    assert started.url.path.startswith("/quan-tri/luot-cham/"), "chấm xong phải chuyển tới trang lượt chấm"
    run_id = int(started.url.path.rsplit("/", 1)[1])
    checked_page(started.text)
    confirm = page(admin, f"/quan-tri/luot-cham/{run_id}/cong-bo")
    assert "Xác nhận công bố" in confirm
    published = admin.post(f"/quan-tri/luot-cham/{run_id}/cong-bo", data={"_csrf": token})
    assert published.status_code == 200 and "Đã công bố lượt chấm này" in published.text
    assert province.run(run_service.get_run(run_id))["published"]

    second = admin.post("/quan-tri/cham-diem", data=start_form)
    second_id = int(second.url.path.rsplit("/", 1)[1])
    refused = admin.post(f"/quan-tri/luot-cham/{second_id}/cong-bo", data={"_csrf": token})
    assert refused.status_code == 409 and "đã được công bố" in refused.text, refused.text[:500]
    checked_page(refused.text)

    admin.cookies.clear()
    home = page(admin, "/")
    assert f"Kết quả đã công bố năm {province.OPEN_YEAR}" in home
    first = province.run(run_service.run_results(run_id))[0]
    assert world.registry.unit(first["unit_code"]).name in home

    login(admin, ADMIN)  # reopen the period for the tests after this one
    token = csrf(admin)
    missing = admin.post(f"/quan-tri/ky/{world.period}/mo-lai", data={"_csrf": token, "ly_do": " "})
    assert missing.status_code == 400 and "lý do" in missing.text
    checked_page(missing.text)
    reopened = admin.post(f"/quan-tri/ky/{world.period}/mo-lai",
                          data={"_csrf": token, "ly_do": "Bổ sung số liệu thẩm định"})
    assert reopened.status_code == 200 and "Đã mở lại kỳ đánh giá" in reopened.text


def test_comparing_two_runs_shows_the_unit_and_criterion_whose_value_changed(
        admin: TestClient[Any], world: province.World) -> None:
    actor = "kiem-thu"
    runs = []
    for value in (10, 100):  # far below, then at the target: the points must differ
        province.run(value_service.appraise(world.period, province.UNIT_A, world.indicator, actor=actor,
                                            accept=False, value=value, reason="kiểm thử so sánh"))
        runs.append(province.run(run_service.start_run(world.period, province.LEVEL, actor))["id"])
    before, after = runs
    html = page(admin, f"/quan-tri/so-sanh?a={before}&b={after}")
    doc = html5lib.parse(html, namespaceHTMLElements=False)
    section = next(s for s in doc.iter("section") if s.get("aria-labelledby") == f"dv-{province.UNIT_A}")
    text = " ".join("".join(section.itertext()).split())
    criterion = next(c for c in world.plan.criteria_of(province.LEVEL) if c.id == world.criterion)
    assert world.registry.unit(province.UNIT_A).name in text
    assert criterion.name in text, f"phải nêu tiêu chí «{criterion.name}» đã đổi điểm"
    assert "Số liệu thay đổi" in text


# --- audit log -----------------------------------------------------------------------------------

def test_the_audit_log_filtered_by_unit_shows_only_that_unit(admin: TestClient[Any],
                                                            world: province.World) -> None:
    province.run(value_service.appraise(world.period, province.UNIT_B, world.indicator, actor=ADMIN,
                                        accept=False, value=50, reason="kiểm thử nhật ký"))
    html = page(admin, f"/quan-tri/nhat-ky?don_vi={province.UNIT_A}")
    assert "Chuỗi băm của nhật ký nguyên vẹn" in html
    rows = table_rows(html, "")
    assert rows, "phải có mục nhật ký của đơn vị"
    assert {row[5] for row in rows} == {province.UNIT_A}, "chỉ hiện mục của đơn vị đã chọn"
    everyone = table_rows(page(admin, "/quan-tri/nhat-ky"), "")
    assert province.UNIT_B in {row[5] for row in everyone}
    mine = table_rows(page(admin, f"/quan-tri/nhat-ky?nguoi={ADMIN}&tu=01/01/2000&den=31/12/2099"), "")
    assert mine and {row[2] for row in mine} == {ADMIN}
    future = table_rows(page(admin, "/quan-tri/nhat-ky?tu=01/01/2099"), "")
    assert future == []


# --- exports -------------------------------------------------------------------------------------

def test_the_xlsx_export_has_one_row_per_unit(admin: TestClient[Any], world: province.World) -> None:
    response = admin.get(f"/quan-tri/xuat/{world.run}.xlsx")
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    n_units = province.run(run_service.get_run(world.run))["n_units"]
    assert len(rows) == n_units + 1, "một dòng tiêu đề và một dòng cho mỗi đơn vị"
    assert sheet.freeze_panes == "D2" and sheet["A1"].font.bold
    assert rows[0][:3] == ("Hạng chung", "Mã đơn vị", "Tên đơn vị")
    assert [r[0] for r in rows[1:]] == sorted(r[0] for r in rows[1:])
    csv_response = admin.get(f"/quan-tri/xuat/{world.run}.csv")
    assert csv_response.content.startswith(b"\xef\xbb\xbf"), "CSV phải có BOM để Excel đọc đúng tiếng Việt"
    assert len(list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))) == n_units + 1


def record(name: str, rank: int) -> dict[str, Any]:
    criteria = [{"id": "C1", "name": "Dịch vụ công trực tuyến", "points": 10 - rank, "max_points": 10}]
    return {"unit_code": f"X{rank}", "unit_name": name, "cluster_name": "Cụm 1", "rank_overall": rank,
            "rank_in_cluster": rank, "cluster_size": 2, "total": 10 - rank, "max": 10, "percent": 90,
            "band_name": "Xuất sắc", "base_total": 10 - rank, "bonus": 0, "deductions": 0,
            "gate_failed": False, "criteria": criteria, "bonus_items": [], "deduction_items": []}


def test_exports_neutralise_text_that_a_spreadsheet_would_run_as_a_formula() -> None:
    evil = '=HYPERLINK("http://example.invalid","Xã A")'
    header, rows = ranking_table([record("Xã Bình Yên", 2), record(evil, 1)])
    assert header[-1] == "Tiêu chí C1: Dịch vụ công trực tuyến (tối đa 10)"
    assert [r[2] for r in rows] == ["'" + evil, "Xã Bình Yên"]
    text = to_csv(header, rows).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[1][2] == "'" + evil
    cell = openpyxl.load_workbook(io.BytesIO(to_xlsx(header, rows))).active["C2"]
    assert cell.value == "'" + evil and cell.data_type == "s"
    assert [neutralise(v) for v in ("+1", "-1", "@x", "Hà Giang", -1.5, True)] == [
        "'+1", "'-1", "'@x", "Hà Giang", -1.5, "Có"]
