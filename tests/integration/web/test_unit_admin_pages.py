"""Staff pages for units: search that ignores diacritics, create, edit, close and merge a unit;
refusals keep what was typed and write nothing."""

from __future__ import annotations

import html
import io
import sys
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from litestar.testing import TestClient
from test_admin_pages import ADMIN, admin, app_client, checked_page, csrf, login, page, world  # noqa: F401 (fixtures)

from scoring.registry.store import load_registry_from_db
from scoring.registry.workbook import CLUSTER_SHEET, UNIT_SHEET
from storage.tables import AuditEntry
from web.admin.unit_sheets import XLSX

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
import loaded_province as province  # the API tests' loaded province

pytestmark = pytest.mark.db



def post(client: TestClient[Any], url: str, data: dict[str, str]) -> Any:
    return client.post(url, data={**data, "_csrf": csrf(client)}, follow_redirects=False)


def refused(answer: Any, status: int) -> str:
    assert answer.status_code == status, answer.text[:500]
    checked_page(answer.text)
    return html.unescape(answer.text)


def audit_count() -> int:
    return province.run(AuditEntry.count().run())


def new_unit(**changes: str) -> dict[str, str]:
    typed = {"ma": "CQ90", "ten": "Sở Khoa học và Công nghệ", "loai": "agency.so",
             "cap_tren": "08", "cum": "khoi.kinh_te", "nhan": "tthc, so", "tu_ngay": "01/01/2024"}
    return {**typed, **changes}


def test_the_list_searches_without_diacritics_and_filters_by_level(admin: TestClient[Any]) -> None:
    text = html.unescape(page(admin, "/quan-tri/don-vi?q=phan+thiet"))
    assert "Phường Phan Thiết" in text and "Sở Nội vụ" not in text
    assert 'href="/quan-tri/don-vi/02200"' in text
    text = html.unescape(page(admin, "/quan-tri/don-vi?q=S%E1%BB%9F+n%E1%BB%99i+V%E1%BB%A4&cap=agency"))
    assert "Sở Nội vụ" in text and "Tìm thấy 1 đơn vị" in text
    assert "Phường Phan Thiết" not in html.unescape(page(admin, "/quan-tri/don-vi?q=phan+thiet&cap=agency"))
    page(admin, "/quan-tri/don-vi/moi")
    page(admin, "/quan-tri/don-vi/CQ01")
    page(admin, "/quan-tri/don-vi/KHONG-CO", 404)


@pytest.mark.parametrize(("changes", "status", "field", "words"), [
    ({"tu_ngay": "31/02/2024"}, 400, "tu_ngay", "Có hiệu lực từ ngày"),
    ({"ma": "CQ01"}, 409, "ma", "«CQ01» đã có"),
    ({"cum": "cum.huyen"}, 400, None, "không thể thuộc khối/cụm 'cum.huyen'"),
    ({"cap_tren": "ZZ"}, 400, None, "đơn vị cấp trên 'ZZ' không có"),
])
def test_a_refused_new_unit_keeps_what_was_typed(admin: TestClient[Any], changes: dict[str, str],
                                                 status: int, field: str | None, words: str) -> None:
    before = audit_count()
    typed = new_unit(**changes)
    text = refused(post(admin, "/quan-tri/don-vi/moi", typed), status)
    assert words in text
    if field:
        assert f'id="loi-{field}"' in text and 'aria-invalid="true"' in text
    for name in ("ma", "ten", "cap_tren", "nhan", "tu_ngay"):
        assert f'value="{typed[name]}"' in text, f"ô «{name}» phải giữ điều đã nhập"
    assert f'value="{typed["cum"]}" selected' in text and 'value="agency.so" selected' in text
    assert audit_count() == before


def test_create_edit_close_and_merge_a_unit(admin: TestClient[Any]) -> None:
    answer = post(admin, "/quan-tri/don-vi/moi", new_unit())
    assert answer.status_code == 303 and answer.headers["location"] == "/quan-tri/don-vi/CQ90?xong=moi"
    assert "Đã thêm đơn vị" in page(admin, answer.headers["location"])
    unit = province.run(load_registry_from_db()).unit("CQ90")
    assert (unit.name, unit.cluster, unit.tags, unit.valid_from) == (
        "Sở Khoa học và Công nghệ", "khoi.kinh_te", ("tthc", "so"), date(2024, 1, 1))

    edit = {"ten": "Sở Khoa học, Công nghệ", "loai": "agency.so", "cap_tren": "08",
            "cum": "khoi.tong_hop", "nhan": ""}
    answer = post(admin, "/quan-tri/don-vi/CQ90", edit)
    assert answer.status_code == 303, answer.text[:500]
    unit = province.run(load_registry_from_db()).unit("CQ90")
    assert (unit.name, unit.cluster, unit.tags) == ("Sở Khoa học, Công nghệ", "khoi.tong_hop", ())

    text = refused(post(admin, "/quan-tri/don-vi/CQ90", {**edit, "ten": "Tên mới",
                                                          "cum": "cum.huyen"}), 400)
    assert "Không thể sửa đơn vị «CQ90»" in text and 'value="Tên mới"' in text

    text = refused(post(admin, "/quan-tri/don-vi/CQ90/dong", {"den_ngay": "31/12/2023"}), 400)
    assert "ngày hết hiệu lực trước ngày bắt đầu" in text and 'value="31/12/2023"' in text
    answer = post(admin, "/quan-tri/don-vi/CQ90/dong", {"den_ngay": "30/06/2025"})
    assert answer.status_code == 303, answer.text[:500]
    assert province.run(load_registry_from_db()).unit("CQ90").valid_to == date(2025, 6, 30)

    post(admin, "/quan-tri/don-vi/moi", new_unit(ma="CQ91", ten="Sở Ngoại vụ"))
    text = refused(post(admin, "/quan-tri/don-vi/CQ91/sap-nhap",
                        {"vao": "CQ90", "ngay_cuoi": "30/06/2025", "cung": ""}), 400)
    assert "«CQ90»" in text and "hết hiệu lực" in text and 'value="CQ90"' in text
    text = refused(post(admin, "/quan-tri/don-vi/CQ91/sap-nhap",
                        {"vao": "CQ999", "ngay_cuoi": "30/06/2025", "cung": "CQ998"}), 400)
    assert "«CQ998», «CQ999»" in text and 'value="CQ998"' in text
    text = refused(post(admin, "/quan-tri/don-vi/CQ91/sap-nhap",
                        {"vao": "", "ngay_cuoi": "30/13/2025", "cung": ""}), 400)
    assert 'id="loi-vao"' in text and 'id="loi-ngay_cuoi"' in text
    answer = post(admin, "/quan-tri/don-vi/CQ91/sap-nhap",
                  {"vao": "CQ02", "ngay_cuoi": "30/06/2025", "cung": ""})
    assert answer.status_code == 303, answer.text[:500]
    merged = province.run(load_registry_from_db()).unit("CQ91")
    assert (merged.valid_to, merged.successors) == (date(2025, 6, 30), ("CQ02",))
    assert "Sở Nội vụ" in html.unescape(page(admin, "/quan-tri/don-vi/CQ91"))


def test_the_cluster_list_and_a_new_cluster(admin: TestClient[Any]) -> None:
    text = html.unescape(page(admin, "/quan-tri/cum-thi-dua"))
    assert "Khối các cơ quan tổng hợp" in text and 'href="/quan-tri/cum-thi-dua/khoi.tong_hop"' in text
    assert 'href="/quan-tri/cum-thi-dua"' in page(admin, "/quan-tri/don-vi")
    before = audit_count()
    typed = {"ma": "khoi.kinh_te", "ten": "Khối mới", "cap": "agency"}
    text = refused(post(admin, "/quan-tri/cum-thi-dua", typed), 409)
    assert "«khoi.kinh_te» đã có" in text and 'value="Khối mới"' in text and 'id="loi-ma"' in text
    text = refused(post(admin, "/quan-tri/cum-thi-dua", {**typed, "ma": "k1", "cap": ""}), 400)
    assert 'id="loi-cap"' in text
    assert audit_count() == before
    answer = post(admin, "/quan-tri/cum-thi-dua", {**typed, "ma": "khoi.noi_chinh",
                                                  "ten": "Khối nội chính"})
    assert answer.status_code == 303, answer.text[:500]
    assert "Đã thêm khối/cụm thi đua" in page(admin, answer.headers["location"])
    assert province.run(load_registry_from_db()).cluster("khoi.noi_chinh").level == "agency"
    page(admin, "/quan-tri/cum-thi-dua/khong.co", 404)


def test_members_leader_deputy_and_name_of_a_cluster(admin: TestClient[Any]) -> None:
    code = "khoi.doan_the"
    registry = province.run(load_registry_from_db())
    members = [u.code for u in registry.members(code)]
    assert len(members) >= 2
    text = refused(post(admin, f"/quan-tri/cum-thi-dua/{code}/truong-pho",
                        {"cum_truong": members[0], "cum_pho": "CQ01"}), 400)
    assert "cụm phó 'CQ01' không phải đơn vị thành viên" in text and 'id="loi-cum_pho"' in text
    answer = post(admin, f"/quan-tri/cum-thi-dua/{code}/truong-pho",
                  {"cum_truong": members[0], "cum_pho": members[1]})
    assert answer.status_code == 303, answer.text[:500]
    text = html.unescape(page(admin, answer.headers["location"]))
    assert "Đã lưu cụm trưởng, cụm phó" in text and f'value="{members[0]}" selected' in text
    listed = html.unescape(page(admin, "/quan-tri/cum-thi-dua"))
    assert registry.unit(members[0]).name in listed

    typed = "\n".join([*members[1:], "02200"])  # the leader left out, a commune added
    text = refused(post(admin, f"/quan-tri/cum-thi-dua/{code}/thanh-vien", {"thanh_vien": typed}),
                   400)
    assert f"cụm trưởng '{members[0]}'" in text and "'02200'" in text
    assert typed in text, "ô thành viên phải giữ điều đã nhập"
    answer = post(admin, f"/quan-tri/cum-thi-dua/{code}/thanh-vien",
                  {"thanh_vien": ", ".join([*members, "CQ01"])})
    assert answer.status_code == 303, answer.text[:500]
    assert province.run(load_registry_from_db()).unit("CQ01").cluster == code

    text = refused(post(admin, f"/quan-tri/cum-thi-dua/{code}/ten", {"ten": "  "}), 400)
    assert 'id="loi-ten"' in text
    answer = post(admin, f"/quan-tri/cum-thi-dua/{code}/ten", {"ten": "Khối Mặt trận, đoàn thể"})
    assert answer.status_code == 303
    assert province.run(load_registry_from_db()).cluster(code).name == "Khối Mặt trận, đoàn thể"


def test_the_registry_downloads_as_xlsx_and_a_bad_upload_saves_nothing(admin: TestClient[Any]) -> None:
    answer = admin.get("/quan-tri/don-vi/danh-muc.xlsx")
    assert answer.status_code == 200 and "attachment" in answer.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames == [UNIT_SHEET, CLUSTER_SHEET]
    page(admin, "/quan-tri/don-vi/nhap")
    sheet = book[UNIT_SHEET]
    sheet["C3"] = "loại lạ"
    sheet.append(["CQ95", "Sở Du lịch", "agency.so", None, "08", "khoi.kinh_te", "01/01/2024"])
    out = io.BytesIO()
    book.save(out)
    before = audit_count()
    bad = admin.post("/quan-tri/don-vi/nhap", data={"_csrf": csrf(admin)},
                     files={"file": ("danh-muc.xlsx", out.getvalue(), XLSX)})
    text = refused(bad, 400)
    assert "chưa lưu gì" in text and "loại «loại lạ» không hợp lệ" in text
    assert "<td>Loại</td>" in text and '<td class="num">3</td>' in text
    assert audit_count() == before
    assert not province.run(load_registry_from_db()).has("CQ95")
    sheet["C3"] = "agency.so"
    out = io.BytesIO()
    book.save(out)
    good = admin.post("/quan-tri/don-vi/nhap", data={"_csrf": csrf(admin)},
                      files={"file": ("danh-muc.xlsx", out.getvalue(), XLSX)})
    assert good.status_code == 200, good.text[:500]
    checked_page(good.text)
    assert "1 đơn vị mới" in html.unescape(good.text)
    assert province.run(load_registry_from_db()).unit("CQ95").cluster == "khoi.kinh_te"
