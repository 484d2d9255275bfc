"""The what-if page (``/don-vi/{code}/gia-dinh``), the rank interval and the predecessors' results
on the unit pages.

The province is loaded once for the module (see ``tests/integration/api/loaded_province.py``):
commune A (02200) has an unpublished 2024 run (the one its dashboard shows) and a published 2023
run. The last test saves a registry in which two communes merged into a new one.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import pytest
from litestar.testing import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "db"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from loaded_province import UNIT_A, World, api, client, run, world
from open_province import row_counts
from test_admin_pages import checked_page
from test_history_store import MERGED, with_merger
from test_unit_pages import by_id, check_page, form_values, login, parse, text

from scoring.registry.store import save_registry
from web.templating import vn_number

__all__ = ["api", "client", "world"]
pytestmark = pytest.mark.db
Client = TestClient[Any]
NOT_SAVED = "Đây là giả định: không có số liệu nào được lưu"


def checked(html: str) -> Element:
    """Both page checks: one h1, labelled controls, strict HTML, unique ids."""
    check_page(html)
    return checked_page(html)


def whatif_form(c: Client, code: str = UNIT_A) -> dict[str, str]:
    response = c.get(f"/don-vi/{code}/gia-dinh")
    assert response.status_code == 200, response.text
    return form_values(checked(response.text), "form-gia-dinh")


def raisable(c: Client, world: World) -> tuple[str, str, str]:
    """A commune short of the points of a criterion on a percentage where more is better (A has
    them all): the unit, the criterion and its indicator."""
    admin = world.headers("admin")
    kinds = {i.id: i.kind for i in world.plan.indicators}
    rules = {c.id: c for c in world.plan.criteria_of("commune")}
    for result in reversed(c.get(f"/api/v1/runs/{world.run}/results", headers=admin).json()):
        record = c.get(f"/api/v1/runs/{world.run}/units/{result['unit_code']}", headers=admin).json()
        for row in record["criteria"]:
            rule = rules[row["id"]]
            if (kinds[rule.indicator] == "percent" and rule.direction == "higher"
                    and row["status"] in ("partial", "not_met")):
                return result["unit_code"], row["id"], rule.indicator
    raise AssertionError("dữ liệu mẫu phải có xã chưa đạt đủ điểm một tiêu chí tỷ lệ")


def number(el: Element) -> float:
    return float(text(el).replace(".", "").replace(",", "."))


def test_unchanged_values_give_the_dashboards_numbers_and_nothing_is_written(
        client: Client, world: World) -> None:
    csrf = login(client, "unit_own", world)
    dashboard = check_page(client.get(f"/don-vi/{UNIT_A}").text)
    link = by_id(dashboard, "gia-dinh").find("a")
    assert link is not None and text(link) == "Thử thay đổi số liệu (giả định)"
    assert link.get("href", "").startswith(f"/don-vi/{UNIT_A}/gia-dinh")
    before = run(row_counts())
    data = whatif_form(client)
    assert data["_csrf"] == csrf
    fields = {k for k in data if k.startswith("v-")}
    assert fields == {f"v-{i.id}" for i in world.plan.indicators_of("commune")}, "mọi chỉ tiêu của cấp xã"
    response = client.post(f"/don-vi/{UNIT_A}/gia-dinh", data=data)
    assert response.status_code == 200, response.text
    root = checked(response.text)
    assert NOT_SAVED in text(by_id(root, "khong-luu"))
    total = text(by_id(dashboard, "tong-diem"))
    assert text(by_id(root, "tong-sau")) == text(by_id(root, "tong-truoc")) == total
    assert text(by_id(root, "hang-cum-sau")) == text(by_id(dashboard, "hang-cum"))
    assert text(by_id(root, "xep-loai-sau")) == text(by_id(dashboard, "xep-loai"))
    assert not [tr for tr in root.iter("tr") if tr.get("class") == "changed"], "không thay gì thì không tô gì"
    assert run(row_counts()) == before, "thử giả định không được ghi gì vào cơ sở dữ liệu"


def test_a_raised_value_raises_the_total_and_highlights_its_criterion(client: Client, world: World) -> None:
    login(client, "admin", world)  # staff may try for any unit
    code, criterion, indicator = raisable(client, world)
    data = whatif_form(client, code)
    before = run(row_counts())
    response = client.post(f"/don-vi/{code}/gia-dinh", data={**data, f"v-{indicator}": "100"})
    assert response.status_code == 200, response.text
    root = checked(response.text)
    assert number(by_id(root, "tong-sau")) > number(by_id(root, "tong-truoc"))
    row = by_id(root, f"gd-{criterion}")
    mark = row.find(".//mark")
    assert row.get("class") == "changed" and mark is not None and text(mark).startswith("+")
    assert by_id(root, "dong-tong").get("class") == "changed"
    assert by_id(root, f"v-{indicator}").get("value") == "100", "ô vừa thử phải giữ giá trị đã thử"
    assert run(row_counts()) == before
    dashboard = parse(client.get(f"/don-vi/{code}").text)
    assert number(by_id(dashboard, "tong-diem")) == number(by_id(root, "tong-truoc")), "bảng điểm không đổi"


def test_a_bad_value_is_shown_next_to_its_field(client: Client, world: World) -> None:
    login(client, "unit_own", world)
    data = whatif_form(client)
    word, too_big = [i.id for i in world.plan.indicators_of("commune") if i.kind == "percent"][:2]
    data.update({f"v-{word}": "abc", f"v-{too_big}": "120"})
    response = client.post(f"/don-vi/{UNIT_A}/gia-dinh", data=data)
    assert response.status_code == 400
    root = checked(response.text)
    for indicator, typed in ((word, "abc"), (too_big, "120")):
        field, error = by_id(root, f"v-{indicator}"), by_id(root, f"err-{indicator}")
        assert field.get("aria-invalid") == "true" and field.get("value") == typed
        assert f"err-{indicator}" in field.get("aria-describedby", "").split()
        assert error.get("role") == "alert" and "không hợp lệ" in text(error)
    assert "ngoài khoảng 0–100" in text(by_id(root, f"err-{too_big}"))
    assert root.find(".//*[@id='ket-qua']") is None, "giá trị sai thì không có kết quả giả định"


@pytest.mark.parametrize("role", ["unit_other", "council"])
def test_someone_else_gets_403_and_no_data(client: Client, world: World, role: str) -> None:
    csrf = login(client, role, world)
    name = world.registry.unit(UNIT_A).name
    url = f"/don-vi/{UNIT_A}/gia-dinh"
    for response in (client.get(url), client.post(url, data={"_csrf": csrf, "ky": str(world.period)})):
        assert response.status_code == 403
        assert "Không có quyền truy cập" in response.text
        assert name not in response.text and "form-gia-dinh" not in response.text
    client.cookies.clear()
    anonymous = client.get(f"/don-vi/{UNIT_A}/gia-dinh", follow_redirects=False)
    assert anonymous.status_code in (302, 303) and anonymous.headers["location"].startswith("/dang-nhap")


def test_staff_may_try_and_the_form_needs_the_csrf_token(client: Client, world: World) -> None:
    login(client, "admin", world)
    data = whatif_form(client)
    assert client.post(f"/don-vi/{UNIT_A}/gia-dinh", data=data).status_code == 200
    del data["_csrf"]
    assert client.post(f"/don-vi/{UNIT_A}/gia-dinh", data=data).status_code == 403


def test_the_dashboard_shows_the_rank_interval_of_the_robustness_service(client: Client,
                                                                          world: World) -> None:
    login(client, "unit_own", world)
    root = check_page(client.get(f"/don-vi/{UNIT_A}").text)
    url = f"/api/v1/runs/{world.run}/units/{UNIT_A}/robustness"
    row = client.get(url, headers=world.headers("admin")).json()
    low, high = row["rank_p5"], row["rank_p95"]
    interval = f"{low}–{high}" if low != high else str(low)
    sentence = text(by_id(root, "do-vung"))
    assert sentence.startswith(f"Độ vững của thứ hạng: hạng {row['rank_in_cluster']} trong cụm;")
    assert "khi trọng số các tiêu chí thay đổi ±20 %" in sentence
    assert text(by_id(root, "do-vung-khoang")) == interval
    assert text(by_id(root, "do-vung-trung-vi")) == str(row["rank_median"])
    assert text(by_id(root, "do-vung-dau")) == f"{vn_number(row['share_first'] * 100, 1)} %"
    assert text(by_id(root, "hang-cum")).split("/")[0] == str(row["rank_in_cluster"])
    assert root.find(".//*[@id='tien-than']") is None, "xã không có đơn vị tiền thân: không có mục này"


def test_a_merged_commune_shows_its_predecessors_published_results(client: Client, world: World) -> None:
    registry, first, second = with_merger(world.registry)
    run(save_registry(registry, actor="system"))
    try:
        login(client, "admin", world)
        dashboard = client.get(f"/don-vi/{MERGED}")
        assert dashboard.status_code == 200, dashboard.text
        public = client.get(f"/don-vi/{MERGED}/cong-khai")
        assert public.status_code == 200, public.text
        for html in (dashboard.text, public.text):
            root = checked(html)
            for code in (first, second):
                record = client.get(f"/api/v1/runs/{world.published_run}/units/{code}").json()
                assert text(by_id(root, f"tien-than-{code}")).startswith(registry.unit(code).name)
                table = by_id(root, f"bang-tien-than-{code}")
                rows = [[text(cell) for cell in tr] for tr in table.iter("tr")]
                assert rows[1:] == [[
                    "2023", "Cấp xã", f"{vn_number(record['total'])}/{vn_number(record['max'])}",
                    record["band_name"],
                    f"{record['rank_in_cluster']}/{record['cluster_size']} ({record['cluster_name']})",
                ]], "chỉ kết quả đã công bố (năm 2023), không có kết quả tạm thời năm 2024"
    finally:
        run(save_registry(world.registry, actor="system"))
