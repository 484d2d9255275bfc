"""A session's count over its stored rows: most yes votes first, the recusals, and the record
closing stores, which reads back to the same count whatever the rule set says afterwards."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from award_records import shipped

from nominations.session_count import SessionCount, SessionRecords, count_session
from storage.errors import ServiceError

AWARD = "bang-khen-tinh-tap-the"


def nomination(nid: int, seq: int, code: str) -> dict[str, Any]:
    return {"id": nid, "seq": seq, "award_id": AWARD, "unit_code": code,
            "evaluation": {"unit_name": f"Xã {code}"}}


def session(year: int = 2024) -> SessionRecords:
    """Five members; the fifth from nominee 11's own unit; the fourth absent, voting in writing."""
    members = [{"id": i, "full_name": f"Thành viên {i}"} for i in range(1, 6)]
    attendance = {i: {"member": i, "status": "absent_written" if i == 4 else "present"} for i in range(1, 6)}
    ballots = {11: ["yes", "yes", "no", "yes", "recused"], 12: ["yes", "yes", "yes", "yes", "no"]}
    votes = [{"member": i, "nomination": nid, "choice": choices[i - 1]}
             for nid, choices in ballots.items() for i in range(1, 6)]
    return SessionRecords(
        batch={"id": 7, "year": year}, period={"plan_id": "p", "plan_title": "t"},
        nominations=[nomination(11, 1, "A"), nomination(12, 2, "B")], session={"id": 3, "status": "open"},
        council={"id": 1, "members": members}, attendance=attendance, votes=votes, stored=None)


def test_most_yes_votes_first_with_the_rule_applied_and_the_recusals() -> None:
    count = count_session(session(), shipped())
    assert [n.nomination["id"] for n in count.nominees] == [12, 11]
    b, a = (n.tally for n in count.nominees)
    assert (b.yes, b.written, b.passed) == (4, 1, True)
    assert (a.yes, a.recused, a.denominator) == (3, 1, 5)
    assert (a.threshold_percent, a.denominator_rule) == (50, "members")
    assert a.legal_basis == "Quy chế hoạt động của Hội đồng Thi đua - Khen thưởng tỉnh"
    assert count.nominees[0].award_name == "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh (tập thể)"
    assert [(r.member, r.nominee) for r in count.recusals] == [("Thành viên 5", "Xã A")]
    assert (count.members, count.rule_set_sha256) == (5, shipped().sha256)


def test_the_stored_record_reads_back_the_same_count() -> None:
    records = session()
    count = count_session(records, shipped())
    record = count.as_record()
    assert record["nominees"][1]["tally"]["threshold_percent"] == 50
    assert record["recusals"] == [{"member_id": 5, "member": "Thành viên 5", "nomination_id": 11,
                                   "nominee": "Xã A"}]
    assert SessionCount.from_record(record, records.nominations) == count


def test_no_rule_in_force_for_the_year_is_a_conflict() -> None:
    with pytest.raises(ServiceError) as caught:
        count_session(dataclasses.replace(session(), batch={"id": 7, "year": 2016}), shipped())
    assert caught.value.code == "conflict" and "không còn hiệu lực cho năm 2016" in caught.value.message
