"""The right of reply in the browser, end to end, on the real server (see ``conftest.py``).

The Department appraised one of the commune's values down to 60 % and scores the communes again;
staff share that run as provisional results; the commune's officer opens its reply page from its
score page and disputes the criterion, claiming 100 %; staff see the dispute and accept it with
the corrected value, which scores the communes again at once; staff publish the new run, and an
anonymous visitor reads the commune's corrected total on its public page. Every page visited
passes :func:`e2e_checks.check_page`. At the end the 2024 period is reopened (publication locked
it) so that the world stays usable for data entry.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from e2e_world import LEVEL, OPEN_YEAR, World
from test_flows import click_and_wait, log_in, text_of

from web.templating import vn_number

pytestmark = [pytest.mark.db, pytest.mark.e2e]


def lowered_criterion(world: World) -> tuple[str, str]:
    """(criterion, indicator) of a commune criterion scored in proportion to a percentage, target 100."""
    kinds = {i.id: i.kind for i in world.plan.indicators}
    found = next(c for c in world.plan.criteria_of(LEVEL) if kinds[c.indicator] == "percent"
                 and c.direction == "higher" and c.method in ("linear", "ratio_to_target")
                 and c.target == 100)
    return found.id, found.indicator


def api_json(page: Any, url: str) -> Any:
    answer = page.context.request.get(url)
    assert answer.ok, answer.text()
    return answer.json()


def test_a_commune_disputes_staff_accept_and_the_public_sees_the_corrected_result(site: Any, page: Any,
                                                                                  world: World) -> None:
    criterion, indicator = lowered_criterion(world)
    log_in(site, page, world.admin, "/quan-tri")
    csrf = page.locator("input[name=_csrf]").first.get_attribute("value")
    appraised = page.context.request.post(
        f"/api/v1/periods/{world.open_period}/values/{world.unit}/{indicator}/appraisal",
        data={"accept": False, "value": 60, "reason": "Biên bản kiểm tra chỉ ghi nhận 60 %."},
        headers={"X-CSRF-Token": csrf or ""})
    assert appraised.ok, appraised.text()

    admin_menu = page.get_by_role("navigation", name="Các chức năng quản trị")
    click_and_wait(page, admin_menu.get_by_role("link", name="Chấm điểm, công bố"))
    site.check(page)
    page.get_by_label("Kỳ đánh giá").select_option(label=f"Năm {OPEN_YEAR}")
    page.get_by_label("Cấp", exact=True).select_option(label=world.plan.level(LEVEL).name)
    click_and_wait(page, page.get_by_role("button", name="Chấm điểm", exact=True))
    site.check(page)
    shared_run = int(re.search(r"/quan-tri/luot-cham/(\d+)$", page.url)[1])  # type: ignore[index]
    before = api_json(page, f"/api/v1/runs/{shared_run}/units/{world.unit}")

    click_and_wait(page, admin_menu.get_by_role("link", name="Giải trình"))
    site.check(page)
    row = page.locator(f"[id='luot-{shared_run}']")
    assert row.get_by_label(re.compile("^Số ngày giải trình")).input_value() == "7"
    share = row.get_by_role("button", name=f"Chia sẻ kết quả tạm thời của lượt chấm số {shared_run}")
    click_and_wait(page, share)
    site.check(page)
    assert f"lượt chấm số {shared_run}" in text_of(page.get_by_role("status"))
    assert "Đến " in text_of(page.locator(f"[id='luot-{shared_run}']"))

    # The commune's officer, from its score page.
    officer = site.new_page()
    log_in(site, officer, world.officer, f"/don-vi/{world.unit}")
    click_and_wait(officer, officer.locator("#tam-thoi").get_by_role("link", name="Giải trình"))
    assert officer.url.endswith(f"/don-vi/{world.unit}/giai-trinh")
    site.check(officer)
    shared = officer.get_by_role("table", name="Các lượt chấm đã chia sẻ với đơn vị")
    listed = shared.get_by_role("row", name=re.compile(f"số {shared_run}\\b"))
    assert "Đang nhận giải trình" in text_of(listed)
    choice = officer.get_by_label("Tiêu chí cần giải trình")
    choice.select_option(value=criterion)
    scored = next(c for c in before["criteria"] if c["id"] == criterion)
    assert scored["points"] < scored["max_points"], "the appraisal took points away"
    points = f"{vn_number(scored['points'])}/{vn_number(scored['max_points'])} điểm"
    assert points in text_of(choice.locator("option:checked"))
    officer.get_by_label(re.compile("^Giá trị đơn vị đề nghị")).fill("100")
    officer.get_by_label("Nội dung giải trình").fill("Đơn vị đã hoàn thành 100 %, có biên bản nghiệm thu.")
    officer.get_by_label(re.compile("^Đường dẫn minh chứng")).fill("https://tuyenquang.gov.vn/bien-ban.pdf")
    click_and_wait(officer, officer.get_by_role("button", name="Gửi giải trình"))
    site.check(officer)
    sent = re.search(r"da_gui=(\d+)", officer.url)
    assert sent, officer.url
    dispute = int(sent[1])
    card = officer.get_by_role("article", name=re.compile(f"^Giải trình số {dispute}:"))
    assert "Đang chờ trả lời" in text_of(card) and "100 %" in text_of(card)
    officer.goto(f"/don-vi/{world.other_unit}/giai-trinh")  # another commune's replies: refused
    site.check(officer, 403)
    assert "biên bản nghiệm thu" not in officer.inner_text("main")

    # Staff answer: accept, with the corrected value; the communes are scored again at once.
    click_and_wait(page, admin_menu.get_by_role("link", name="Giải trình"))
    site.check(page)
    card = page.get_by_role("article", name=re.compile(f"^Giải trình số {dispute}:"))
    assert world.registry.unit(world.unit).name in text_of(card)
    assert "có biên bản nghiệm thu" in text_of(card)
    card.get_by_label(re.compile("^Gửi thêm trao đổi")).fill("Đã đối chiếu biên bản nghiệm thu.")
    click_and_wait(page, card.get_by_role("button", name=re.compile("^Gửi trao đổi")))
    site.check(page)
    card = page.get_by_role("article", name=re.compile(f"^Giải trình số {dispute}:"))
    assert "Đã đối chiếu biên bản nghiệm thu." in text_of(card.get_by_role("list"))
    card.get_by_label(re.compile("^Giá trị sau thẩm định")).fill("100")
    click_and_wait(page, card.get_by_role("button", name=f"Chấp nhận giải trình số {dispute}", exact=True))
    site.check(page)
    status = page.get_by_role("status")
    assert "được chấp nhận" in text_of(status)
    click_and_wait(page, status.get_by_role("link", name=re.compile("^lượt chấm số")))
    new_run = int(re.search(r"/quan-tri/luot-cham/(\d+)$", page.url)[1])  # type: ignore[index]
    assert new_run > shared_run
    site.check(page)
    after = api_json(page, f"/api/v1/runs/{new_run}/units/{world.unit}")
    row_after = next(c for c in after["criteria"] if c["id"] == criterion)
    assert row_after["value"] == 100 and row_after["points"] == row_after["max_points"]
    assert after["total"] > before["total"]

    click_and_wait(page, page.get_by_role("link", name=re.compile("^Công bố lượt chấm này")))
    site.check(page)
    click_and_wait(page, page.get_by_role("button", name="Xác nhận công bố"))
    site.check(page)
    assert "Đã công bố" in text_of(page.get_by_role("status"))

    visitor = site.new_page()
    visitor.goto(f"/don-vi/{world.unit}/cong-khai")
    site.check(visitor)
    year_row = visitor.get_by_role("row").filter(has_text=str(OPEN_YEAR)).first
    cells = [text_of(c).split("/")[0] for c in year_row.get_by_role("cell").all()]
    assert vn_number(after["total"]) in cells and vn_number(before["total"]) not in cells, cells
    ranking = visitor.context.request.get(f"/api/v1/rankings?period_id={world.open_period}&level={LEVEL}")
    assert ranking.ok and ranking.json()["run"]["id"] == new_run
    mine = next(r for r in ranking.json()["results"] if r["unit_code"] == world.unit)
    assert mine["total"] == after["total"]

    # Publication locked the 2024 period: reopen it for whatever runs after.
    click_and_wait(page, admin_menu.get_by_role("link", name="Tổng quan"))
    site.check(page)
    page.locator(f"[id='ly-do-{world.open_period}']").fill("Tiếp tục nhập số liệu sau kiểm thử giải trình")
    click_and_wait(page, page.get_by_role("button", name=f"Mở lại kỳ năm {OPEN_YEAR}"))
    site.check(page)
