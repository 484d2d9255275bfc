"""Who may call which API route: every route × every kind of caller, on real data.

Callers: ``anonymous``; ``unit_own`` (commune A's officer asking about A); ``unit_other`` (commune
B's officer asking about A); ``council``; ``admin``. Unit-scoped routes are always asked about A,
so ``unit_own`` and ``unit_other`` differ only in who asks. Run routes are asked about the
unpublished 2024 run, and the readable ones again about the published 2023 run.
"""

from __future__ import annotations

from typing import Any

import pytest
from litestar.routes import HTTPRoute
from litestar.testing import TestClient
from loaded_province import LEVEL, PASSWORD, ROLES, UNIT_A, UNIT_B, World, load_world, run
from nomination_world import add_awards
from reply_world import add_replies
from route_policies import EXPECTED, PUBLIC_FIELDS, PUBLISHED, RUN, V1, Call, calls, own_csv

from http_layer.auth import SESSION_COOKIE
from server.app import create_app

pytestmark = pytest.mark.db


@pytest.fixture(scope="module")
def world(migrated_database: str) -> World:
    """The loaded province plus councils, batches and sessions in every state."""
    loaded = run(load_world())
    loaded.awards = run(add_awards(loaded))
    loaded.replies = run(add_replies(loaded))  # type: ignore[attr-defined]
    return loaded


def send(client: TestClient[Any], world: World, role: str, method: str, call: Call) -> Any:
    response = client.request(method, call.url, json=call.json, params=call.params, files=call.files,
                              headers=world.headers(role))
    client.cookies.clear()  # a login must not turn later requests into cookie requests
    return response


def check(client: TestClient[Any], world: World, role: str, method: str, route: str,
          allowed: frozenset[str], published: bool) -> None:
    response = send(client, world, role, method, calls(world, published)[(method, route)])
    where = f"{role} {method} {route} ({'published' if published else 'unpublished'} run)"
    if role in allowed:
        assert response.status_code < 400, f"{where} must be allowed: {response.status_code} {response.text}"
        if role != "admin" and route.startswith(RUN + "/results"):
            assert all(set(row) == set(PUBLIC_FIELDS) for row in response.json()), "totals and ranks only"
        return
    want = (401, "unauthenticated") if role == "anonymous" else (403, "forbidden")
    error = response.json()["error"]
    assert (response.status_code, error["code"]) == want, f"{where}: {response.status_code} {response.text}"
    assert UNIT_A not in response.text and "criteria" not in response.text, f"{where} leaked: {response.text}"


def test_every_api_route_has_a_declared_policy(world: World) -> None:
    found = {
        (method, route.path)
        for route in create_app().routes
        if isinstance(route, HTTPRoute) and route.path.startswith("/api/")
        for handler in route.route_handlers
        for method in handler.http_methods - {"OPTIONS"}
    }
    assert found == set(EXPECTED), (
        f"routes without a policy: {sorted(found - set(EXPECTED))}; "
        f"policies without a route: {sorted(set(EXPECTED) - found)}")
    assert set(calls(world)) == set(EXPECTED)
    assert set(PUBLISHED) < set(EXPECTED)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "route"), sorted(EXPECTED))
def test_route_policy(client: TestClient[Any], world: World, method: str, route: str, role: str) -> None:
    check(client, world, role, method, route, EXPECTED[(method, route)], published=False)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "route"), sorted(PUBLISHED))
def test_published_run_policy(client: TestClient[Any], world: World, method: str, route: str,
                              role: str) -> None:
    check(client, world, role, method, route, PUBLISHED[(method, route)], published=True)


def get(client: TestClient[Any], world: World, role: str, url: str, **params: Any) -> Any:
    return client.get(url, params=params or None, headers=world.headers(role))


def test_a_unit_reads_and_writes_only_its_own_values(client: TestClient[Any], world: World) -> None:
    values = f"{V1}/periods/{world.period}/values"
    refused = get(client, world, "unit_other", values, unit=UNIT_A)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert UNIT_A not in refused.text and "self_value" not in refused.text
    own = get(client, world, "unit_other", values)
    assert own.status_code == 200 and own.json(), "without ?unit a unit reads its own values"
    assert {row["unit_code"] for row in own.json()} == {UNIT_B}
    mine = get(client, world, "unit_own", values, unit=UNIT_A)
    assert {row["unit_code"] for row in mine.json()} == {UNIT_A}
    assert get(client, world, "council", values).status_code == 403
    assert get(client, world, "anonymous", values).status_code == 401

    url = f"{values}/{UNIT_A}/{world.indicator}"
    written = client.put(url, json={"value": 1}, headers=world.headers("unit_other"))
    assert written.status_code == 403 and UNIT_A not in written.text
    stored = get(client, world, "admin", values, unit=UNIT_A).json()
    assert next(r for r in stored if r["indicator"] == world.indicator)["self_value"] == world.own_value


def test_a_unit_never_sees_another_units_breakdown_before_publication(client: TestClient[Any],
                                                                       world: World) -> None:
    other = get(client, world, "unit_other", f"{V1}/runs/{world.run}/units/{UNIT_A}")
    assert other.status_code == 403 and "criteria" not in other.text and UNIT_A not in other.text
    own = get(client, world, "unit_own", f"{V1}/runs/{world.run}/units/{UNIT_A}")
    assert own.status_code == 200 and own.json()["unit_code"] == UNIT_A and own.json()["criteria"]
    for role in ("unit_own", "unit_other", "council"):
        assert get(client, world, role, f"{V1}/runs/{world.run}/results").status_code == 403
        assert get(client, world, role, f"{V1}/runs/{world.run}").status_code == 403


def test_publication_opens_totals_and_ranks_but_not_breakdowns(client: TestClient[Any], world: World) -> None:
    admin = world.headers("admin")
    started = client.post(f"{V1}/runs", json={"period_id": world.period, "level": LEVEL}, headers=admin)
    assert started.status_code == 201, started.text
    run = started.json()["id"]
    ranking = {"period_id": world.period, "level": LEVEL}
    assert get(client, world, "anonymous", f"{V1}/runs/{run}/results").status_code == 401
    assert get(client, world, "council", f"{V1}/runs/{run}/results").status_code == 403
    assert get(client, world, "anonymous", f"{V1}/runs/{run}").status_code == 401
    assert run not in [r["id"] for r in get(client, world, "anonymous", f"{V1}/runs").json()]
    for role in ("anonymous", "council"):
        before = get(client, world, role, f"{V1}/rankings", **ranking)
        assert before.status_code == 404 and before.json()["error"]["code"] == "not_found"
    try:
        published = client.post(f"{V1}/runs/{run}/publish", headers=admin)
        assert published.status_code == 201 and published.json()["published"], published.text

        rankings = get(client, world, "anonymous", f"{V1}/rankings", **ranking)
        assert rankings.status_code == 200 and rankings.json()["run"]["id"] == run
        rows = rankings.json()["results"]
        assert rows and all(set(row) == set(PUBLIC_FIELDS) for row in rows), "no breakdown in rankings"
        assert [r["rank_overall"] for r in rows] == list(range(1, len(rows) + 1))
        assert "criteria" not in rankings.text
        full = {r["unit_code"]: r for r in get(client, world, "admin", f"{V1}/runs/{run}/results").json()}
        assert all(r["total"] == full[r["unit_code"]]["total"] for r in rows)
        results = get(client, world, "anonymous", f"{V1}/runs/{run}/results")
        assert results.status_code == 200 and results.json() == rows
        assert run in [r["id"] for r in get(client, world, "anonymous", f"{V1}/runs").json()]

        breakdown = f"{V1}/runs/{run}/units/{UNIT_A}"
        assert get(client, world, "anonymous", breakdown).status_code == 401
        assert get(client, world, "unit_other", breakdown).status_code == 403
        council = get(client, world, "council", breakdown)
        assert council.status_code == 200 and council.json()["criteria"], "council reads published breakdowns"
    finally:
        reopened = client.post(f"{V1}/periods/{world.period}/reopen", json={"reason": "tiếp tục kiểm thử"},
                               headers=admin)
        assert reopened.status_code == 201 and not reopened.json()["locked"], reopened.text


def test_a_unit_cannot_do_the_departments_work(client: TestClient[Any], world: World) -> None:
    unit = world.headers("unit_own")
    runs_before = len(get(client, world, "admin", f"{V1}/runs").json())
    refused = [
        client.post(f"{V1}/runs", json={"period_id": world.period, "level": LEVEL}, headers=unit),
        client.post(f"{V1}/runs/{world.run}/publish", headers=unit),
        client.post(f"{V1}/periods/{world.period}/import", headers=unit,
                    files=[("files", ("cap-xa.csv", own_csv(world), "text/csv"))]),
        client.post(f"{V1}/periods/{world.period}/values/{UNIT_A}/{world.indicator}/appraisal",
                    json={"accept": False, "value": 37.5, "reason": "tự thẩm định"}, headers=unit),
        client.post(f"{V1}/periods/{world.period}/lock", json={}, headers=unit),
        client.get(f"{V1}/audit", headers=unit),
        client.get(f"{V1}/audit/verify", headers=unit),
        client.get(f"{V1}/auth/accounts", headers=unit),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused), [r.text for r in refused]
    assert {r.json()["error"]["code"] for r in refused} == {"forbidden"}
    assert len(get(client, world, "admin", f"{V1}/runs").json()) == runs_before
    assert not get(client, world, "admin", f"{V1}/runs/{world.run}").json()["published"]
    period = next(p for p in get(client, world, "admin", f"{V1}/periods").json() if p["id"] == world.period)
    assert not period["locked"]
    stored = get(client, world, "admin", f"{V1}/periods/{world.period}/values", unit=UNIT_A).json()
    assert next(r for r in stored if r["indicator"] == world.indicator)["appraised_value"] != 37.5


def test_cookie_writes_of_ones_own_value_need_the_csrf_token(client: TestClient[Any], world: World) -> None:
    credentials = {"username": world.username("unit_own"), "password": PASSWORD}
    login = client.post(f"{V1}/auth/login", json=credentials)
    assert login.status_code == 200 and SESSION_COOKIE in client.cookies
    csrf = login.json()["csrf_token"]
    url = f"{V1}/periods/{world.period}/values/{UNIT_A}/{world.indicator}"
    body = {"value": world.own_value, "comment": "nhập qua trình duyệt"}
    refused = client.put(url, json=body)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "csrf_failed"
    wrong = client.put(url, json=body, headers={"X-CSRF-Token": csrf[::-1]})
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "csrf_failed"
    accepted = client.put(url, json=body, headers={"X-CSRF-Token": csrf})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["comment"] == "nhập qua trình duyệt"
    assert accepted.json()["entered_by"] == world.username("unit_own")
    other = client.put(f"{V1}/periods/{world.period}/values/{UNIT_B}/{world.indicator}", json=body,
                       headers={"X-CSRF-Token": csrf})
    assert other.status_code == 403 and other.json()["error"]["code"] == "forbidden"
