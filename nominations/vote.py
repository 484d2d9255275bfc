"""The council's vote on one nominee, against the rule's threshold and denominator.

Who counts (Decree 98/2023/NĐ-CP Art. 30(7): "tổng số thành viên Hội đồng"):

- ``members``: the council's full membership per its founding decision. Absent members
  count; a member absent without a written vote simply has no vote; a recused member (whose
  own unit is nominated) still counts in the denominator, and not as a yes.
- ``members_minus_recused``: the same, less the recused members.

Attendance values: ``present``, ``absent_written`` (absent, voted in writing, recorded in the
minutes), ``absent`` (no vote). Vote values: ``yes``, ``no``, ``abstain``, ``recused``.
A member recused counts as recused whatever their attendance.

``passed`` iff ``yes × 100 ≥ threshold × denominator``: integer arithmetic, exact at the
boundary (4 of 5 members at 80 % passes, 3 of 5 fails).

A tally carries the rule it was counted against (threshold, denominator, legal basis), so its
record (:meth:`Tally.as_record`, the one dict shape of a tally: stored at closing, audited,
served by the API, put in the dossier) reads the same whatever the rule file says later.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from nominations.rules import VoteRule
from presentation.numbers import percent_text

ATTENDANCE = ("present", "absent_written", "absent")
VOTES = ("yes", "no", "abstain", "recused")
HUNDREDTH = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Tally:
    yes: int
    no: int
    abstain: int
    recused: int
    not_voted: int  # absent without a written vote, or present without a ballot
    members: int
    denominator: int
    percent: Decimal  # yes / denominator × 100, 2 places, half up
    passed: bool
    explanation: str
    written: int  # of yes + no + abstain: ballots of members absent who voted in writing
    threshold_percent: int  # the rule's, as counted
    denominator_rule: str  # "members" | "members_minus_recused"
    legal_basis: str  # the vote rule's citation

    def as_record(self) -> dict[str, Any]:
        """JSON-ready: the percent as exact text ("80.00"); :meth:`from_record` reads it back."""
        return {"yes": self.yes, "no": self.no, "abstain": self.abstain, "recused": self.recused,
                "written": self.written, "not_voted": self.not_voted, "members": self.members,
                "denominator": self.denominator, "denominator_rule": self.denominator_rule,
                "percent": str(self.percent), "threshold_percent": self.threshold_percent,
                "legal_basis": self.legal_basis, "passed": self.passed, "explanation": self.explanation}

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Tally:
        """The tally of a record written by :meth:`as_record` (other keys are ignored)."""
        return cls(
            yes=int(record["yes"]), no=int(record["no"]), abstain=int(record["abstain"]),
            recused=int(record["recused"]), not_voted=int(record["not_voted"]),
            members=int(record["members"]),
            denominator=int(record["denominator"]), percent=Decimal(str(record["percent"])),
            passed=bool(record["passed"]), explanation=str(record["explanation"]),
            written=int(record["written"]), threshold_percent=int(record["threshold_percent"]),
            denominator_rule=str(record["denominator_rule"]), legal_basis=str(record["legal_basis"]),
        )


def tally(members: Sequence[str], attendance: Mapping[str, str], votes: Mapping[str, str],
          rule: VoteRule) -> Tally:
    """Count a nominee's votes; raises ValueError (Vietnamese) on inconsistent input."""
    _validate(members, attendance, votes)
    counts = dict.fromkeys(VOTES, 0)
    written = 0
    for member in members:
        vote = votes.get(member)
        if vote == "recused" or (vote and attendance.get(member, "absent") != "absent"):
            counts[vote] += 1
            if vote != "recused" and attendance.get(member) == "absent_written":
                written += 1
    voted = counts["yes"] + counts["no"] + counts["abstain"]
    denominator = len(members)
    if rule.denominator == "members_minus_recused":
        denominator -= counts["recused"]
    yes = counts["yes"]
    percent = Decimal(0) if denominator <= 0 else (Decimal(yes * 100) / denominator).quantize(
        HUNDREDTH, rounding=ROUND_HALF_UP)
    passed = denominator > 0 and yes * 100 >= rule.threshold_percent * denominator
    return Tally(
        yes=yes, no=counts["no"], abstain=counts["abstain"], recused=counts["recused"],
        not_voted=len(members) - voted - counts["recused"], members=len(members),
        denominator=denominator, percent=percent, passed=passed,
        explanation=_explain(yes, counts["recused"], denominator, percent, passed, rule),
        written=written, threshold_percent=rule.threshold_percent, denominator_rule=rule.denominator,
        legal_basis=rule.legal_basis,
    )


def _validate(members: Sequence[str], attendance: Mapping[str, str], votes: Mapping[str, str]) -> None:
    problems: list[str] = []
    if len(set(members)) != len(members):
        problems.append("danh sách thành viên Hội đồng có người bị trùng")
    known = set(members)
    for who in [*attendance, *votes]:
        if who not in known:
            problems.append(f"«{who}» không phải thành viên Hội đồng theo quyết định thành lập")
    for who, value in attendance.items():
        if value not in ATTENDANCE:
            problems.append(f"tình trạng tham dự «{value}» của «{who}» không hợp lệ")
    for who, value in votes.items():
        if value not in VOTES:
            problems.append(f"phiếu «{value}» của «{who}» không hợp lệ")
    if problems:
        raise ValueError("Không thể kiểm phiếu: " + "; ".join(dict.fromkeys(problems)))


def _explain(yes: int, recused: int, denominator: int, percent: Decimal, passed: bool,
             rule: VoteRule) -> str:
    if denominator <= 0:
        return "Không có thành viên nào được tính để biểu quyết: không đạt."
    whom = ("tổng số thành viên Hội đồng" if rule.denominator == "members"
            else "tổng số thành viên Hội đồng trừ người không tham gia biểu quyết")
    verdict = "đạt" if passed else "không đạt"
    text = (f"{yes}/{denominator} thành viên đồng ý ({percent_text(percent)}), {verdict} tỷ lệ "
            f"từ {percent_text(rule.threshold_percent)} {whom} trở lên theo {rule.legal_basis}.")
    if recused:
        counted = ("vẫn được tính vào tổng số thành viên" if rule.denominator == "members"
                   else "không tính vào mẫu số")
        text += (f" {recused} thành viên không tham gia biểu quyết vì liên quan đến người được đề nghị, "
                 f"{counted}.")
    return text
