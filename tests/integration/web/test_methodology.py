"""The public methodology pages on stored plan versions: every criterion with its source, the
list of plans and versions, and the differences between two versions.

The module's world is the API tests' loaded province (the shipped plan, stored as version 1)
plus two more stored versions: a modified copy of the shipped plan (same plan id; points,
target, method and source changed, one criterion renamed so it is removed and added) and a
copy under another plan id (a second plan).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import pytest
from litestar.testing import TestClient

from criteria.describe import bonus_text, deduction_text, method_text
from criteria.model import Plan
from criteria.shipped import shipped_plan_path
from scoring.services.plan_store import save_plan_version
from server.app import create_app

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
import loaded_province as province
from test_admin_pages import checked_page
from test_unit_pages import by_id, text

pytestmark = pytest.mark.db
Client = TestClient[Any]
RENAMED, NEW_ID = "cq.ra-soat-cu-tru", "cq.ra-soat-cu-tru-2025"


@dataclass
class Versions:
    plan: Plan
    first: int  # the shipped plan
    second: int  # its modified copy
    other: int  # the shipped plan under another plan id


def edit(toml: str, criterion: str, old: str, new: str) -> str:
    """Replace the first ``old`` after the line ``id = "<criterion>"`` (inside that table)."""
    start = toml.index(f'id = "{criterion}"')
    at = toml.index(old, start)
    assert at < toml.index("[[", start), f"«{old}» không nằm trong bảng của {criterion}"
    return toml[:at] + new + toml[at + len(old):]


def modified(toml: str) -> str:
    toml = toml.replace('version = "2022.1"', 'version = "2022.2"', 1)
    toml = edit(toml, "cq.ha-tang-cntt", "max_points = 7", "max_points = 8")
    toml = edit(toml, "cq.tai-khoan-ket-noi", "max_points = 5", "max_points = 4")
    toml = edit(toml, "cq.dvc-bo-nganh-truc-tuyen", "target = 50", "target = 60")
    toml = edit(toml, "cq.dvc-bo-nganh-truc-tuyen", 'source = "seeds/004',
                'source = "seeds/001 §II.1; seeds/004')
    toml = edit(toml, "cq.kcb-cccd", 'method = "ratio_to_target"', 'method = "threshold"')
    return edit(toml, RENAMED, f'id = "{RENAMED}"', f'id = "{NEW_ID}"')


async def store_versions() -> Versions:
    world = await province.load_world()
    shipped = shipped_plan_path().read_text(encoding="utf-8")
    second, _, created = await save_plan_version(modified(shipped), "kiem-thu")
    assert created
    other_text = shipped.replace('id = "tuyen-quang-de-an-06-2022-2025"', 'id = "ke-hoach-khac"', 1)
    other_text = other_text.replace('title = "Phong trào', 'title = "Kế hoạch khác:', 1)
    other, _, _ = await save_plan_version(other_text, "kiem-thu")
    return Versions(world.plan, world.plan_version, second, other)


@pytest.fixture(scope="module")
def versions(migrated_database: str) -> Versions:
    return province.run(store_versions())


@pytest.fixture(scope="module")
def client(versions: Versions) -> Iterator[Client]:
    with TestClient(app=create_app()) as c:  # nobody logs in: the pages are public
        yield c


def get_page(client: Client, url: str, status: int = 200) -> Element:
    response = client.get(url)
    assert response.status_code == status, f"{url}: {response.status_code} {response.text[:400]}"
    assert "text/html" in response.headers["content-type"]
    return checked_page(response.text)


def squash(value: str) -> str:
    return " ".join(value.split())


def test_the_list_shows_every_plan_and_version(client: Client, versions: Versions) -> None:
    root = get_page(client, "/phuong-phap")
    page = text(root)
    links = {a.get("href") for a in root.iter("a")}
    for version in (versions.first, versions.second, versions.other):
        assert f"/phuong-phap/{version}" in links, f"thiếu liên kết tới phiên bản {version}"
    assert "/phuong-phap" in links, "menu chính phải có liên kết «Phương pháp chấm điểm»"
    assert text(by_id(root, "kh-tuyen-quang-de-an-06-2022-2025")) == versions.plan.info.title
    assert "Kế hoạch khác:" in text(by_id(root, "kh-ke-hoach-khac"))
    assert "2022.1" in page and "2022.2" in page
    assert "2023, 2024" in text(by_id(root, f"pb-{versions.first}")), "phiên bản dùng cho các năm 2023, 2024"
    form = by_id(root, "form-so-sanh")
    assert {s.get("name") for s in form.iter("select")} == {"tu", "den"}


def test_the_plan_page_lists_every_criterion_with_its_source(client: Client, versions: Versions) -> None:
    plan = versions.plan
    root = get_page(client, f"/phuong-phap/{versions.first}")
    indicators = {i.id: i for i in plan.indicators}
    for c in plan.criteria:
        row = text(by_id(root, f"tc-{c.id}"))
        assert c.id in row and squash(c.source) in row, f"tiêu chí {c.id} phải có mã và nguồn"
        assert squash(c.name) in row and squash(indicators[c.indicator].name) in row
        assert method_text(c, indicators[c.indicator]) in row, f"thiếu cách tính của {c.id}"
    for b in plan.bonuses:
        row = text(by_id(root, f"tt-{b.id}"))
        assert squash(b.source) in row and bonus_text(b, indicators[b.indicator]) in row
    for d in plan.deductions:
        row = text(by_id(root, f"tr-{d.id}"))
        assert squash(d.source) in row and deduction_text(d, indicators[d.indicator]) in row
    for band in plan.bands:
        assert squash(band.name) in text(by_id(root, f"xl-{band.level}-{band.id}"))
    for level in plan.levels:
        assert text(by_id(root, f"cap-{level.id}")) == level.name
    steps = [text(li) for li in by_id(root, "thu-tu-xep-hang").iter("li")]
    assert steps[0] == "tỷ lệ điểm cao hơn" and steps[-1].startswith("mã đơn vị nhỏ hơn")
    assert plan.sha256[:12] in text(root)


def test_the_diff_of_two_stored_versions(client: Client, versions: Versions) -> None:
    root = get_page(client, f"/phuong-phap/so-sanh?tu={versions.first}&den={versions.second}")

    def change_rows(criterion: str) -> dict[str, list[str]]:
        table = by_id(root, f"criteria-doi-{criterion}")
        return {text(tr.find("th")): [text(td) for td in tr.findall("td")]
                for tr in table.iter("tr") if tr.find("td") is not None}

    assert change_rows("cq.ha-tang-cntt")["Điểm tối đa"] == ["7", "8"]
    assert change_rows("cq.tai-khoan-ket-noi")["Điểm tối đa"] == ["5", "4"]
    target = change_rows("cq.dvc-bo-nganh-truc-tuyen")
    assert target["Chỉ tiêu"] == ["50", "60"]
    assert target["Nguồn"][1].startswith("seeds/001 §II.1; seeds/004")
    assert "≥ 60 %" in target["Cách tính (diễn giải)"][1]
    method = change_rows("cq.kcb-cccd")["Phương pháp"]
    assert method == ["tỷ lệ so với chỉ tiêu (ratio_to_target)", "đạt ngưỡng (threshold)"]
    assert RENAMED in text(by_id(root, "criteria-bo")) and NEW_ID in text(by_id(root, "criteria-them"))
    assert NEW_ID not in text(by_id(root, "criteria-bo"))
    general = [[text(cell) for cell in tr] for tr in by_id(root, "thay-doi-chung").iter("tr")]
    assert ["Phiên bản", "2022.1", "2022.2"] in general
    chosen = {s.get("name"): [o.get("value") for o in s.iter("option") if o.get("selected") is not None]
              for s in by_id(root, "form-so-sanh").iter("select")}
    assert chosen == {"tu": [str(versions.first)], "den": [str(versions.second)]}


def test_a_version_compared_with_itself_has_no_difference(client: Client, versions: Versions) -> None:
    root = get_page(client, f"/phuong-phap/so-sanh?tu={versions.first}&den={versions.first}")
    assert "cùng nội dung" in text(by_id(root, "khong-khac"))
    other = get_page(client, f"/phuong-phap/so-sanh?tu={versions.first}&den={versions.other}")
    assert root.find(".//*[@id='criteria-bo']") is None and other.find(".//*[@id='khong-khac']") is None
    assert "ke-hoach-khac" in text(other), "so sánh hai kế hoạch khác nhau chỉ ra mã kế hoạch đã đổi"


def test_the_version_page_offers_the_comparison_with_the_one_before(client: Client,
                                                                    versions: Versions) -> None:
    root = get_page(client, f"/phuong-phap/{versions.second}")
    assert f"/phuong-phap/so-sanh?den={versions.second}" in {a.get("href") for a in root.iter("a")}
    diff = get_page(client, f"/phuong-phap/so-sanh?den={versions.second}")
    chosen = [o.get("value") for o in by_id(diff, "tu").iter("option") if o.get("selected") is not None]
    assert chosen == [str(versions.first)], "mặc định so với phiên bản lưu ngay trước"


def test_an_unknown_version_is_a_vietnamese_404_page(client: Client) -> None:
    for url in ("/phuong-phap/999999", "/phuong-phap/so-sanh?tu=999999&den=1"):
        response = client.get(url)
        assert response.status_code == 404 and "text/html" in response.headers["content-type"]
        assert "999999" in response.text
