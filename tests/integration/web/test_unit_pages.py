"""A unit's own pages: its score explained, and its data entry (form, Excel, submit).

The province is loaded once for the module (see ``tests/integration/api/loaded_province.py``):
commune A (02200) has an unpublished 2024 run and a published, locked 2023 run.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import html5lib
import pytest
from litestar.testing import TestClient
from openpyxl import load_workbook

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from loaded_province import PASSWORD, UNIT_A, World, api, client, world

from web.templating import vn_number

__all__ = ["api", "client", "world"]
pytestmark = pytest.mark.db
Client = TestClient[Any]
FORM_FIELDS = ("input", "select", "textarea")
SVG = "http://www.w3.org/2000/svg"


# --- helpers ----------------------------------------------------------------------------------


def parse(html: str) -> Element:
    """The page as a tree; html5lib in strict mode refuses any HTML parse error."""
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(html)


def text(el: Element | None) -> str:
    assert el is not None, "thiếu phần tử cần tìm trên trang"
    return " ".join("".join(el.itertext()).split())


def by_id(root: Element, ident: str) -> Element:
    found = root.find(f".//*[@id='{ident}']")
    assert found is not None, f"trang không có phần tử id={ident}"
    return found


def check_page(html: str) -> Element:
    """Valid HTML, exactly one <h1>, and every visible field has a label or an aria-label."""
    root = parse(html)
    assert len(root.findall(".//h1")) == 1, "mỗi trang phải có đúng một tiêu đề <h1>"
    labelled = {label.get("for") for label in root.iter("label")}
    for tag in FORM_FIELDS:
        for field in root.iter(tag):
            if field.get("type") in ("hidden", "submit", "button"):
                continue
            assert field.get("aria-label") or field.get("id") in labelled, (
                f"ô nhập {field.get('name')} không có nhãn <label for> hay aria-label"
            )
    return root


def login(c: Client, role: str, world: World) -> str:
    """Log in through the login form; returns the session's CSRF token."""
    response = c.post(
        "/dang-nhap", data={"username": world.username(role), "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code in (302, 303), response.text
    return str(c.get("/api/v1/auth/me").json()["csrf_token"])


def form_values(root: Element, form_id: str) -> dict[str, str]:
    """What a browser would send for the form as shown."""
    form = by_id(root, form_id)
    data: dict[str, str] = {}
    for field in form.iter("input"):
        if field.get("name") and field.get("type") != "file":
            data[field.get("name", "")] = field.get("value", "")
    for field in form.iter("textarea"):
        data[field.get("name", "")] = "".join(field.itertext())
    for field in form.iter("select"):
        chosen = [o for o in field.iter("option") if o.get("selected") is not None]
        data[field.get("name", "")] = chosen[0].get("value", "") if chosen else ""
    return data


def percent_indicators(world: World) -> list[str]:
    return [i.id for i in world.plan.indicators_of("commune") if i.kind == "percent"]


def stored_values(c: Client, world: World) -> dict[str, Any]:
    rows = c.get(
        f"/api/v1/periods/{world.period}/values", params={"unit": UNIT_A}, headers=world.headers("admin")
    ).json()
    return {r["indicator"]: r for r in rows}


# --- the dashboard ----------------------------------------------------------------------------


def test_dashboard_shows_the_numbers_of_the_api(client: Client, world: World) -> None:
    login(client, "unit_own", world)
    response = client.get(f"/don-vi/{UNIT_A}")
    assert response.status_code == 200, response.text
    root = check_page(response.text)
    record = client.get(f"/api/v1/runs/{world.run}/units/{UNIT_A}").json()
    n_units = client.get(f"/api/v1/runs/{world.run}", headers=world.headers("admin")).json()["n_units"]
    assert text(by_id(root, "tong-diem")) == vn_number(record["total"])
    assert text(by_id(root, "ty-le")) == f"{vn_number(record['percent'])} %"
    assert text(by_id(root, "xep-loai")) == record["band_name"]
    assert text(by_id(root, "hang-cum")) == f"{record['rank_in_cluster']}/{record['cluster_size']}"
    assert text(by_id(root, "hang-chung")) == f"{record['rank_overall']}/{n_units}"
    page = text(root)
    for criterion in record["criteria"]:
        assert " ".join(criterion["name"].split()) in page, f"thiếu tiêu chí «{criterion['name']}»"
    svg = root.find(f".//{{{SVG}}}svg")
    assert svg is not None and text(svg.find(f"{{{SVG}}}title")), "biểu đồ phải có <title>"
    assert "kết quả tạm thời, chưa công bố" in page, "lần chấm chưa công bố phải ghi rõ là tạm thời"
    assert f"Lần chấm điểm số {world.run}" in page and world.plan.sha256[:12] in page


def test_cluster_average_is_the_mean_of_the_cluster(client: Client, world: World) -> None:
    admin = world.headers("admin")
    rows = client.get(f"/api/v1/runs/{world.run}/results", headers=admin).json()
    cluster = next(r["cluster"] for r in rows if r["unit_code"] == UNIT_A)
    mates = [r["unit_code"] for r in rows if r["cluster"] == cluster]
    breakdowns = [
        client.get(f"/api/v1/runs/{world.run}/units/{code}", headers=admin).json() for code in mates
    ]
    first = breakdowns[0]["criteria"][0]["id"]
    points = [
        c["points"]
        for b in breakdowns
        for c in b["criteria"]
        if c["id"] == first and c["status"] != "not_applicable"
    ]
    login(client, "unit_own", world)
    root = parse(client.get(f"/don-vi/{UNIT_A}").text)
    cells = by_id(root, f"tc-{first}").findall("td")
    assert text(cells[3]) == vn_number(sum(points) / len(points)), "trung bình khối/cụm sai"


def test_published_year_and_history(client: Client, world: World) -> None:
    login(client, "unit_own", world)
    response = client.get(f"/don-vi/{UNIT_A}", params={"ky": world.published_period})
    root = check_page(response.text)
    record = client.get(f"/api/v1/runs/{world.published_run}/units/{UNIT_A}").json()
    assert text(by_id(root, "tong-diem")) == vn_number(record["total"])
    assert root.find(".//*[@id='tam-thoi']") is None, "kết quả đã công bố không phải tạm thời"
    history = text(by_id(parse(client.get(f"/don-vi/{UNIT_A}").text), "bang-xu-huong"))
    assert f"{vn_number(record['percent'])} %" in history, "bảng các năm phải có kết quả năm 2023"


@pytest.mark.parametrize("role", ["unit_other", "council"])
def test_someone_else_gets_a_vietnamese_403(client: Client, world: World, role: str) -> None:
    login(client, role, world)
    response = client.get(f"/don-vi/{UNIT_A}")
    assert response.status_code == 403
    assert "text/html" in response.headers["content-type"]
    assert "Không có quyền truy cập" in response.text


def test_anonymous_is_sent_to_login(client: Client) -> None:
    response = client.get(f"/don-vi/{UNIT_A}", follow_redirects=False)
    assert response.status_code in (302, 303)
    assert response.headers["location"].startswith("/dang-nhap")


# --- data entry -------------------------------------------------------------------------------


def test_bad_values_are_shown_in_place_and_good_ones_saved(client: Client, world: World) -> None:
    csrf = login(client, "unit_own", world)
    root = check_page(client.get("/nhap-lieu").text)
    data = form_values(root, "form-so-lieu")
    assert data["_csrf"] == csrf
    word, too_big, good = percent_indicators(world)[:3]
    before = stored_values(client, world)
    new_good = "12,5" if before[good]["self_value"] != 12.5 else "13,5"
    data.update(
        {
            f"v-{word}": "abc",
            f"v-{too_big}": "120",
            f"v-{good}": new_good,
            f"e-{good}": "https://vi.wikipedia.org/minh-chung",
        }
    )
    response = client.post("/nhap-lieu", data=data)
    assert response.status_code == 400
    root = check_page(response.text)
    for indicator, reason in ((word, "không phải là số"), (too_big, "ngoài khoảng 0–100")):
        field, error = by_id(root, f"v-{indicator}"), by_id(root, f"err-{indicator}")
        assert reason in text(error) and error.get("role") == "alert"
        assert f"err-{indicator}" in field.get("aria-describedby", "")
        assert field.get("value") == ("abc" if indicator == word else "120"), "giá trị vừa gõ phải còn"
    assert "Đã lưu" in text(by_id(root, f"ok-{good}"))
    after = stored_values(client, world)
    assert after[good]["self_value"] == float(new_good.replace(",", "."))
    assert after[good]["evidence_url"] == "https://vi.wikipedia.org/minh-chung"
    assert after[word]["self_value"] == before[word]["self_value"]
    assert after[too_big]["self_value"] == before[too_big]["self_value"]


def test_the_form_needs_the_csrf_token(client: Client, world: World) -> None:
    login(client, "unit_own", world)
    indicator = percent_indicators(world)[0]
    assert client.post("/nhap-lieu", data={f"v-{indicator}": "50"}).status_code == 403


def test_excel_template_round_trip(client: Client, world: World) -> None:
    csrf = login(client, "unit_own", world)
    response = client.get("/nhap-lieu/mau.xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert sheet.cell(row=2, column=1).value == UNIT_A and sheet.max_row == 2, "mẫu chỉ có dòng của đơn vị"
    headers = [str(c.value or "") for c in sheet[1]]
    bad, good = percent_indicators(world)[3:5]
    bad_col = next(i for i, h in enumerate(headers, 1) if h.endswith(f"[{bad}]"))
    good_col = next(i for i, h in enumerate(headers, 1) if h.endswith(f"[{good}]"))
    before = stored_values(client, world)
    new_good = 33 if before[good]["self_value"] != 33 else 34
    sheet.cell(row=2, column=bad_col, value="nhiều lắm")
    sheet.cell(row=2, column=good_col, value=new_good)
    upload = io.BytesIO()
    book.save(upload)
    refused = client.post(
        "/nhap-lieu/tai-len", data={"_csrf": csrf}, files={"file": ("so-lieu.xlsx", upload.getvalue())}
    )
    assert refused.status_code == 400, refused.text
    root = check_page(refused.text)
    rows = [[text(td) for td in tr.findall("td")] for tr in by_id(root, "loi-tep").iter("tr")]
    rows = [r for r in rows if r]
    assert any(r[1] == "2" and bad in r[2] for r in rows), f"bảng lỗi phải nêu dòng 2, cột {bad}: {rows}"
    assert stored_values(client, world)[good]["self_value"] == before[good]["self_value"], "không lưu gì"
    sheet.cell(row=2, column=bad_col, value=50)
    upload = io.BytesIO()
    book.save(upload)
    accepted = client.post(
        "/nhap-lieu/tai-len", data={"_csrf": csrf}, files={"file": ("so-lieu.xlsx", upload.getvalue())}
    )
    assert accepted.status_code == 200, accepted.text
    assert "Đã nhập tệp" in text(by_id(check_page(accepted.text), "da-nhap-tep"))
    after = stored_values(client, world)
    assert after[good]["self_value"] == new_good and after[bad]["self_value"] == 50
    for files in ({"file": ("so-lieu.xlsx", b"")}, {"file": ("", b"")}):
        empty = client.post("/nhap-lieu/tai-len", data={"_csrf": csrf}, files=files)
        assert empty.status_code == 400, empty.text
        assert "Chưa chọn tệp, hoặc tệp rỗng" in empty.text, "tệp rỗng hay không chọn tệp phải được báo"
    assert stored_values(client, world) == after, "không lưu gì"


def test_submit_for_appraisal_is_audited(client: Client, world: World) -> None:
    csrf = login(client, "unit_own", world)
    response = client.post("/nhap-lieu/gui", data={"_csrf": csrf, "ky": str(world.period)})
    assert response.status_code == 200, response.text
    assert "Đã gửi thẩm định" in text(by_id(check_page(response.text), "da-gui"))
    entries = client.get("/api/v1/audit", params={"unit": UNIT_A}, headers=world.headers("admin")).json()
    submitted = [e for e in entries if e["action"] == "values.submit"]
    assert submitted and submitted[0]["actor"] == world.username("unit_own")
    assert submitted[0]["entity_id"] == str(world.period)


def test_locked_period_is_read_only(client: Client, world: World) -> None:
    csrf = login(client, "unit_own", world)
    response = client.get("/nhap-lieu", params={"ky": world.published_period})
    root = check_page(response.text)
    assert "đã khóa" in text(by_id(root, "khoa"))
    field = by_id(root, f"v-{world.indicator}")
    assert field.get("disabled") is not None
    refused = client.post(
        "/nhap-lieu", data={"_csrf": csrf, "ky": str(world.published_period), f"v-{world.indicator}": "1"}
    )
    assert refused.status_code == 409
    check_page(refused.text)


def test_staff_choose_the_unit(client: Client, world: World) -> None:
    login(client, "admin", world)
    chooser = client.get("/nhap-lieu")
    assert chooser.status_code == 200
    check_page(chooser.text)
    form = client.get("/nhap-lieu", params={"don_vi": UNIT_A})
    root = check_page(form.text)
    assert by_id(root, "form-so-lieu").find(".//input[@name='don_vi']") is not None
