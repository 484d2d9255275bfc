"""A council session's count: every nominee's tally and the recusals, and its stored record.

:func:`count_session` tallies each nominee of a session (as read by
:func:`nominations.council.load_session`) against the vote rule in force on 31 December of
the batch's year. Closing stores :meth:`SessionCount.as_record` in ``council_session.tally``;
from then on the session's count is :meth:`SessionCount.from_record` of that record, never a
new count: editing a threshold, a denominator or a citation in the rule file later cannot
change the minutes of a session already closed. The record, as JSON::

    {"rule_set": {"id", "sha256"}, "members": 5,
     "nominees": [{"nomination_id", "award_id", "award_name", "unit_code", "unit_name",
                   "tally": Tally.as_record()}, ...],      # most yes votes first
     "recusals": [{"member_id", "member", "nomination_id", "nominee"}, ...]}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from nominations.rules import RuleSet
from nominations.vote import Tally, tally
from storage.errors import ServiceError


@dataclass(frozen=True, slots=True)
class SessionRecords:
    """A batch and its council session as stored, each read once."""

    batch: dict[str, Any]
    period: dict[str, Any]  # with the plan's id and title
    nominations: list[dict[str, Any]]  # list order
    session: dict[str, Any] | None  # None: no session opened yet
    council: dict[str, Any] | None  # with its members in the founding decision's order
    attendance: dict[int, dict[str, Any]]  # member id → row, in the order recorded
    votes: list[dict[str, Any]]  # ballot rows, in the order recorded
    stored: dict[str, Any] | None  # the count stored at closing (see the module)

    @property
    def members(self) -> dict[int, dict[str, Any]]:
        return {int(m["id"]): m for m in (self.council or {}).get("members", [])}


@dataclass(frozen=True, slots=True)
class NomineeTally:
    nomination: dict[str, Any]
    award_name: str
    tally: Tally


@dataclass(frozen=True, slots=True)
class Recusal:
    member_id: int
    member: str  # the council member's full name
    nomination_id: int
    nominee: str  # the nominee's name


@dataclass(frozen=True, slots=True)
class SessionCount:
    rule_set_id: str
    rule_set_sha256: str
    members: int  # the council's full membership
    nominees: tuple[NomineeTally, ...]  # most yes votes first, then list order
    recusals: tuple[Recusal, ...]  # in the order the ballots were recorded

    def as_record(self) -> dict[str, Any]:
        return {
            "rule_set": {"id": self.rule_set_id, "sha256": self.rule_set_sha256},
            "members": self.members,
            "nominees": [{"nomination_id": int(n.nomination["id"]), "award_id": n.nomination["award_id"],
                          "award_name": n.award_name, "unit_code": n.nomination["unit_code"],
                          "unit_name": _unit_name(n.nomination), "tally": n.tally.as_record()}
                         for n in self.nominees],
            "recusals": [{"member_id": r.member_id, "member": r.member, "nomination_id": r.nomination_id,
                          "nominee": r.nominee} for r in self.recusals],
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any], nominations: Sequence[dict[str, Any]]) -> SessionCount:
        """The count stored by :meth:`as_record`, its nominees joined to the batch's ``nominations``."""
        by_id = {int(n["id"]): n for n in nominations}
        return cls(
            rule_set_id=str(record["rule_set"]["id"]), rule_set_sha256=str(record["rule_set"]["sha256"]),
            members=int(record["members"]),
            nominees=tuple(NomineeTally(by_id[int(e["nomination_id"])], str(e["award_name"]),
                                        Tally.from_record(e["tally"])) for e in record["nominees"]),
            recusals=tuple(Recusal(int(r["member_id"]), str(r["member"]), int(r["nomination_id"]),
                                   str(r["nominee"])) for r in record["recusals"]),
        )


def _unit_name(nomination: Mapping[str, Any]) -> str:
    return str(nomination["evaluation"].get("unit_name", nomination["unit_code"]))


def count_session(records: SessionRecords, rules: RuleSet) -> SessionCount:
    """Tally every nominee of the session against ``rules`` (the session's ballots so far)."""
    members = records.members
    member_ids = [str(m) for m in members]
    attendance = {str(k): str(v["status"]) for k, v in records.attendance.items()}
    ballots: dict[int, dict[str, str]] = {}
    for v in records.votes:
        ballots.setdefault(int(v["nomination"]), {})[str(int(v["member"]))] = str(v["choice"])
    year = int(records.batch["year"])
    counted = []
    for n in records.nominations:
        award = rules.award(n["award_id"])
        version = award.version_on(date(year, 12, 31))
        if version is None:
            raise ServiceError("conflict",
                               f"Quy định của «{n['award_id']}» không còn hiệu lực cho năm {year}.")
        votes = tally(member_ids, attendance, ballots.get(int(n["id"]), {}), version.vote)
        counted.append(NomineeTally(n, award.name, votes))
    counted.sort(key=lambda x: (-x.tally.yes, x.nomination["seq"]))
    names = {int(n["id"]): _unit_name(n) for n in records.nominations}
    recusals = tuple(
        Recusal(int(v["member"]), str(members[int(v["member"])]["full_name"]), int(v["nomination"]),
                names[int(v["nomination"])])
        for v in records.votes if v["choice"] == "recused")
    return SessionCount(rules.id, rules.sha256, len(members), tuple(counted), recusals)
