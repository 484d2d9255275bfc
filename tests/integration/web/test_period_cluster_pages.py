"""Staff pages of a period's own clusters: change the members and officers of one year, start
again from the registry, a locked year refused; the API lists the same composition."""

from __future__ import annotations

import html
import sys
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient
from test_admin_pages import ADMIN, admin, app_client, checked_page, csrf, login, page, world  # noqa: F401 (fixtures)

from scoring.registry.store import load_registry_from_db
from scoring.services.period_clusters import registry_for_period

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
import loaded_province as province  # the API tests' loaded province

pytestmark = pytest.mark.db


def post(client: TestClient[Any], url: str, data: dict[str, str]) -> Any:
    return client.post(url, data={**data, "_csrf": csrf(client)}, follow_redirects=False)


def test_one_year_of_a_cluster_changes_alone(admin: TestClient[Any], world: province.World) -> None:
    base = f"/quan-tri/ky/{world.period}/cum-thi-dua"
    registry = province.run(load_registry_from_db())
    first, second = [c.code for c in registry.clusters
                     if c.level == "commune" and registry.members(c.code)][:2]
    moved = registry.members(second)[0]
    text = html.unescape(page(admin, base))
    assert "Khối/cụm thi đua năm 2024" in text and f'href="{base}/{first}"' in text
    assert "Thêm khối/cụm" not in text, "danh mục khối/cụm chỉ thêm ở trang chung"
    assert f'href="/quan-tri/ky/{world.period}/cum-thi-dua"' in html.unescape(
        page(admin, f"/quan-tri/ky/{world.period}"))

    members = [u.code for u in registry.members(first)] + [moved.code]
    answer = post(admin, f"{base}/{first}/thanh-vien", {"thanh_vien": "\n".join(members)})
    assert answer.status_code == 303, answer.text[:500]
    answer = post(admin, f"{base}/{first}/truong-pho", {"cum_truong": moved.code, "cum_pho": ""})
    assert answer.status_code == 303, answer.text[:500]
    text = html.unescape(page(admin, answer.headers["location"]))
    assert "Đã lưu cụm trưởng, cụm phó" in text and "năm 2024" in text and "Đổi tên" not in text

    assert province.run(registry_for_period(world.period)).unit(moved.code).cluster == first
    assert province.run(load_registry_from_db()).unit(moved.code).cluster == second
    assert province.run(registry_for_period(world.published_period)).unit(moved.code).cluster == second
    listed = {c["code"]: c for c in admin.get(f"/api/v1/periods/{world.period}/clusters").json()}
    assert moved.code in listed[first]["members"] and listed[first]["leader"] == moved.code
    assert moved.code not in listed[second]["members"]

    # The published 2023 period is locked: its clusters cannot change.
    locked = post(admin, f"/quan-tri/ky/{world.published_period}/cum-thi-dua/{first}/thanh-vien",
                  {"thanh_vien": "\n".join(members)})
    assert locked.status_code == 409
    checked_page(locked.text)
    assert "đã khóa" in html.unescape(locked.text)

    # Starting again from the registry asks for a confirmation, then undoes the year's change.
    unconfirmed = post(admin, f"{base}/chep-lai", {})
    assert unconfirmed.status_code == 400 and "ô xác nhận" in html.unescape(unconfirmed.text)
    answer = post(admin, f"{base}/chep-lai", {"xac_nhan": "co"})
    assert answer.status_code == 303
    assert "Đã chép lại" in html.unescape(page(admin, answer.headers["location"]))
    assert province.run(registry_for_period(world.period)).unit(moved.code).cluster == second
