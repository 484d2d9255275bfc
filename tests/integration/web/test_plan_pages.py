"""Plans in the web: a version downloaded as a workbook, edited and uploaded back (preview in
words and the differences, then saved); a workbook with mistakes lists them by sheet, row and
column; the editor on a copy puts every problem beside its field and previews a valid plan."""

from __future__ import annotations

import html
import io
import re
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from litestar.testing import TestClient
from test_admin_pages import ADMIN, admin, app_client, checked_page, csrf, login, page, world  # noqa: F401 (fixtures)

from criteria.tables import PlanVersion
from storage.tables import AuditEntry

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
import loaded_province as province  # the API tests' loaded province

pytestmark = pytest.mark.db


def versions() -> int:
    return province.run(PlanVersion.count().run())


def upload(client: TestClient[Any], name: str, data: bytes) -> Any:
    return client.post("/quan-tri/ke-hoach/tai-len", data={"_csrf": csrf(client)},
                       files={"file": (name, data, "application/octet-stream")})


def test_a_workbook_round_trip_through_the_pages(admin: TestClient[Any], world: province.World) -> None:
    listing = html.unescape(page(admin, "/quan-tri/ke-hoach"))
    assert f"/quan-tri/ke-hoach/{world.plan_version}/bang-tinh.xlsx" in listing
    assert "kỳ" in listing and "(chỉ đọc)" in listing, "phiên bản đang dùng được ghi rõ"
    answer = admin.get(f"/quan-tri/ke-hoach/{world.plan_version}/bang-tinh.xlsx")
    assert answer.status_code == 200 and "attachment" in answer.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(answer.content))

    # unchanged: the preview says it is already stored; saving adds nothing
    same = upload(admin, "ke-hoach.xlsx", answer.content)
    assert same.status_code == 200
    assert "Kế hoạch này đã được lưu" in html.unescape(same.text)

    # a person's change: the version number and one criterion's target
    book["Kế hoạch"]["B3"] = "2025.2"
    sheet = book[f"Tiêu chí {world.plan.levels[0].id}"]
    sheet["I5"] = 55
    out = io.BytesIO()
    book.save(out)
    before = versions()
    preview = upload(admin, "ke-hoach-sua.xlsx", out.getvalue())
    assert preview.status_code == 200, preview.text[:500]
    checked_page(preview.text)
    text = html.unescape(preview.text)
    assert "Kế hoạch hợp lệ" in text and "Điểm khác so với phiên bản trước" in text
    assert "2025.2" in text and "Chưa lưu" in text
    assert versions() == before, "xem trước chưa lưu gì"
    toml = html.unescape(re.search(r'name="toml" value="([^"]*)"', preview.text)[1])  # type: ignore[index]
    saved = admin.post("/quan-tri/ke-hoach/luu", data={"_csrf": csrf(admin), "toml": toml},
                       follow_redirects=False)
    assert saved.status_code == 303
    assert versions() == before + 1
    done = html.unescape(page(admin, saved.headers["location"]))
    assert "Đã lưu phiên bản kế hoạch số" in done
    assert province.run(AuditEntry.count().where(AuditEntry.action == "plan.upload").run()) >= 1


def test_a_workbook_with_mistakes_is_listed_by_sheet_row_and_column(admin: TestClient[Any],
                                                                    world: province.World) -> None:
    content = admin.get(f"/quan-tri/ke-hoach/{world.plan_version}/bang-tinh.xlsx").content
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book[f"Tiêu chí {world.plan.levels[0].id}"]
    sheet["I5"], sheet["H6"] = "nhiều", "Cảm tính"
    out = io.BytesIO()
    book.save(out)
    before = versions()
    refused = upload(admin, "hong.xlsx", out.getvalue())
    assert refused.status_code == 400
    checked_page(refused.text)
    rows = html.unescape(refused.text)
    assert "«nhiều» không phải là số" in rows and "«Cảm tính» không phải là lựa chọn hợp lệ" in rows
    assert f"Tiêu chí {world.plan.levels[0].id}" in rows and ">5<" in rows and "Chỉ tiêu" in rows
    assert versions() == before
    junk = upload(admin, "anh.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    assert junk.status_code == 400 and "không phải bảng tính Excel" in html.unescape(junk.text)


def test_the_editor_shows_problems_beside_fields_then_previews(admin: TestClient[Any],
                                                              world: province.World) -> None:
    editor = page(admin, f"/quan-tri/ke-hoach/{world.plan_version}/sua")
    form = {name: value for name, value in re.findall(r'name="([a-z]+-[^"]+)" value="([^"]*)"', editor)
            if not name.endswith("-xoa")}  # an unticked box is not sent
    for name, chosen in re.findall(r'<select id="[^"]+" name="([^"]+)"[^>]*>(.*?)</select>', editor, re.S):
        picked = re.search(r"<option selected>([^<]*)</option>", chosen)
        form[name] = html.unescape(picked[1]) if picked else ""
    form = {k: html.unescape(v) for k, v in form.items()}
    assert form["criteria-0-max_points"], "bảng tiêu chí có điểm tối đa"

    wrong = {**form, "criteria-0-max_points": "mười", "criteria-1-method": "Cảm tính", "_csrf": csrf(admin)}
    found = admin.post("/quan-tri/ke-hoach/sua/kiem-tra", data=wrong).json()
    assert not found["ok"]
    assert "không phải là số" in found["problems"]["criteria-0-max_points"]
    assert "không phải là lựa chọn hợp lệ" in found["problems"]["criteria-1-method"]
    shown = admin.post("/quan-tri/ke-hoach/sua", data=wrong)
    assert shown.status_code == 400
    checked_page(shown.text)
    assert 'id="criteria-0-max_points"' in shown.text and 'aria-invalid="true"' in shown.text

    # a criterion removed: the level no longer adds up, said at the level's scale
    dropped = {**form, "criteria-0-xoa": "co", "_csrf": csrf(admin)}
    found = admin.post("/quan-tri/ke-hoach/sua/kiem-tra", data=dropped).json()
    assert any("khác thang điểm" in message for message in found["problems"].values())

    # a new version number alone: a valid plan, previewed with its differences
    bumped = {**form, "plan-version": "2025.9", "_csrf": csrf(admin)}
    assert admin.post("/quan-tri/ke-hoach/sua/kiem-tra", data=bumped).json()["ok"]
    preview = admin.post("/quan-tri/ke-hoach/sua", data=bumped)
    assert preview.status_code == 200
    assert "2025.9" in html.unescape(preview.text) and "Lưu phiên bản này" in preview.text
    more = admin.post("/quan-tri/ke-hoach/sua", data={**form, "them": "bonuses", "_csrf": csrf(admin)})
    assert more.status_code == 200 and f'name="bonuses-{len(world.plan.bonuses)}-id"' in more.text
