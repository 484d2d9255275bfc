"""The period pages: open a period (times typed and shown in Vietnam time), refusals that keep
what was typed, and one level's data locked and reopened with a reason."""

from __future__ import annotations

import html
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient
from test_admin_pages import ADMIN, admin, app_client, csrf, login, page, world  # noqa: F401 (fixtures)

from scoring.services import periods as period_service
from scoring.services import values as value_service
from storage.errors import ServiceError

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
import loaded_province as province  # the API tests' loaded province

pytestmark = pytest.mark.db



def form(world: province.World, **changes: str) -> dict[str, str]:
    typed = {"nam": "2025", "phien_ban": str(world.plan_version), "mo": "02/01/2025 08:00",
             "dong": "15/12/2025 17:30", "han_nop": "20/12/2025 16:45"}
    return {**typed, **changes}


def post(client: TestClient[Any], url: str, data: dict[str, str]) -> Any:
    return client.post(url, data={**data, "_csrf": csrf(client)}, follow_redirects=False)


def test_the_new_period_form_lists_the_stored_plans(admin: TestClient[Any], world: province.World) -> None:
    text = page(admin, "/quan-tri/ky/moi")
    assert f"{world.plan.info.title} (phiên bản {world.plan.info.version})" in html.unescape(text)
    assert 'href="/quan-tri/ky/moi"' in page(admin, "/quan-tri")


@pytest.mark.parametrize(("changes", "status", "field", "words"), [
    ({"dong": "01/01/2025 08:00"}, 400, "dong", "thời điểm đóng phải sau thời điểm mở"),
    ({"nam": "2024"}, 409, "nam", "Năm 2024"),
    ({"phien_ban": "99999"}, 400, "phien_ban", "Phiên bản kế hoạch"),
    ({"mo": "32/01/2025 08:00"}, 400, "mo", "Mở nhập số liệu"),
    ({"han_nop": "01/12/2025 08:00"}, 400, "han_nop", "Hạn nộp hồ sơ"),
])
def test_a_refusal_names_the_field_and_keeps_what_was_typed(
        admin: TestClient[Any], world: province.World, changes: dict[str, str], status: int, field: str,
        words: str) -> None:
    before = len(province.run(period_service.list_periods()))
    typed = form(world, **changes)
    answer = post(admin, "/quan-tri/ky/moi", typed)
    assert answer.status_code == status, answer.text[:500]
    text = html.unescape(answer.text)
    page_text = answer.text
    assert f'id="loi-{field}"' in page_text and 'aria-invalid="true"' in page_text
    assert words in text
    for name in ("nam", "mo", "dong", "han_nop"):
        assert f'value="{typed[name]}"' in text, f"ô «{name}» phải giữ điều đã nhập"
    if field != "phien_ban":
        assert f'value="{world.plan_version}" selected' in page_text
    assert len(province.run(period_service.list_periods())) == before


def test_a_new_period_is_stored_utc_and_shown_as_typed(admin: TestClient[Any], world: province.World) -> None:
    answer = post(admin, "/quan-tri/ky/moi", form(world))
    assert answer.status_code == 303, answer.text[:500]
    location = answer.headers["location"]
    period_id = int(location.split("/")[-1].split("?")[0])
    period = province.run(period_service.get_period(period_id))
    assert period["entry_opens"] == datetime(2025, 1, 2, 1, 0, tzinfo=UTC)
    assert period["submission_deadline"] == datetime(2025, 12, 20, 9, 45, tzinfo=UTC)
    text = page(admin, location)
    for shown in ("02/01/2025 08:00", "15/12/2025 17:30", "20/12/2025 16:45", "Đã mở kỳ đánh giá năm 2025"):
        assert shown in text


def test_one_level_locked_then_reopened_with_a_reason(admin: TestClient[Any], world: province.World) -> None:
    url = f"/quan-tri/ky/{world.period}"
    commune = world.plan.level(province.LEVEL).name
    assert f"Khóa số liệu cấp {commune}" in page(admin, url)
    refused = post(admin, f"{url}/cap/{province.LEVEL}/khoa", {"ly_do": "  "})
    assert refused.status_code == 400 and 'id="loi-ly-do-commune"' in refused.text
    locked = post(admin, f"{url}/cap/{province.LEVEL}/khoa", {"ly_do": "Chốt số liệu cấp xã"})
    assert locked.status_code == 303
    text = page(admin, locked.headers["location"])
    assert f"Đã khóa số liệu cấp «{commune}»" in html.unescape(text)
    assert f"Mở lại số liệu cấp {commune}" in text
    with pytest.raises(ServiceError) as caught:
        province.run(value_service.set_own_value(world.period, province.UNIT_A, world.indicator, "91",
                                                 actor="canbo"))
    assert caught.value.code == "period_locked"
    admin.cookies.clear()
    login(admin, province.PEOPLE["unit_own"][0])
    entry = admin.get(f"/nhap-lieu?ky={world.period}")
    assert entry.status_code == 200 and 'id="khoa-cap"' in entry.text, "cán bộ đơn vị thấy cấp đã khóa"
    admin.cookies.clear()
    login(admin, ADMIN)
    reopened = post(admin, f"{url}/cap/{province.LEVEL}/mo-lai", {"ly_do": "Đơn vị bổ sung minh chứng"})
    assert reopened.status_code == 303
    assert f"Đã mở lại số liệu cấp «{commune}»" in html.unescape(page(admin, reopened.headers["location"]))
    log = html.unescape(page(admin, "/quan-tri/nhat-ky"))
    assert "Đơn vị bổ sung minh chứng" in log and "Chốt số liệu cấp xã" in log
