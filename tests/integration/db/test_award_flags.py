"""The nomination lists flag a candidate whose rank in the cluster is not firm enough to settle
the award: its rank interval over perturbed weights (scoring.services.scenarios.robustness) crosses the
award's rank cut-off. On the published demo communes of 2024, for every award decided by rank."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Any

import html5lib
import pytest
from litestar.testing import AsyncTestClient
from test_nominations_flow import published_communes

from accounts.service import create_account, create_api_token
from nominations import service
from nominations.rules import Condition
from scoring.services import scenarios
from scoring.services.runs import published_run
from server.app import create_app

pytestmark = pytest.mark.db
LISTS = (("eligible", True), ("cut", False), ("near_misses", False))


def expected_cutoff(award: dict[str, Any], candidate: dict[str, Any], conditions: tuple[Condition, ...],
                    kept: bool) -> int | None:
    """The cut-off worked out from the rule and the lists alone (not from the service's helpers)."""
    ranks = [c.rank for c in conditions if c.kind == "rank_in_cluster_max"]
    quota = award["version"]["quota"]
    cluster = candidate["cluster"]
    if quota and quota["scope"] == "cluster" and any(c["cluster"] == cluster for c in award["cut"]):
        ranks.append(max(c["rank_in_cluster"] for c in award["eligible"] if c["cluster"] == cluster))
    elif not kept and candidate in award["cut"]:
        return None  # cut by a quota that is not per cluster
    return min(ranks) if ranks else None


async def test_flagged_candidates_are_exactly_those_whose_interval_crosses_the_cutoff(
        clean_db: str, tmp_path: Path) -> None:
    period_id = await published_communes(tmp_path)
    run = await published_run(period_id, "commune")
    assert run is not None
    started = time.perf_counter()
    found = await service.eligibility(period_id, on=date(2024, 12, 5))
    first_call = time.perf_counter() - started
    rules = (await service.evaluate_period(period_id)).rules
    rows = {r["unit_code"]: r for r in await scenarios.robustness(run["id"])}
    flagged = firm = 0
    for award in found["awards"]:
        version = rules.award(award["award"]["id"]).version_on(date(2024, 12, 31))
        if version is None:
            continue
        for part, kept in LISTS:
            for c in award[part]:
                if part == "near_misses" and not any(r["kind"] == "rank_in_cluster_max" for r in c["failed"]):
                    assert "rank_interval" not in c, "a near-miss not about rank carries no interval"
                    continue
                cutoff = expected_cutoff(award, c, version.conditions, kept)
                if cutoff is None:
                    assert "uncertain" not in c, f"{award['award']['id']} {c['unit_code']}: no rank cut-off"
                    continue
                row = rows[c["unit_code"]]
                assert c["rank_interval"] == {"median": row["rank_median"], "p5": row["rank_p5"],
                                              "p95": row["rank_p95"], "share_first": row["share_first"]}
                assert c["rank_cutoff"] == cutoff
                crosses = row["rank_p95"] > cutoff if kept else row["rank_p5"] <= cutoff
                assert c["uncertain"] is crosses, (award["award"]["id"], part, c["unit_code"], row, cutoff)
                flagged += crosses
                firm += not crosses
    assert flagged and firm, f"the demo must show both firm and uncertain ranks ({flagged}, {firm})"
    assert first_call < 10, f"eligibility with robustness took {first_call:.1f} s"


async def test_robustness_is_computed_once_per_run(clean_db: str, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    period_id = await published_communes(tmp_path)
    computed: list[int] = []
    rows = scenarios._rows

    def counted(model: Any, p: Any) -> Any:
        computed.append(len(model.scored.units))
        return rows(model, p)

    monkeypatch.setattr(scenarios, "_rows", counted)
    scenarios._intervals.clear()
    first = await service.eligibility(period_id)
    started = time.perf_counter()
    again = await service.eligibility(period_id)
    assert len(computed) == 1, "one published run (communes): robustness computed once, then cached"
    assert again == first
    assert time.perf_counter() - started < 2, "a second eligibility reads the cached intervals"


async def test_the_awards_page_shows_the_note_next_to_each_flagged_candidate(
        clean_db: str, tmp_path: Path) -> None:
    period_id = await published_communes(tmp_path)
    account = await create_account("quantri", "Quản trị", "mat-khau-dung-2025", "admin", actor="system")
    headers = {"Authorization": f"Bearer {await create_api_token(account['id'], 'thử')}"}
    found = await service.eligibility(period_id)
    async with AsyncTestClient(app=create_app()) as client:
        response = await client.get("/quan-tri/khen-thuong", params={"ky": period_id}, headers=headers)
    assert response.status_code == 200, response.text[:500]
    root = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(response.text)
    notes = {el.get("id"): " ".join("".join(el.itertext()).split()) for el in root.iter("span")
             if el.get("class") == "rank-note"}
    expected = {}
    for award in found["awards"]:
        for part, _ in LISTS:
            for c in award[part]:
                if c.get("uncertain"):
                    i, cutoff = c["rank_interval"], c["rank_cutoff"]
                    expected[f"chua-vung-{award['award']['id']}-{c['unit_code']}"] = (
                        f"Thứ hạng chưa vững: khoảng {i['p5']}–{i['p95']} vượt ngưỡng hạng {cutoff}")
    assert expected and notes == expected
