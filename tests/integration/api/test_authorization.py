"""Who may call which API route: every route × every kind of caller, on real data.

Callers: ``anonymous``; ``unit_own`` (commune A's officer asking about A); ``unit_other`` (commune
B's officer asking about A); ``council``; ``admin``. Unit-scoped routes are always asked about A,
so ``unit_own`` and ``unit_other`` differ only in who asks. Run routes are asked about the
unpublished 2024 run, and the readable ones again about the published 2023 run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar.routes import HTTPRoute
from litestar.testing import TestClient
from loaded_province import LEVEL, PASSWORD, ROLES, UNIT_A, UNIT_B, World, load_world, run
from nomination_world import AWARD, add_awards
from reply_world import add_replies

from api.schemas.runs import RunResultPublic
from criteria.shipped import shipped_plan_path
from http_layer.auth import SESSION_COOKIE
from scoring.core.reading import format_machine
from server.app import create_app

pytestmark = pytest.mark.db

PUBLIC_FIELDS = RunResultPublic.__struct_fields__  # what the public reads of a result row

ALL = frozenset(ROLES)
LOGGED_IN = ALL - {"anonymous"}
OWN = frozenset({"unit_own", "admin"})
ADMIN = frozenset({"admin"})
STAFF_COUNCIL = frozenset({"admin", "council"})

V1 = "/api/v1"
PERIOD = V1 + "/periods/{period_id:int}"
VALUE = PERIOD + "/values/{unit_code:str}/{indicator:str}"
RUN = V1 + "/runs/{run_id:int}"
BREAKDOWN = RUN + "/units/{unit_code:str}"
BATCHES = V1 + "/nomination-batches"
BATCH = BATCHES + "/{batch_id:int}"
SESSION = V1 + "/council-sessions/{session_id:int}"
DISPUTE = V1 + "/disputes/{dispute_id:int}"

# (method, route) → who may call it. Run routes: as asked about an UNPUBLISHED run.
EXPECTED: dict[tuple[str, str], frozenset[str]] = {
    ("GET", V1 + "/health"): ALL,
    ("POST", V1 + "/auth/login"): ALL,
    ("POST", V1 + "/auth/logout"): ALL,
    ("GET", V1 + "/auth/me"): LOGGED_IN,
    ("POST", V1 + "/auth/tokens"): LOGGED_IN,
    ("GET", V1 + "/auth/accounts"): ADMIN,
    ("GET", V1 + "/plans"): ALL,
    ("GET", V1 + "/plans/{version_id:int}"): ALL,
    ("POST", V1 + "/plans"): ADMIN,
    ("GET", V1 + "/units"): ALL,
    ("GET", V1 + "/units/{code:str}"): ALL,
    ("GET", V1 + "/clusters"): ALL,
    ("GET", V1 + "/periods"): ALL,
    ("POST", V1 + "/periods"): ADMIN,
    ("POST", PERIOD + "/lock"): ADMIN,
    ("POST", PERIOD + "/reopen"): ADMIN,
    ("POST", PERIOD + "/levels/{level:str}/lock"): ADMIN,
    ("POST", PERIOD + "/levels/{level:str}/reopen"): ADMIN,
    ("GET", PERIOD + "/values"): OWN,
    ("PUT", VALUE): OWN,
    ("POST", VALUE + "/appraisal"): ADMIN,
    ("POST", PERIOD + "/import"): ADMIN,
    ("GET", V1 + "/runs"): ALL,  # everyone but staff sees only published runs listed
    ("POST", V1 + "/runs"): ADMIN,
    ("GET", RUN): ADMIN,
    ("GET", RUN + "/results"): ADMIN,
    ("POST", RUN + "/publish"): ADMIN,
    ("GET", BREAKDOWN): OWN,
    ("POST", BREAKDOWN + "/what-if"): OWN,  # nothing is written; council members do not try
    ("GET", BREAKDOWN + "/robustness"): OWN,
    ("GET", RUN + "/robustness"): ADMIN,
    ("GET", V1 + "/rankings"): ALL,
    ("GET", V1 + "/audit"): ADMIN,
    ("GET", V1 + "/audit/verify"): ADMIN,
    ("GET", PERIOD + "/eligibility"): STAFF_COUNCIL,
    ("GET", BATCHES): STAFF_COUNCIL,
    ("POST", BATCHES): ADMIN,
    ("GET", BATCH): STAFF_COUNCIL,
    ("POST", BATCH + "/session"): ADMIN,
    ("GET", BATCH + "/dossiers"): STAFF_COUNCIL,
    ("POST", BATCH + "/dossiers"): ADMIN,
    ("GET", BATCH + "/dossiers/{name:str}"): STAFF_COUNCIL,
    ("GET", BATCH + "/dossiers.zip"): STAFF_COUNCIL,
    ("GET", V1 + "/councils"): STAFF_COUNCIL,
    ("POST", V1 + "/councils"): ADMIN,
    ("GET", SESSION): STAFF_COUNCIL,
    ("PUT", SESSION + "/attendance"): ADMIN,
    ("PUT", SESSION + "/votes"): ADMIN,
    ("POST", SESSION + "/close"): ADMIN,
    ("POST", V1 + "/history/import"): ADMIN,
    ("GET", V1 + "/units/{unit_code:str}/history"): OWN | {"council"},
    ("POST", RUN + "/share"): ADMIN,
    ("GET", RUN + "/disputes"): OWN,
    ("POST", RUN + "/disputes"): frozenset({"unit_own"}),
    ("GET", DISPUTE + "/messages"): OWN,
    ("POST", DISPUTE + "/messages"): OWN,
    ("POST", DISPUTE + "/accept"): ADMIN,
    ("POST", DISPUTE + "/reject"): ADMIN,
}
# The run routes that open up once the run is published.
PUBLISHED: dict[tuple[str, str], frozenset[str]] = {
    ("GET", RUN): ALL,
    ("GET", RUN + "/results"): ALL,
    ("GET", BREAKDOWN): OWN | {"council"},
    ("GET", BREAKDOWN + "/robustness"): OWN | {"council"},
    ("GET", RUN + "/robustness"): STAFF_COUNCIL,
}


@dataclass(frozen=True)
class Call:
    url: str
    json: Any = None
    params: dict[str, str] | None = None
    files: Any = None


def own_csv(world: World) -> bytes:
    value = format_machine(world.own_value)
    return f"ma_don_vi,chi_tieu,ky,gia_tri\r\n{UNIT_A},{world.indicator},2024,{value}\r\n".encode()


def calls(world: World, published: bool = False) -> dict[tuple[str, str], Call]:
    """A real, side-effect-free (or idempotent) request for every route."""
    p, closed, ind, run = world.period, world.published_period, world.indicator, world.run
    if published:
        run = world.published_run
    now = datetime.now(UTC)
    value = f"{V1}/periods/{p}/values/{UNIT_A}/{ind}"
    return {
        ("GET", V1 + "/health"): Call(V1 + "/health"),
        ("POST", V1 + "/auth/login"): Call(V1 + "/auth/login", {"username": "hoidong", "password": PASSWORD}),
        ("POST", V1 + "/auth/logout"): Call(V1 + "/auth/logout"),
        ("GET", V1 + "/auth/me"): Call(V1 + "/auth/me"),
        ("POST", V1 + "/auth/tokens"): Call(V1 + "/auth/tokens", {"name": "ma-kiem-thu"}),
        ("GET", V1 + "/auth/accounts"): Call(V1 + "/auth/accounts"),
        ("GET", V1 + "/plans"): Call(V1 + "/plans"),
        ("GET", V1 + "/plans/{version_id:int}"): Call(f"{V1}/plans/{world.plan_version}"),
        ("POST", V1 + "/plans"): Call(V1 + "/plans", {"toml": shipped_plan_path().read_text("utf-8")}),
        ("GET", V1 + "/units"): Call(V1 + "/units", params={"level": LEVEL}),
        ("GET", V1 + "/units/{code:str}"): Call(f"{V1}/units/{UNIT_A}"),
        ("GET", V1 + "/clusters"): Call(V1 + "/clusters"),
        ("GET", V1 + "/periods"): Call(V1 + "/periods"),
        ("POST", V1 + "/periods"): Call(V1 + "/periods", {  # the existing 2024 period
            "plan_version_id": world.plan_version, "year": 2024,
            "entry_opens": (now - timedelta(days=1)).isoformat(),
            "entry_closes": (now + timedelta(days=30)).isoformat()}),
        ("POST", PERIOD + "/lock"): Call(f"{V1}/periods/{closed}/lock", {}),  # already locked
        ("POST", PERIOD + "/reopen"): Call(f"{V1}/periods/{p}/reopen", {"reason": "kiểm thử"}),  # open
        # a level of the published (already locked) period: locking it again changes nothing
        ("POST", PERIOD + "/levels/{level:str}/lock"): Call(f"{V1}/periods/{closed}/levels/{LEVEL}/lock",
                                                            {"reason": "kiểm thử"}),
        ("POST", PERIOD + "/levels/{level:str}/reopen"): Call(  # a level that is not locked
            f"{V1}/periods/{p}/levels/{LEVEL}/reopen", {"reason": "kiểm thử"}),
        ("GET", PERIOD + "/values"): Call(f"{V1}/periods/{p}/values", params={"unit": UNIT_A}),
        ("PUT", VALUE): Call(value, {"value": world.own_value}),  # the value it already has
        ("POST", VALUE + "/appraisal"): Call(value + "/appraisal", {"accept": True}),
        ("POST", PERIOD + "/import"): Call(f"{V1}/periods/{p}/import", params={"dry_run": "true"},
                                           files=[("files", ("cap-xa.csv", own_csv(world), "text/csv"))]),
        ("GET", V1 + "/runs"): Call(V1 + "/runs"),
        ("POST", V1 + "/runs"): Call(V1 + "/runs", {"period_id": p, "level": LEVEL}),
        ("GET", RUN): Call(f"{V1}/runs/{run}"),
        ("GET", RUN + "/results"): Call(f"{V1}/runs/{run}/results"),
        ("POST", RUN + "/publish"): Call(f"{V1}/runs/{world.published_run}/publish"),  # idempotent
        ("GET", BREAKDOWN): Call(f"{V1}/runs/{run}/units/{UNIT_A}"),
        ("POST", BREAKDOWN + "/what-if"): Call(f"{V1}/runs/{run}/units/{UNIT_A}/what-if",
                                               {"values": {ind: world.own_value}}),
        ("GET", BREAKDOWN + "/robustness"): Call(f"{V1}/runs/{run}/units/{UNIT_A}/robustness",
                                                 params={"draws": "100"}),
        ("GET", RUN + "/robustness"): Call(f"{V1}/runs/{run}/robustness", params={"draws": "100"}),
        ("GET", V1 + "/rankings"): Call(V1 + "/rankings", params={"period_id": str(closed), "level": LEVEL}),
        ("GET", V1 + "/audit"): Call(V1 + "/audit", params={"unit": UNIT_A}),
        ("GET", V1 + "/audit/verify"): Call(V1 + "/audit/verify"),
        **award_calls(world),
        **reply_calls(world),
    }


def reply_calls(world: World) -> dict[tuple[str, str], Call]:
    """Reply routes, on the shared 2022 run (reply_world): each dispute is answered at most once."""
    rp = world.replies
    run, talk = f"{V1}/runs/{rp.run}", f"{V1}/disputes/{rp.talk}/messages"
    return {
        ("POST", RUN + "/share"): Call(run + "/share", {"days": 7}),  # sharing again moves the window
        ("GET", RUN + "/disputes"): Call(run + "/disputes", params={"unit": UNIT_A}),
        ("POST", RUN + "/disputes"): Call(run + "/disputes", {"unit_code": UNIT_A, "criterion": rp.criterion,
                                                              "explanation": "Kiểm thử quyền."}),
        ("GET", DISPUTE + "/messages"): Call(talk),
        ("POST", DISPUTE + "/messages"): Call(talk, {"body": "Kiểm thử quyền."}),
        ("POST", DISPUTE + "/accept"): Call(f"{V1}/disputes/{rp.accept}/accept", {}),
        ("POST", DISPUTE + "/reject"): Call(f"{V1}/disputes/{rp.reject}/reject", {"reason": "Kiểm thử."}),
    }


def award_calls(world: World) -> dict[tuple[str, str], Call]:
    """Nomination routes: a draft batch to open a session on, an open session to take attendance and
    ballots (the same ones again: idempotent), a closed one (closing again changes nothing)."""
    aw = world.awards
    closed, batches = f"{V1}/nomination-batches/{aw.closed_batch}", f"{V1}/nomination-batches"
    session, done = f"{V1}/council-sessions/{aw.open_session}", f"{V1}/council-sessions/{aw.closed_session}"
    return {
        ("GET", PERIOD + "/eligibility"): Call(f"{V1}/periods/{world.published_period}/eligibility"),
        ("GET", BATCHES): Call(batches),
        ("POST", BATCHES): Call(batches, {
            "period_id": world.published_period, "title": "Đợt kiểm thử", "number": "1/TTr-SNV",
            "decision_date": "2024-12-05", "entries": [{"award_id": AWARD, "unit_code": aw.spare_unit}]}),
        ("GET", BATCH): Call(closed),
        ("POST", BATCH + "/session"): Call(f"{batches}/{aw.draft_batch}/session", aw.session_form),
        ("GET", BATCH + "/dossiers"): Call(closed + "/dossiers"),
        ("POST", BATCH + "/dossiers"): Call(closed + "/dossiers"),  # already made: returns them
        ("GET", BATCH + "/dossiers/{name:str}"): Call(f"{closed}/dossiers/{aw.dossier_name}"),
        ("GET", BATCH + "/dossiers.zip"): Call(closed + "/dossiers.zip"),
        ("GET", V1 + "/councils"): Call(V1 + "/councils"),
        ("POST", V1 + "/councils"): Call(V1 + "/councils", aw.council_form),
        ("GET", SESSION): Call(session),
        ("PUT", SESSION + "/attendance"): Call(session + "/attendance", aw.attendance),
        ("PUT", SESSION + "/votes"): Call(session + "/votes", aw.ballot),
        ("POST", SESSION + "/close"): Call(done + "/close", {"ballots_invalid": 0}),
        ("POST", V1 + "/history/import"): Call(V1 + "/history/import", params={"dry_run": "true"}, files=[
            ("files", ("lich-su.csv", f"ma_don_vi,nam,loai,gia_tri\r\n{UNIT_A},2022,xep_loai,HTXSNV\r\n"
                       .encode(), "text/csv"))]),
        ("GET", V1 + "/units/{unit_code:str}/history"): Call(f"{V1}/units/{UNIT_A}/history"),
    }


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
