"""Every API route's access policy (who may call it) and one real call per route, for
test_authorization.py: a new route without a policy here fails that test."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from loaded_province import LEVEL, PASSWORD, ROLES, UNIT_A, World, run
from nomination_world import AWARD

from api.schemas.runs import RunResultPublic
from criteria.shipped import shipped_plan_path
from criteria.workbook_write import plan_workbook
from scoring.core.reading import format_machine

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
    ("POST", V1 + "/auth/tokens"): frozenset(),  # callers here carry API tokens: a token never mints one
    ("GET", V1 + "/auth/tokens"): LOGGED_IN,
    ("DELETE", V1 + "/auth/tokens/{token_id:int}"): STAFF_COUNCIL,  # a council member's own token
    ("GET", V1 + "/auth/accounts"): ADMIN,
    ("GET", V1 + "/plans"): ALL,
    ("GET", V1 + "/plans/{version_id:int}"): ALL,
    ("POST", V1 + "/plans"): ADMIN,
    ("POST", V1 + "/plans/workbook"): ADMIN,
    ("GET", V1 + "/units"): ALL,
    ("GET", V1 + "/units/{code:str}"): ALL,
    ("GET", V1 + "/clusters"): ALL,
    ("GET", V1 + "/periods"): ALL,
    ("POST", V1 + "/periods"): ADMIN,
    ("GET", PERIOD + "/clusters"): ALL,
    ("POST", PERIOD + "/lock"): ADMIN,
    ("POST", PERIOD + "/reopen"): ADMIN,
    ("POST", PERIOD + "/levels/{level:str}/lock"): ADMIN,
    ("POST", PERIOD + "/levels/{level:str}/reopen"): ADMIN,
    ("GET", PERIOD + "/values"): OWN,
    ("PUT", VALUE): OWN,
    ("POST", VALUE + "/appraisal"): ADMIN,
    ("POST", VALUE + "/evidence"): OWN,
    ("GET", VALUE + "/evidence"): OWN,
    ("GET", PERIOD + "/evidence/{file_id:int}"): OWN,
    ("POST", PERIOD + "/evidence/{file_id:int}/remove"): OWN,
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


def spare_token(world: World) -> int:
    """A fresh API token of the council member: its owner and staff may revoke it, no one else."""
    from accounts.service import create_api_token, list_api_tokens
    from accounts.tables import Account

    async def make() -> int:
        name = world.username("council")
        account = await Account.select(Account.id).where(Account.username == name).first()
        assert account is not None
        await create_api_token(int(account["id"]), "để thu hồi")
        return int((await list_api_tokens(int(account["id"])))[0]["id"])

    return run(make())


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def spare_evidence(world: World) -> int:
    """A fresh evidence file of unit A's value: its officer and staff may open or remove it."""
    from scoring.services.evidence import add_evidence

    async def make() -> int:
        row = await add_evidence(world.period, UNIT_A, world.indicator, "biên bản.pdf", PDF, "system")
        return int(row["id"])

    return run(make())


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
        ("GET", V1 + "/auth/tokens"): Call(V1 + "/auth/tokens"),
        ("DELETE", V1 + "/auth/tokens/{token_id:int}"): Call(f"{V1}/auth/tokens/{spare_token(world)}"),
        ("GET", V1 + "/auth/accounts"): Call(V1 + "/auth/accounts"),
        ("GET", V1 + "/plans"): Call(V1 + "/plans"),
        ("GET", V1 + "/plans/{version_id:int}"): Call(f"{V1}/plans/{world.plan_version}"),
        ("POST", V1 + "/plans"): Call(V1 + "/plans", {"toml": shipped_plan_path().read_text("utf-8")}),
        ("POST", V1 + "/plans/workbook"): Call(V1 + "/plans/workbook", files=[
            ("files", ("ke-hoach.xlsx", plan_workbook(world.plan), "application/octet-stream"))]),
        ("GET", V1 + "/units"): Call(V1 + "/units", params={"level": LEVEL}),
        ("GET", V1 + "/units/{code:str}"): Call(f"{V1}/units/{UNIT_A}"),
        ("GET", V1 + "/clusters"): Call(V1 + "/clusters"),
        ("GET", V1 + "/periods"): Call(V1 + "/periods"),
        ("POST", V1 + "/periods"): Call(V1 + "/periods", {  # the existing 2024 period
            "plan_version_id": world.plan_version, "year": 2024,
            "entry_opens": (now - timedelta(days=1)).isoformat(),
            "entry_closes": (now + timedelta(days=30)).isoformat()}),
        ("GET", PERIOD + "/clusters"): Call(f"{V1}/periods/{p}/clusters"),
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
        ("POST", VALUE + "/evidence"): Call(value + "/evidence", files=[("file", ("biên bản.pdf", PDF,
                                                                                 "application/pdf"))]),
        ("GET", VALUE + "/evidence"): Call(value + "/evidence"),
        ("GET", PERIOD + "/evidence/{file_id:int}"): Call(
            f"{V1}/periods/{p}/evidence/{spare_evidence(world)}"),
        ("POST", PERIOD + "/evidence/{file_id:int}/remove"): Call(
            f"{V1}/periods/{p}/evidence/{spare_evidence(world)}/remove", {"reason": "tải nhầm tệp"}),
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
