"""The council: its membership (from the founding decision), a session per batch, who
attended, every member's vote per nominee, the tally, and closing.

The denominator of a vote is the council's full membership (see :mod:`nominations.vote`),
so the membership is fixed when the council is created. A member whose own unit is the
nominee (or, for a person, the person's body) must recuse: a yes/no vote is refused and the
minutes say so. Results are final only when the session is closed: closing stores the count
(:mod:`nominations.session_count`), which a closed session's pages and papers read back.
Every step is audited.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from nominations.service import batch_nominations, get_batch, nominations_of, rule_set_for_plan
from nominations.session_count import SessionCount, SessionRecords, count_session
from nominations.tables import (
    Council,
    CouncilMember,
    CouncilSession,
    Nomination,
    NominationBatch,
    SessionAttendance,
    SessionVote,
)
from presentation.times import datetime_text
from scoring.registry.lineage import predecessor_map, predecessors
from scoring.registry.store import load_registry_from_db
from scoring.services.periods import get_period
from storage.audit import canonical, record
from storage.db import write_transaction
from storage.errors import ServiceError

ATTENDANCE = {"present": "Có mặt", "absent_written": "Vắng mặt, có phiếu bằng văn bản",
              "absent": "Vắng mặt"}
CHOICES = {"yes": "Đồng ý", "no": "Không đồng ý", "abstain": "Không biểu quyết",
           "recused": "Không tham gia (tránh xung đột lợi ích)"}


def _p(field: str, reason: str) -> dict[str, str]:
    return {"field": field, "reason": reason}


def _invalid(message: str, problems: list[dict[str, Any]]) -> ServiceError:
    return ServiceError("invalid_input", message, details=problems)


async def create_council(name: str, decision_no: str, decision_date: date,
                         members: Sequence[Mapping[str, Any]], actor: str) -> dict[str, Any]:
    """A council with its full membership; ``members``: full_name, position, unit_code, username."""
    problems = []
    if not name.strip():
        problems.append(_p("name", "Cần nhập tên hội đồng."))
    if not decision_no.strip():
        problems.append(_p("decision_no", "Cần nhập số quyết định thành lập hội đồng."))
    if not members:
        problems.append(_p("members", "Hội đồng phải có ít nhất một thành viên."))
    for i, m in enumerate(members, start=1):
        if not str(m.get("full_name", "")).strip():
            problems.append(_p(f"members[{i}].full_name", f"Thành viên thứ {i} chưa có họ tên."))
    if problems:
        raise _invalid("Hội đồng chưa hợp lệ; chưa có gì được lưu.", problems)
    async with write_transaction():
        inserted = await Council.insert(Council(name=name.strip(), decision_no=decision_no.strip(),
                                                decision_date=decision_date, created_at=datetime.now(UTC)))
        council_id = int(inserted[0]["id"])
        await CouncilMember.insert(*[
            CouncilMember(council=council_id, seq=i, full_name=str(m["full_name"]).strip(),
                          position=str(m.get("position") or "Ủy viên"), unit_code=m.get("unit_code") or None,
                          username=m.get("username") or None)
            for i, m in enumerate(members, start=1)])
        await record(actor, "council.create", "council", council_id, after={
            "name": name, "decision_no": decision_no, "decision_date": decision_date.isoformat(),
            "members": [dict(m) for m in members]})
    return await get_council(council_id)


async def get_council(council_id: int) -> dict[str, Any]:
    row = await Council.select().where(Council.id == council_id).first()
    if row is None:
        raise ServiceError("not_found", f"Không có hội đồng số {council_id}.")
    members = await CouncilMember.select().where(CouncilMember.council == council_id).order_by(
        CouncilMember.seq)
    return {**row, "members": [{**m, "council": int(m["council"])} for m in members]}


async def list_councils() -> list[dict[str, Any]]:
    return [await get_council(int(r["id"])) for r in await Council.select(Council.id).order_by(Council.id)]


def _session_shape(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    out.pop("tally", None)  # the stored count: read through load_session
    for key in ("batch", "council", "chair", "secretary"):
        out[f"{key}_id"] = int(out.pop(key))
    out["held_at_text"] = datetime_text(row["held_at"])  # Vietnam time; held_at stays UTC
    out["closed_at_text"] = datetime_text(row["closed_at"])
    return out


async def get_session(session_id: int) -> dict[str, Any]:
    row = await CouncilSession.select().where(CouncilSession.id == session_id).first()
    if row is None:
        raise ServiceError("not_found", f"Không có phiên họp số {session_id}.")
    return _session_shape(row)


async def session_of_batch(batch_id: int) -> dict[str, Any] | None:
    row = await CouncilSession.select().where(CouncilSession.batch == batch_id).first()
    return None if row is None else _session_shape(row)


async def open_session(batch_id: int, council_id: int, *, held_at: datetime, place: str, chair_id: int,
                       secretary_id: int, number: str, actor: str) -> dict[str, Any]:
    council = await get_council(council_id)
    member_ids = {int(m["id"]) for m in council["members"]}
    problems = []
    if chair_id not in member_ids:
        problems.append(_p("chair_id", "Chủ trì phải là thành viên của hội đồng."))
    if secretary_id not in member_ids:
        problems.append(_p("secretary_id", "Thư ký phải là thành viên của hội đồng."))
    if not place.strip():
        problems.append(_p("place", "Cần nhập địa điểm họp."))
    if not number.strip():
        problems.append(_p("number", "Cần nhập số biên bản, ví dụ 15/BB-HĐTĐKT."))
    if problems:
        raise _invalid("Phiên họp chưa hợp lệ; chưa có gì được lưu.", problems)
    async with write_transaction():
        batch = await get_batch(batch_id)
        if batch["status"] != "draft" or await session_of_batch(batch_id) is not None:
            raise ServiceError("conflict", f"Đợt đề nghị số {batch_id} đã có phiên họp xét.")
        inserted = await CouncilSession.insert(CouncilSession(
            batch=batch_id, council=council_id, held_at=held_at, place=place.strip(), chair=chair_id,
            secretary=secretary_id, number=number.strip(), ballots_invalid=0, status="open"))
        session_id = int(inserted[0]["id"])
        await NominationBatch.update({NominationBatch.status: "in_session"}).where(
            NominationBatch.id == batch_id)
        await record(actor, "council.session_open", "council_session", session_id, after={
            "batch_id": batch_id, "council_id": council_id, "held_at": held_at.isoformat(), "place": place,
            "chair_id": chair_id, "secretary_id": secretary_id, "number": number})
    return await get_session(session_id)


async def _open_session_and_members(session_id: int) -> tuple[dict[str, Any], dict[int, dict[str, Any]]]:
    session = await get_session(session_id)
    if session["status"] != "open":
        raise ServiceError("conflict", "Phiên họp đã kết thúc; kết quả không thể thay đổi.")
    council = await get_council(session["council_id"])
    return session, {int(m["id"]): m for m in council["members"]}


async def set_attendance(session_id: int, entries: Mapping[int, tuple[str, str]], actor: str) -> None:
    """``entries``: member id → (status, reason). Absent members need a reason."""
    _, members = await _open_session_and_members(session_id)
    problems = []
    for member_id, (status, reason) in entries.items():
        if member_id not in members:
            problems.append(_p("member_id", f"Thành viên số {member_id} không thuộc hội đồng."))
        elif status not in ATTENDANCE:
            problems.append(_p("status", f"Tình trạng «{status}» không hợp lệ; dùng: "
                             + ", ".join(ATTENDANCE)))
        elif status != "present" and not reason.strip():
            problems.append(_p("reason", f"{members[member_id]['full_name']}: cần ghi lý do vắng mặt."))
    if problems:
        raise _invalid("Điểm danh chưa hợp lệ; chưa có gì được lưu.", problems)
    async with write_transaction():
        await _open_session_and_members(session_id)
        for member_id, (status, reason) in entries.items():
            key = f"{session_id}|{member_id}"
            await SessionAttendance.delete().where(SessionAttendance.key == key)
            await SessionAttendance.insert(SessionAttendance(key=key, session=session_id, member=member_id,
                                                             status=status, reason=reason.strip()))
        await record(actor, "council.attendance", "council_session", session_id,
                     after={str(k): list(v) for k, v in entries.items()})


async def _attendance(session_id: int) -> dict[int, dict[str, Any]]:
    rows = await SessionAttendance.select().where(SessionAttendance.session == session_id)
    return {int(r["member"]): r for r in rows}


async def _own_units(unit_codes: Sequence[str]) -> dict[str, set[str]]:
    """A nominee's own units: itself and, for a person, the body the person belongs to, each with
    its predecessors (a member from Sở Nội vụ before 1 Jul 2025 recuses for its successor)."""
    registry = await load_registry_from_db()
    lineage = predecessor_map(registry)
    out = {}
    for code in unit_codes:
        units = {code}
        if registry.has(code) and (parent := registry.unit(code).parent):
            units.add(parent)
        out[code] = units | {p.unit.code for u in units if registry.has(u)
                             for p in predecessors(registry, u, lineage)}
    return out


async def record_votes(session_id: int, member_id: int, choices: Mapping[int, str], actor: str) -> None:
    """One member's ballot: nomination id → yes | no | abstain | recused."""
    session, members = await _open_session_and_members(session_id)
    if member_id not in members:
        raise _invalid("Phiếu không hợp lệ.",
                       [_p("member_id", f"Thành viên số {member_id} không thuộc hội đồng.")])
    member = members[member_id]
    present = (await _attendance(session_id)).get(member_id)
    problems = []
    if present is None or present["status"] == "absent":
        problems.append(_p("member_id", f"{member['full_name']} chưa được điểm danh là có mặt "
                         "hoặc có phiếu bằng văn bản."))
    nominations = {int(n["id"]): n for n in await batch_nominations(session["batch_id"])}
    own = await _own_units([n["unit_code"] for n in nominations.values()])
    for nomination_id, choice in choices.items():
        n = nominations.get(nomination_id)
        if n is None:
            problems.append(_p("nomination_id", f"Đề nghị số {nomination_id} không thuộc đợt này."))
            continue
        conflicted = member["unit_code"] is not None and member["unit_code"] in own[n["unit_code"]]
        name = n["evaluation"].get("unit_name", n["unit_code"])
        if choice not in CHOICES:
            problems.append(_p("choice", f"Lựa chọn «{choice}» không hợp lệ; dùng: " + ", ".join(CHOICES)))
        elif conflicted and choice != "recused":
            problems.append(_p("choice", f"{member['full_name']} thuộc đơn vị của «{name}» nên "
                             "không được biểu quyết cho đề nghị này (phải ghi «không tham gia»)."))
        elif choice == "recused" and not conflicted:
            problems.append(_p("choice", f"{member['full_name']} không thuộc đơn vị của «{name}»: "
                             "chỉ thành viên có xung đột lợi ích mới ghi «không tham gia»."))
    if problems:
        raise _invalid("Phiếu biểu quyết chưa hợp lệ; chưa có gì được lưu.", problems)
    async with write_transaction():
        await _open_session_and_members(session_id)
        for nomination_id, choice in choices.items():
            key = f"{session_id}|{member_id}|{nomination_id}"
            await SessionVote.delete().where(SessionVote.key == key)
            await SessionVote.insert(SessionVote(key=key, session=session_id, member=member_id,
                                                 nomination=nomination_id, choice=choice))
        await record(actor, "council.vote", "council_session", session_id,
                     after={"member_id": member_id, "choices": {str(k): v for k, v in choices.items()}})


async def load_session(batch_id: int) -> SessionRecords:
    """The batch, its period, its nominations, its session, the council, the attendance and the
    ballots as stored: one read each, for every reader of a session (pages, API, closing, dossier)."""
    batch = await get_batch(batch_id)
    period = await get_period(batch["period_id"])
    nominations = await nominations_of(batch_id)
    row = await CouncilSession.select().where(CouncilSession.batch == batch_id).first()
    if row is None:
        return SessionRecords(batch, period, nominations, None, None, {}, [], None)
    stored = row.get("tally")
    session = _session_shape(row)
    council = await get_council(session["council_id"])
    attendance = await SessionAttendance.select().where(SessionAttendance.session == session["id"]).order_by(
        SessionAttendance.id)
    votes = await SessionVote.select().where(SessionVote.session == session["id"]).order_by(SessionVote.id)
    return SessionRecords(batch, period, nominations, session, council,
                          {int(a["member"]): a for a in attendance}, list(votes),
                          json.loads(stored) if stored else None)


def counted(records: SessionRecords) -> SessionCount:
    """The session's count: as stored at closing; while open (or closed before the count was
    stored), counted now against the rule file."""
    if records.stored is not None:
        return SessionCount.from_record(records.stored, records.nominations)
    return count_session(records, rule_set_for_plan(records.period["plan_id"]))


def _tally_rows(count: SessionCount) -> list[dict[str, Any]]:
    return [{"nomination": n.nomination, "tally": n.tally} for n in count.nominees]


async def session_tally(session_id: int) -> list[dict[str, Any]]:
    """Per nominee: the votes and whether they reach the rule's threshold, most yes votes first."""
    session = await get_session(session_id)
    return _tally_rows(counted(await load_session(session["batch_id"])))


def _closing_problems(records: SessionRecords, ballots_invalid: int) -> list[dict[str, str]]:
    members, attendance = records.members, records.attendance
    cast = {(int(v["member"]), int(v["nomination"])) for v in records.votes}
    problems = []
    unmarked = [m["full_name"] for mid, m in members.items() if mid not in attendance]
    if unmarked:
        problems.append(_p("attendance", "Chưa điểm danh: " + ", ".join(unmarked)))
    for mid, a in attendance.items():
        if a["status"] == "absent":
            continue
        missing = [n["evaluation"].get("unit_name", n["unit_code"]) for n in records.nominations
                   if (mid, int(n["id"])) not in cast]
        if missing:
            problems.append(_p("votes", f"{members[mid]['full_name']} chưa có phiếu cho: "
                             + ", ".join(missing)))
    if ballots_invalid < 0:
        problems.append(_p("ballots_invalid", "Số phiếu không hợp lệ không thể âm."))
    return problems


async def close_session(session_id: int, *, ballots_invalid: int, actor: str) -> dict[str, Any]:
    """Close: every member who attended (or voted in writing) must have a ballot for every
    nominee; the results and the count (per nominee the votes, the threshold, the denominator
    and the legal basis applied; the recusals) are then stored and final. Closing a closed
    session changes nothing."""
    session = await get_session(session_id)
    if session["status"] == "closed":
        return session
    now = datetime.now(UTC)
    async with write_transaction():
        records = await load_session(session["batch_id"])
        if records.session is None or records.session["status"] != "open":
            raise ServiceError("conflict", "Phiên họp đã kết thúc; kết quả không thể thay đổi.")
        if problems := _closing_problems(records, ballots_invalid):
            raise _invalid("Chưa thể kết thúc phiên họp.", problems)
        count = count_session(records, rule_set_for_plan(records.period["plan_id"]))
        stored = count.as_record()
        for n in count.nominees:
            await Nomination.update({Nomination.result: "passed" if n.tally.passed else "failed"}).where(
                Nomination.id == n.nomination["id"])
        await CouncilSession.update({CouncilSession.status: "closed", CouncilSession.closed_at: now,
                                     CouncilSession.closed_by: actor,
                                     CouncilSession.ballots_invalid: ballots_invalid,
                                     CouncilSession.tally: canonical(stored)}).where(
            CouncilSession.id == session_id)
        await NominationBatch.update({NominationBatch.status: "closed"}).where(
            NominationBatch.id == session["batch_id"])
        await record(actor, "council.session_close", "council_session", session_id, after={
            "ballots_invalid": ballots_invalid, "tally": stored})
    return await get_session(session_id)


async def session_view(batch_id: int) -> dict[str, Any] | None:
    """Everything a page shows of a batch's session: members, attendance, ballots, tally."""
    records = await load_session(batch_id)
    if records.session is None:
        return None
    ballots: dict[int, dict[int, str]] = {}
    for v in records.votes:
        ballots.setdefault(int(v["member"]), {})[int(v["nomination"])] = v["choice"]
    return {"session": records.session, "council": records.council,
            "attendance": {mid: {**a, "member": mid} for mid, a in records.attendance.items()},
            "ballots": ballots, "tally": _tally_rows(counted(records))}
