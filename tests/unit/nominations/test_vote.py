"""The council's vote: thresholds over the full membership, exact at the boundary."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nominations.rules import VoteRule
from nominations.vote import Tally, tally

BASIS = "khoản 7 Điều 30 Nghị định 98/2023/NĐ-CP"
AT_80 = VoteRule(80, "members", True, BASIS)
AT_90 = VoteRule(90, "members", True, BASIS)


def council(size: int) -> list[str]:
    return [f"TV{i}" for i in range(1, size + 1)]


def vote(size: int, yes: int, rule: VoteRule, **special: str) -> Tally:
    """``size`` members all present; the first ``yes`` vote yes, the others no, unless ``special``."""
    members = council(size)
    votes = {m: ("yes" if i < yes else "no") for i, m in enumerate(members)}
    votes.update(special)
    return tally(members, dict.fromkeys(members, "present"), votes, rule)


def test_80_percent_of_five_members_exactly_at_the_boundary() -> None:
    # 4 × 100 = 400 ≥ 80 × 5 = 400: passes; 3 × 100 = 300 < 400: fails.
    four = vote(5, 4, AT_80)
    assert (four.passed, four.percent, four.denominator) == (True, Decimal("80.00"), 5)
    assert four.explanation.startswith("4/5 thành viên đồng ý (80\u00a0%), đạt tỷ lệ từ 80\u00a0% "
                                     "tổng số thành viên")
    three = vote(5, 3, AT_80)
    assert (three.passed, three.percent) == (False, Decimal("60.00"))
    assert "không đạt" in three.explanation


def test_90_percent_of_ten_members_exactly_at_the_boundary() -> None:
    # 9 × 100 = 900 ≥ 90 × 10 = 900: passes; 8 × 100 = 800 < 900: fails.
    assert vote(10, 9, AT_90).passed
    assert not vote(10, 8, AT_90).passed


def test_the_denominator_is_the_full_membership_not_those_present() -> None:
    # 5 members, 1 absent with no vote: 4 yes of 5 = 80 % passes; 3 yes + 1 no of 5 = 60 % fails.
    members = council(5)
    attendance = {**dict.fromkeys(members, "present"), "TV5": "absent"}
    passed = tally(members, attendance, dict.fromkeys(members[:4], "yes"), AT_80)
    assert (passed.passed, passed.not_voted, passed.denominator) == (True, 1, 5)
    failed = tally(members, attendance, {**dict.fromkeys(members[:3], "yes"), "TV4": "no"}, AT_80)
    assert not failed.passed and failed.percent == Decimal("60.00")


def test_an_absent_member_votes_only_in_writing() -> None:
    members = council(5)
    attendance = {**dict.fromkeys(members, "present"), "TV4": "absent_written", "TV5": "absent"}
    votes = dict.fromkeys(members, "yes")
    # TV5's "yes" has no effect (absent, no written vote): 4 yes (TV4 in writing) of 5 = 80 %.
    t = tally(members, attendance, votes, AT_80)
    assert (t.yes, t.not_voted, t.passed) == (4, 1, True)


def test_recused_counts_in_the_full_membership_and_not_as_yes() -> None:
    # 5 members, TV5 recused, 4 yes: 4/5 = 80 % passes over "members"; 3 yes + 1 recused: 3/5 fails.
    four = vote(5, 4, AT_80, TV5="recused")
    assert (four.recused, four.denominator, four.passed) == (1, 5, True)
    assert "vẫn được tính vào tổng số thành viên" in four.explanation
    three = vote(5, 3, AT_80, TV4="recused", TV5="no")
    assert (three.yes, three.recused, three.denominator, three.passed) == (3, 1, 5, False)


def test_recused_taken_out_of_the_denominator_when_the_rule_says_so() -> None:
    # "members_minus_recused": 3 yes + 1 no + 1 recused → 3/4 = 75 % < 80 % fails;
    # 4 yes + 1 recused → 4/4 = 100 % passes; over "members" 3/5 = 60 % would fail.
    rule = VoteRule(80, "members_minus_recused", True, BASIS)
    three = vote(5, 3, rule, TV4="no", TV5="recused")
    assert (three.denominator, three.percent, three.passed) == (4, Decimal("75.00"), False)
    four = vote(5, 4, rule, TV5="recused")
    assert (four.denominator, four.passed) == (4, True)
    assert "không tính vào mẫu số" in four.explanation
    # 7 members, 1 recused: 5 yes / 6 = 83.33 % passes; over all 7 members 5/7 = 71.43 % fails.
    assert vote(7, 5, rule, TV7="recused").percent == Decimal("83.33")
    assert vote(7, 5, AT_80, TV7="recused").percent == Decimal("71.43")


def test_the_record_carries_the_rule_it_was_counted_against_and_reads_back() -> None:
    members = council(5)
    attendance = {**dict.fromkeys(members, "present"), "TV3": "absent_written", "TV4": "absent"}
    t = tally(members, attendance, {"TV1": "yes", "TV2": "no", "TV3": "yes", "TV4": "yes", "TV5": "recused"},
              AT_80)
    record = t.as_record()
    assert record == {
        "yes": 2, "no": 1, "abstain": 0, "recused": 1, "written": 1, "not_voted": 1, "members": 5,
        "denominator": 5, "denominator_rule": "members", "percent": "40.00", "threshold_percent": 80,
        "legal_basis": BASIS, "passed": False, "explanation": t.explanation}
    assert Tally.from_record(record) == t
    assert Tally.from_record({**record, "unit_code": "X"}) == t, "khóa khác của bản ghi được bỏ qua"


def test_abstentions_count_against() -> None:
    t = vote(5, 3, AT_80, TV4="abstain", TV5="abstain")
    assert (t.yes, t.abstain, t.no, t.passed) == (3, 2, 0, False)


def test_inconsistent_input_is_refused_in_vietnamese() -> None:
    members = council(3)
    with pytest.raises(ValueError, match="«TV9» không phải thành viên Hội đồng"):
        tally(members, {}, {"TV9": "yes"}, AT_80)
    with pytest.raises(ValueError, match="phiếu «maybe»"):
        tally(members, dict.fromkeys(members, "present"), {"TV1": "maybe"}, AT_80)
    with pytest.raises(ValueError, match="tình trạng tham dự «late»"):
        tally(members, {"TV1": "late"}, {}, AT_80)
    with pytest.raises(ValueError, match="bị trùng"):
        tally(["TV1", "TV1"], {}, {}, AT_80)


def test_an_empty_denominator_never_passes() -> None:
    rule = VoteRule(50, "members_minus_recused", False, BASIS)
    t = vote(2, 0, rule, TV1="recused", TV2="recused")
    assert (t.denominator, t.percent, t.passed) == (0, Decimal(0), False)


CHOICES = st.sampled_from(["yes", "no", "abstain", "recused", None])
PRESENCE = st.sampled_from(["present", "absent_written", "absent"])


@given(ballots=st.lists(st.tuples(PRESENCE, CHOICES), min_size=1, max_size=25),
       threshold=st.integers(1, 100), minus_recused=st.booleans(), data=st.data())
def test_adding_a_yes_vote_never_turns_passed_into_failed(
        ballots: list[tuple[str, str | None]], threshold: int, minus_recused: bool,
        data: st.DataObject) -> None:
    rule = VoteRule(threshold, "members_minus_recused" if minus_recused else "members", True, BASIS)
    members = council(len(ballots))
    attendance = {m: a for m, (a, _) in zip(members, ballots, strict=True)}
    votes = {m: v for m, (_, v) in zip(members, ballots, strict=True) if v is not None}
    before = tally(members, attendance, votes, rule)
    # One member who did not count as yes (no, abstain, no vote, absent) now votes yes in person.
    others = [m for m in members if votes.get(m) not in ("yes", "recused")]
    if not others:
        return
    switched = data.draw(st.sampled_from(others))
    after = tally(members, {**attendance, switched: "present"}, {**votes, switched: "yes"}, rule)
    assert after.yes == before.yes + 1
    assert after.passed or not before.passed
    assert after.yes + after.no + after.abstain + after.recused + after.not_voted == after.members
    assert Tally.from_record(after.as_record()) == after
    assert after.written <= after.yes + after.no + after.abstain
