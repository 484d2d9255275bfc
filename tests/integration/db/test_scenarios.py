"""What-if and rank robustness on a stored run: the run reproduced exactly, nothing written."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from open_province import open_year, row_counts

from accounts.service import create_account, create_api_token
from criteria.model import Plan
from presentation.numbers import exact_number_text
from scoring.core.report import shown_value
from scoring.services import scenarios
from scoring.services.runs import canonical, run_results, start_run, unit_breakdown, unit_breakdown_json
from scoring.services.values import appraise, list_values
from scoring.tables import UnitResult
from server.app import create_app
from storage.cache import clear_all
from storage.errors import ServiceError

pytestmark = pytest.mark.db
UNIT, OTHER = "02200", "02203"  # two communes of one cluster


@pytest.fixture
async def commune_run(clean_db: str, tmp_path: Path) -> tuple[dict[str, Any], Plan]:
    """The 2024 period with the demo commune data, scored once (not published)."""
    period_id, plan, _ = await open_year(tmp_path)
    return await start_run(period_id, "commune", "admin"), plan


async def own_values(run: dict[str, Any], plan: Plan, unit: str) -> dict[str, object]:
    """The unit's values the run used, written as people write them (``85,5``, ``15/12/2024``)."""
    indicators = {i.id: i for i in plan.indicators}
    out: dict[str, object] = {}
    for row in await list_values(run["period_id"], unit):
        ind, value = indicators[row["indicator"]], row["effective_value"]
        if value is not None:
            plain = ind.kind not in ("date", "yes_no")
            out[ind.id] = exact_number_text(value) if plain else shown_value(value, ind)
    return out


async def short_of_points(run: dict[str, Any], plan: Plan) -> tuple[str, dict[str, Any], str]:
    """The lowest-ranked commune short of the full points of a criterion scored in proportion to
    a percentage: (unit, that criterion's row of its breakdown, the indicator)."""
    kinds = {i.id: i.kind for i in plan.indicators}
    proportional = {c.id: c.indicator for c in plan.criteria_of("commune")
                    if kinds[c.indicator] == "percent" and c.method in ("ratio_to_target", "linear")}
    for result in reversed(await run_results(run["id"])):
        for row in (await unit_breakdown(run["id"], result["unit_code"]))["criteria"]:
            if row["id"] in proportional and row["status"] == "partial":
                return result["unit_code"], row, proportional[row["id"]]
    raise AssertionError("dữ liệu mẫu phải có xã chưa đạt đủ điểm một tiêu chí tỷ lệ")


async def test_trying_the_values_the_run_used_gives_its_stored_breakdown(
        commune_run: tuple[dict[str, Any], Plan]) -> None:
    run, plan = commune_run
    units = [r["unit_code"] for r in await run_results(run["id"])]
    for unit in [UNIT, OTHER, units[0], units[-1]]:
        answer = await scenarios.what_if(run["id"], unit, await own_values(run, plan, unit))
        stored = await unit_breakdown_json(run["id"], unit)
        assert canonical(answer["after"]) == stored, f"{unit}: thử đúng số liệu đã chấm phải ra y hệt"
        assert canonical(answer["before"]) == stored
        assert answer["differences"]["total"] == 0 and answer["run_id"] == run["id"]
        form = {f["indicator"]: f["value"] for f in await scenarios.what_if_inputs(run["id"], unit)}
        assert canonical((await scenarios.what_if(run["id"], unit, form))["after"]) == stored


async def test_a_raised_value_earns_its_points_and_a_lowered_one_loses_them(
        commune_run: tuple[dict[str, Any], Plan]) -> None:
    run, plan = commune_run
    unit, criterion, indicator = await short_of_points(run, plan)
    before = await unit_breakdown(run["id"], unit)
    raised = await scenarios.what_if(run["id"], unit, {indicator: "100"})
    row = next(c for c in raised["differences"]["criteria"] if c["id"] == criterion["id"])
    assert row["points_after"] == criterion["max_points"] and row["status_after"] == "met"
    assert row["difference"] == pytest.approx(criterion["max_points"] - criterion["points"])
    assert raised["differences"]["total"] == pytest.approx(row["difference"])
    assert raised["after"]["total"] == pytest.approx(before["total"] + row["difference"])
    assert raised["after"]["rank_in_cluster"] <= before["rank_in_cluster"]
    moved = raised["after"]["rank_in_cluster"] - before["rank_in_cluster"]
    assert raised["differences"]["rank_in_cluster"] == moved
    lowered = await scenarios.what_if(run["id"], unit, {indicator: "0"})
    assert lowered["after"]["total"] < before["total"]
    assert lowered["after"]["rank_in_cluster"] >= before["rank_in_cluster"]
    assert await unit_breakdown(run["id"], unit) == before, "kết quả đã lưu không đổi"


async def test_robustness_gives_every_unit_an_ordered_interval(
        commune_run: tuple[dict[str, Any], Plan]) -> None:
    run, _ = commune_run
    results = {r["unit_code"]: r for r in await run_results(run["id"])}
    rows = await scenarios.robustness(run["id"], draws=300)
    assert {r["unit_code"] for r in rows} == set(results), "mọi xã của lần chấm đều có dòng"
    for r in rows:
        stored = results[r["unit_code"]]
        assert r["rank_in_cluster"] == stored["rank_in_cluster"]
        assert r["cluster_size"] == stored["cluster_size"]
        assert 1 <= r["rank_p5"] <= r["rank_median"] <= r["rank_p95"] <= r["cluster_size"], r
        assert r["cluster_name"]
    assert any(r["rank_p5"] < r["rank_p95"] for r in rows)
    rows[0]["rank_median"] = -1  # a caller's change must not reach the cache
    again = await scenarios.robustness(run["id"], draws=300)
    assert again[0]["rank_median"] >= 1 and again == await scenarios.robustness(run["id"], draws=300)
    own = await scenarios.unit_robustness(run["id"], UNIT, draws=300)
    assert own["unit_code"] == UNIT and own["rank_in_cluster"] == results[UNIT]["rank_in_cluster"]
    assert (await scenarios.robustness(run["id"], draws=300, spread=0.0))[0]["rank_p95"] >= 1
    with pytest.raises(ServiceError) as caught:
        await scenarios.unit_robustness(run["id"], "khong-co", draws=300)
    assert caught.value.code == "not_found"


async def test_nothing_is_written(commune_run: tuple[dict[str, Any], Plan]) -> None:
    run, plan = commune_run
    before = await row_counts()
    indicator = plan.indicators_of("commune")[0].id
    await scenarios.what_if(run["id"], UNIT, {indicator: "12,5"})
    await scenarios.what_if(run["id"], OTHER, {indicator: None})
    with pytest.raises(ServiceError):
        await scenarios.what_if(run["id"], UNIT, {indicator: "120"})
    await scenarios.robustness(run["id"], draws=200)
    await scenarios.unit_robustness(run["id"], UNIT, draws=200)
    assert await row_counts() == before, "thử kịch bản và tính độ vững không được ghi gì vào cơ sở dữ liệu"


async def test_requests_that_arrive_together_build_the_model_once(
        commune_run: tuple[dict[str, Any], Plan], monkeypatch: pytest.MonkeyPatch) -> None:
    run, _ = commune_run
    builds: list[int] = []
    build = scenarios._build

    async def counted(r: dict[str, Any]) -> Any:
        builds.append(r["id"])
        return await build(r)

    monkeypatch.setattr(scenarios, "_build", counted)
    answers = await asyncio.gather(*(scenarios.what_if(run["id"], unit, {}) for unit in (UNIT, OTHER, UNIT)))
    assert builds == [run["id"]] and [a["unit_code"] for a in answers] == [UNIT, OTHER, UNIT]


async def test_after_the_data_changes_the_run_is_answered_from_its_own_stored_values(
        commune_run: tuple[dict[str, Any], Plan]) -> None:
    run, plan = commune_run
    unit, _, indicator = await short_of_points(run, plan)
    stored = await unit_breakdown_json(run["id"], unit)
    await appraise(run["period_id"], unit, indicator, actor="admin", accept=False, value="100",
                   reason="Kiểm tra thực tế đạt 100 %")
    clear_all()  # another worker, or after a restart: the model is built again
    answer = await scenarios.what_if(run["id"], unit, {})
    assert canonical(answer["after"]) == stored, "vẫn là số liệu của lần chấm, không phải số mới"

    # A stored breakdown that no longer shows what the run used: the service must refuse.
    first = next(c for c in (await unit_breakdown(run["id"], OTHER))["criteria"] if c["value"] is not None)
    other = await unit_breakdown_json(run["id"], OTHER)
    tampered = other.replace(f'"value":{first["value"]}', '"value":1', 1)
    assert tampered != other
    await UnitResult.update({UnitResult.breakdown: tampered}).where(
        (UnitResult.run == run["id"]) & (UnitResult.unit_code == OTHER))
    clear_all()
    with pytest.raises(ServiceError) as caught:
        await scenarios.what_if(run["id"], unit, {})
    assert caught.value.code == "conflict" and "Không tái hiện được" in caught.value.message


async def test_who_may_try(commune_run: tuple[dict[str, Any], Plan]) -> None:
    run, plan = commune_run
    headers = {}
    people = (("canbo.a", "unit", UNIT), ("canbo.b", "unit", OTHER), ("quantri", "admin", None),
              ("hoidong", "council", None))
    for name, role, unit in people:
        account = await create_account(name, f"Người thử {name}", "mat-khau-dung-2025", role, unit_code=unit,
                                       actor="system")
        headers[name] = {"Authorization": f"Bearer {await create_api_token(account['id'], 'thử')}"}
    indicator = plan.indicators_of("commune")[0]
    url = f"/api/v1/runs/{run['id']}/units/{UNIT}/what-if"
    body = {"values": {indicator.id: "100"}}
    async with AsyncTestClient(app=create_app()) as client:
        for who, status in (("canbo.b", 403), ("hoidong", 403), (None, 401)):
            refused = await client.post(url, json=body, headers=headers.get(who or "", {}))
            assert refused.status_code == status, refused.text
            assert UNIT not in refused.text and "criteria" not in refused.text
        for who in ("canbo.a", "quantri"):
            allowed = await client.post(url, json=body, headers=headers[who])
            assert allowed.status_code == 200 and allowed.json()["after"]["unit_code"] == UNIT, allowed.text
        bad = await client.post(url, json={"values": {indicator.id: "120", "khong_co": 1}},
                                headers=headers["canbo.a"])
        error = bad.json()["error"]
        assert bad.status_code == 400 and error["code"] == "invalid_value", bad.text
        assert f"«{indicator.name}» ({indicator.id})" in error["message"] and "«khong_co»" in error["message"]
        assert {d["field"] for d in error["details"]} == {indicator.id, "khong_co"}

        level = f"/api/v1/runs/{run['id']}/robustness"
        unit = f"/api/v1/runs/{run['id']}/units/{UNIT}/robustness"
        for who, url_, status in (("canbo.a", level, 403), ("hoidong", level, 403), ("quantri", level, 200),
                                  ("canbo.a", unit, 200), ("canbo.b", unit, 403), ("hoidong", unit, 403)):
            answer = await client.get(url_, params={"draws": 100}, headers=headers[who])
            assert answer.status_code == status, f"{who} {url_}: {answer.text}"
        too_many = await client.get(level, params={"draws": 10**6}, headers=headers["quantri"])
        assert too_many.status_code == 400 and too_many.json()["error"]["code"] == "invalid_input"
