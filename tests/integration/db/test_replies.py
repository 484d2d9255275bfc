"""The right of reply: a run shared as provisional, disputes inside the window, the thread,
accepting with a corrected value (a new run at once) or rejecting, and publication that waits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from open_province import open_year

from accounts.service import create_account, create_api_token
from criteria.model import Plan
from http_layer.errors import status_of
from presentation.times import datetime_text
from scoring.services import replies, runs
from scoring.services.publish import publish_run
from scoring.services.values import appraise, list_values
from scoring.tables import RunShare
from server.app import create_app
from storage.audit import verify
from storage.errors import ServiceError
from storage.tables import AuditEntry

pytestmark = pytest.mark.db
UNIT, OTHER = "02200", "02203"  # two communes of one cluster


def lowered(plan: Plan) -> str:
    """A commune criterion scored in proportion to a percentage whose target is 100."""
    kinds = {i.id: i.kind for i in plan.indicators}
    return next(c.id for c in plan.criteria_of("commune") if kinds[c.indicator] == "percent"
                and c.direction == "higher" and c.method in ("linear", "ratio_to_target") and c.target == 100)


@pytest.fixture
async def shared(clean_db: str, tmp_path: Path) -> tuple[dict[str, Any], Plan]:
    """The 2024 commune run, shared with the communes for seven days; both communes' value of one
    criterion was appraised down to 60 first, so they are short of its full points."""
    period_id, plan, _ = await open_year(tmp_path)
    indicator = next(c.indicator for c in plan.criteria if c.id == lowered(plan))
    for unit in (UNIT, OTHER):
        await appraise(period_id, unit, indicator, actor="admin", accept=False, value=60,
                       reason="Biên bản kiểm tra chỉ ghi nhận 60 %.")
    run = await runs.start_run(period_id, "commune", "admin")
    share = await replies.share_run(run["id"], "admin")
    assert share["open"] and share["reply_until"] - share["shared_at"] == timedelta(days=7)
    return run, plan


async def short_criterion(run_id: int, plan: Plan, unit: str = UNIT) -> dict[str, Any]:
    """A criterion of the unit short of full points whose indicator is a percentage (100 gives it all)."""
    kinds = {i.id: i.kind for i in plan.indicators}
    rules = {c.id: c for c in plan.criteria}
    scored = await runs.unit_breakdown(run_id, unit)
    return next(c for c in scored["criteria"] if c["status"] in ("partial", "not_met")
                and kinds[rules[c["id"]].indicator] == "percent" and rules[c["id"]].direction == "higher")


async def dispute(run_id: int, criterion: str, unit: str = UNIT, claimed: object = "100") -> dict[str, Any]:
    return await replies.open_dispute(run_id, unit, criterion, actor=f"canbo.{unit}", claimed=claimed,
                                      explanation="Số liệu đã cập nhật đủ, kèm biên bản kiểm tra.",
                                      evidence_url="https://example.gov.vn/bien-ban.pdf")


async def refused(coro: Any, code: str) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        await coro
    assert caught.value.code == code, caught.value.message
    assert not caught.value.message.isascii(), "messages are Vietnamese"
    return caught.value


async def test_publication_waits_until_every_dispute_is_answered(shared: tuple[dict[str, Any], Plan]) -> None:
    run, plan = shared
    criterion = await short_criterion(run["id"], plan)
    opened = await dispute(run["id"], criterion["id"])
    assert opened["status"] == "open" and opened["claimed_value"] == 100
    assert opened["criterion_name"] == criterion["name"]

    error = await refused(publish_run(run["id"], "admin"), "disputes_open")
    assert status_of(error) == 409 and "giải trình" in error.message and error.details["open_disputes"] == 1
    assert not (await runs.get_run(run["id"]))["published"]

    await replies.add_message(opened["id"], "Đề nghị bổ sung biên bản.", actor="admin", side="staff")
    await replies.add_message(opened["id"], "Đã bổ sung.", actor="canbo", side="unit")
    assert [m["side"] for m in await replies.messages(opened["id"])] == ["staff", "unit"]

    answered = await replies.reject(opened["id"], actor="admin", reason="Biên bản không có xác nhận.")
    assert answered["status"] == "rejected" and answered["answer"] == "Biên bản không có xác nhận."
    assert (await replies.dispute_counts([run["id"]]))[run["id"]] == {"open": 0, "accepted": 0, "rejected": 1}
    await refused(replies.add_message(opened["id"], "Thêm.", actor="canbo", side="unit"), "dispute_closed")
    await refused(replies.accept(opened["id"], actor="admin"), "dispute_closed")
    published = await publish_run(run["id"], "admin")
    assert published["published"]
    await refused(replies.share_run(run["id"], "admin"), "already_published")


async def test_after_the_window_closes_disputes_are_refused_and_publication_proceeds(
    shared: tuple[dict[str, Any], Plan],
) -> None:
    run, plan = shared
    criterion = await short_criterion(run["id"], plan)
    waiting = await dispute(run["id"], criterion["id"])
    await refused(dispute(run["id"], criterion["id"]), "conflict")  # one open dispute per criterion

    past = datetime.now(UTC) - timedelta(minutes=1)
    await RunShare.update({RunShare.reply_until: past}).where(RunShare.run == run["id"])
    error = await refused(dispute(run["id"], criterion["id"], unit=OTHER), "reply_window_closed")
    assert datetime_text(past) in error.message and status_of(error) == 409
    assert (await publish_run(run["id"], "admin"))["published"], "the window is closed: publication goes on"
    assert (await replies.get_dispute(waiting["id"]))["status"] == "open"


async def test_what_a_dispute_needs(shared: tuple[dict[str, Any], Plan]) -> None:
    run, plan = shared
    criterion = (await short_criterion(run["id"], plan))["id"]
    await refused(replies.open_dispute(run["id"], UNIT, criterion, actor="x", explanation=" "),
                  "invalid_input")
    await refused(replies.open_dispute(run["id"], UNIT, criterion, actor="x", explanation="Lý do",
                                       evidence_url="ftp://x"), "invalid_input")
    await refused(replies.open_dispute(run["id"], UNIT, "khong-co", actor="x", explanation="Lý do"),
                  "invalid_input")
    await refused(dispute(run["id"], criterion, claimed="150"), "invalid_value")
    other = await runs.start_run(run["period_id"], "commune", "admin")
    await refused(dispute(other["id"], criterion), "not_shared")
    await refused(replies.share_run(other["id"], "admin", days=0), "invalid_input")
    first = (await replies.get_share(run["id"]))["reply_until"]  # type: ignore[index]
    again = await replies.share_run(run["id"], "admin", days=14)  # sharing again moves the window
    assert again["reply_until"] > first
    assert await replies.list_disputes(run_id=run["id"]) == []


async def test_accepting_with_a_value_corrects_it_and_scores_again(
    shared: tuple[dict[str, Any], Plan],
) -> None:
    run, plan = shared
    criterion = await short_criterion(run["id"], plan)
    rejected_one = await short_criterion(run["id"], plan, OTHER)
    kept = await dispute(run["id"], rejected_one["id"], unit=OTHER)
    opened = await dispute(run["id"], criterion["id"])
    before = (await runs.unit_breakdown(run["id"], UNIT))["total"]

    answered = await replies.accept(opened["id"], actor="admin", value="100", note="Đã đối chiếu biên bản.")
    assert answered["status"] == "accepted" and answered["corrected_value"] == 100
    new_run = answered["new_run_id"]
    assert new_run is not None and new_run != run["id"]
    record = await runs.unit_breakdown(new_run, UNIT)
    row = next(c for c in record["criteria"] if c["id"] == criterion["id"])
    assert row["value"] == 100 and row["points"] == row["max_points"]
    assert record["total"] > before
    rules = {c.id: c for c in plan.criteria}
    stored = {v["indicator"]: v for v in await list_values(run["period_id"], UNIT)}
    value = stored[rules[criterion["id"]].indicator]
    assert value["appraised_value"] == 100 and f"giải trình số {opened['id']}" in value["appraisal_note"]
    share = await replies.get_share(new_run)
    assert share is not None and share["reply_until"] == (await replies.get_share(run["id"]))["reply_until"]

    await refused(publish_run(new_run, "admin"), "disputes_open")  # the other commune still waits
    other_before = await list_values(run["period_id"], OTHER)
    await replies.reject(kept["id"], actor="admin", reason="Số liệu đã đúng theo báo cáo.")
    assert await list_values(run["period_id"], OTHER) == other_before, "a rejection keeps the values"
    assert len(await runs.list_runs(run["period_id"], "commune")) == 2, "and scores nothing again"
    assert (await publish_run(new_run, "admin"))["published"]

    actions = [r["action"] for r in await AuditEntry.select(AuditEntry.action).order_by(AuditEntry.seq)]
    for action in ("run.share", "dispute.open", "value.appraise", "dispute.accept", "dispute.reject"):
        assert action in actions, action
    assert actions.count("run.start") == 2 and actions.count("run.share") == 2
    assert (await verify()).ok


async def test_another_unit_neither_sees_nor_writes_a_dispute(shared: tuple[dict[str, Any], Plan]) -> None:
    run, plan = shared
    opened = await dispute(run["id"], (await short_criterion(run["id"], plan))["id"])
    tokens = {}
    people = (("canbo.a", "unit", UNIT), ("canbo.b", "unit", OTHER), ("quantri", "admin", None))
    for name, role, unit in people:
        account = await create_account(name, f"Người thử {name}", "mat-khau-dung-2025", role, unit_code=unit,
                                       actor="system")
        tokens[name] = {"Authorization": f"Bearer {await create_api_token(account['id'], 'thử')}"}
    url = f"/api/v1/disputes/{opened['id']}/messages"
    async with AsyncTestClient(app=create_app()) as client:
        for answer in (await client.get(url, headers=tokens["canbo.b"]),
                       await client.post(url, json={"body": "Xen vào"}, headers=tokens["canbo.b"]),
                       await client.get(f"/api/v1/runs/{run['id']}/disputes", params={"unit": UNIT},
                                        headers=tokens["canbo.b"])):
            assert answer.status_code == 403, answer.text
            assert UNIT not in answer.text and "biên bản" not in answer.text
        mine = await client.get(f"/api/v1/runs/{run['id']}/disputes", headers=tokens["canbo.b"])
        assert mine.status_code == 200 and mine.json() == []
        own = await client.post(url, json={"body": "Bổ sung minh chứng"}, headers=tokens["canbo.a"])
        assert own.status_code == 201 and own.json()["side"] == "unit", own.text
        staff = await client.get(f"/api/v1/runs/{run['id']}/disputes", headers=tokens["quantri"])
        assert [m["body"] for m in staff.json()[0]["messages"]] == ["Bổ sung minh chứng"]
        published = await client.post(f"/api/v1/runs/{run['id']}/publish", headers=tokens["quantri"])
        assert published.status_code == 409 and published.json()["error"]["code"] == "disputes_open"
    assert [m["body"] for m in await replies.messages(opened["id"])] == ["Bổ sung minh chứng"]
