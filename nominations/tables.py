"""Stored history, councils, nomination batches, council sessions, votes and dossier files.

Composite uniqueness is a ``key`` column holding the joined parts (as in scoring.tables), so
both engines enforce it with a plain unique index. Dossier PDFs are kept in the database
with their sha256: a batch's files live and die with its rows, inside the same transaction.
"""

from __future__ import annotations

from piccolo.columns import (
    BigInt,
    Bytea,
    Date,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from scoring.tables import Period, ScoreRun


class HistoryRecord(Table, tablename="history_record"):
    """One fact of a person's or unit's year: a title, a rating, an initiative, a discipline."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker
    key = Varchar(length=400, unique=True)  # "<unit>|<year>|<kind>|<value>|<detail>"
    unit_code = Varchar(length=40, index=True)
    year = Integer()
    kind = Varchar(length=20)  # title | rating | initiative | discipline
    value = Varchar(length=40)
    detail = Text(default="")  # decision number, initiative name, reason
    used_for = Varchar(length=80, default="")  # initiatives: the award it already earned
    imported_by = Varchar(length=80)
    imported_at = Timestamptz()


class Council(Table, tablename="council"):
    """An emulation and commendation council as its founding decision constitutes it."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker
    name = Text()
    decision_no = Varchar(length=80)
    decision_date = Date()
    created_at = Timestamptz()


class CouncilMember(Table, tablename="council_member"):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker
    council = ForeignKey(Council, on_delete=OnDelete.restrict, index=True)
    seq = Integer()
    full_name = Text()
    position = Text()  # Chủ tịch Hội đồng, Phó Chủ tịch, Ủy viên, Ủy viên – Thư ký
    unit_code = Varchar(length=40, null=True, default=None)  # own unit: recusal
    username = Varchar(length=80, null=True, default=None)


class NominationBatch(Table, tablename="nomination_batch"):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker
    period = ForeignKey(Period, on_delete=OnDelete.restrict, index=True)
    year = Integer()
    title = Text()
    commendation_kind = Varchar(length=40)  # thematic (theo phong trào thi đua, chuyên đề)
    rule_set_id = Varchar(length=80)
    rule_set_sha256 = Varchar(length=64)
    number = Varchar(length=80)  # the submission letter's number, e.g. 125/TTr-SNV
    decision_date = Date()  # the base salary in force on this day sets the award money
    status = Varchar(length=20)  # draft | in_session | closed
    created_by = Varchar(length=80)
    created_at = Timestamptz()


class Nomination(Table, tablename="nomination_entry"):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker
    key = Varchar(length=200, unique=True)  # "<batch>|<award>|<unit>"
    batch = ForeignKey(NominationBatch, on_delete=OnDelete.restrict, index=True)
    seq = Integer()
    award_id = Varchar(length=80)
    unit_code = Varchar(length=40, index=True)
    run = ForeignKey(ScoreRun, on_delete=OnDelete.restrict)
    rule_valid_from = Date()
    legal_basis = Text()
    money = BigInt()
    evaluation = Text()  # the candidate as evaluated (conditions and values), canonical JSON
    result = Varchar(length=20, default="")  # "" until the session closes, then passed | failed


class CouncilSession(Table, tablename="council_session"):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker
    batch = ForeignKey(NominationBatch, on_delete=OnDelete.restrict, index=True)  # one per batch (service)
    council = ForeignKey(Council, on_delete=OnDelete.restrict)
    held_at = Timestamptz()
    place = Text()
    chair = ForeignKey(CouncilMember, on_delete=OnDelete.restrict)
    secretary = ForeignKey(CouncilMember, on_delete=OnDelete.restrict)
    number = Varchar(length=80)  # the minutes' number, e.g. 15/BB-HĐTĐKT
    ballots_invalid = Integer(default=0)
    status = Varchar(length=20)  # open | closed
    closed_by = Varchar(length=80, null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    # The tally as counted at closing, canonical JSON (nominations.session_store): what the
    # minutes print, whatever the rule file says later. None while open.
    tally = Text(null=True, default=None)


class SessionAttendance(Table, tablename="session_attendance"):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker
    key = Varchar(length=100, unique=True)  # "<session>|<member>"
    session = ForeignKey(CouncilSession, on_delete=OnDelete.cascade, index=True)
    member = ForeignKey(CouncilMember, on_delete=OnDelete.restrict)
    status = Varchar(length=20)  # present | absent_written | absent
    reason = Text(default="")


class SessionVote(Table, tablename="session_vote"):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker
    key = Varchar(length=100, unique=True)  # "<session>|<member>|<nomination>"
    session = ForeignKey(CouncilSession, on_delete=OnDelete.cascade, index=True)
    member = ForeignKey(CouncilMember, on_delete=OnDelete.restrict)
    nomination = ForeignKey(Nomination, on_delete=OnDelete.restrict)
    choice = Varchar(length=10)  # yes | no | abstain | recused


class DossierFile(Table, tablename="dossier_file"):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker
    key = Varchar(length=200, unique=True)  # "<batch>|<name>"
    batch = ForeignKey(NominationBatch, on_delete=OnDelete.restrict, index=True)
    name = Varchar(length=120)
    title = Text()
    sha256 = Varchar(length=64)
    pages = Integer()
    size = BigInt()
    content = Bytea()
    created_by = Varchar(length=80)
    created_at = Timestamptz()
