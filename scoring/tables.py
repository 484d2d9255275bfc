"""Stored units, periods, indicator values, scoring runs and their results, replies.

Points are stored as integers of hundredths (``*_h`` columns): SQLite would turn a Numeric
into a float. Composite uniqueness is a ``key`` column holding the joined parts, so both
engines enforce it with a plain unique index.
"""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    Boolean,
    Bytea,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from criteria.tables import PlanVersion


class Cluster(Table, tablename="cluster"):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker
    code = Varchar(length=40, unique=True)
    name = Text()
    level = Varchar(length=40)
    # Cụm trưởng and cụm phó: codes of member units (checked by the registry rules).
    leader = Varchar(length=40, null=True, default=None)
    deputy = Varchar(length=40, null=True, default=None)


class Unit(Table, tablename="unit"):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker
    code = Varchar(length=40, unique=True)
    name = Text()
    kind = Varchar(length=60)
    level = Varchar(length=40, index=True)
    parent = Varchar(length=40, null=True, default=None)
    cluster = Varchar(length=40, null=True, default=None, index=True)
    valid_from = Date()
    valid_to = Date(null=True, default=None)
    tags = Text(default="")  # comma-separated
    sex = Varchar(length=4, null=True, default=None)
    successors = Text(default="")  # comma-separated codes of the units that replaced it


class Period(Table, tablename="period"):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker
    key = Varchar(length=200, unique=True)  # "<plan sha256>|<year>"
    year = Integer()
    plan_version = ForeignKey(PlanVersion, on_delete=OnDelete.restrict)
    entry_opens = Timestamptz()
    entry_closes = Timestamptz()
    locked = Boolean(default=False)
    submission_deadline = Timestamptz(null=True, default=None)
    locked_levels = JSON(default="[]")  # ids of the plan levels whose data is locked


class PeriodCluster(Table, tablename="period_cluster"):
    """A cluster's composition in one period: its members, leader and deputy that year.

    Taken from the registry when the period opens, then edited for the period alone, so a later
    change to the registry leaves the years already scored as they were.
    """

    id: Serial  # Piccolo's implicit primary key, declared for the type checker
    key = Varchar(length=120, unique=True)  # "<period id>|<cluster code>"
    period = ForeignKey(Period, on_delete=OnDelete.cascade, index=True)
    code = Varchar(length=40)
    leader = Varchar(length=40, null=True, default=None)
    deputy = Varchar(length=40, null=True, default=None)
    members = Text(default="")  # comma-separated unit codes, in the registry's order


class IndicatorValue(Table, tablename="indicator_value"):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker
    key = Varchar(length=200, unique=True)  # "<period id>|<unit code>|<indicator>"
    period = ForeignKey(Period, on_delete=OnDelete.restrict, index=True)
    unit_code = Varchar(length=40, index=True)
    indicator = Varchar(length=80)
    self_value = DoublePrecision(null=True, default=None)
    evidence_url = Text(default="")
    comment = Text(default="")
    entered_by = Varchar(length=80, null=True, default=None)
    entered_at = Timestamptz(null=True, default=None)
    appraised_value = DoublePrecision(null=True, default=None)
    appraisal_note = Text(default="")
    appraised_by = Varchar(length=80, null=True, default=None)
    appraised_at = Timestamptz(null=True, default=None)


class ScoreRun(Table, tablename="score_run"):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker
    plan_version = ForeignKey(PlanVersion, on_delete=OnDelete.restrict)
    plan_sha256 = Varchar(length=64)
    period = ForeignKey(Period, on_delete=OnDelete.restrict, index=True)
    year = Integer()
    level = Varchar(length=40)
    data_sha256 = Varchar(length=64)
    run_hash = Varchar(length=64, index=True)
    results_sha256 = Varchar(length=64)
    n_units = Integer()
    started_by = Varchar(length=80)
    started_at = Timestamptz()
    published = Boolean(default=False)
    published_key = Varchar(length=200, null=True, default=None, unique=True)  # one per plan+period+level
    published_at = Timestamptz(null=True, default=None)
    published_by = Varchar(length=80, null=True, default=None)


class UnitResult(Table, tablename="unit_result"):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker
    run = ForeignKey(ScoreRun, on_delete=OnDelete.cascade, index=True)
    unit_code = Varchar(length=40, index=True)
    cluster = Varchar(length=40, null=True, default=None)
    total_h = Integer()
    max_h = Integer()
    percent_h = Integer()
    base_h = Integer()
    bonus_h = Integer()
    deductions_h = Integer()
    band = Varchar(length=40)
    rank_in_cluster = Integer()
    cluster_size = Integer()
    rank_overall = Integer()
    breakdown = Text()  # the unit's record as canonical JSON (criteria, bonus, deductions)


class RunShare(Table, tablename="run_share"):
    """A run shared with its units as provisional results, and the window for their replies."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker
    run = ForeignKey(ScoreRun, on_delete=OnDelete.cascade, unique=True)  # sharing again moves the window
    period = ForeignKey(Period, on_delete=OnDelete.restrict, index=True)
    level = Varchar(length=40)
    shared_at = Timestamptz()
    reply_until = Timestamptz()
    shared_by = Varchar(length=80)


class Dispute(Table, tablename="dispute"):
    """A unit's reply (giải trình) about one criterion of its breakdown in a shared run."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker
    key = Varchar(length=200, null=True, default=None, unique=True)  # "<run>|<unit>|<criterion>" while open
    run = ForeignKey(ScoreRun, on_delete=OnDelete.restrict, index=True)
    period = ForeignKey(Period, on_delete=OnDelete.restrict, index=True)
    level = Varchar(length=40)
    unit_code = Varchar(length=40, index=True)
    criterion = Varchar(length=80)
    indicator = Varchar(length=80)
    explanation = Text()
    evidence_url = Text(default="")
    claimed_value = DoublePrecision(null=True, default=None)
    status = Varchar(length=20, default="open")  # open | accepted | rejected
    opened_by = Varchar(length=80)
    opened_at = Timestamptz()
    answer = Text(default="")  # the reason of a rejection, the note of an acceptance
    corrected_value = DoublePrecision(null=True, default=None)
    new_run = ForeignKey(ScoreRun, null=True, default=None, on_delete=OnDelete.restrict)
    answered_by = Varchar(length=80, null=True, default=None)
    answered_at = Timestamptz(null=True, default=None)


class DisputeMessage(Table, tablename="dispute_message"):
    """One message of a dispute's thread, from the unit or from staff."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker
    dispute = ForeignKey(Dispute, on_delete=OnDelete.cascade, index=True)
    side = Varchar(length=20)  # unit | staff
    author = Varchar(length=80)
    body = Text()
    at = Timestamptz()


class EvidenceBlob(Table, tablename="evidence_blob"):
    """The bytes of an evidence file, stored once by their sha256 however many values cite them
    (in the database: every app server sees the same files)."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker
    sha256 = Varchar(length=64, unique=True)
    size = Integer()
    media_type = Varchar(length=120)
    content = Bytea()


class EvidenceFile(Table, tablename="evidence_file"):
    """An evidence file (tài liệu kiểm chứng) attached to one indicator value of a unit; a
    removal is recorded on the row (who, when, why), never a deletion."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker
    period = ForeignKey(Period, on_delete=OnDelete.restrict, index=True)
    unit_code = Varchar(length=40, index=True)
    indicator = Varchar(length=80)
    sha256 = Varchar(length=64, index=True)
    name = Text()
    size = Integer()
    media_type = Varchar(length=120)
    uploaded_by = Varchar(length=80)
    uploaded_at = Timestamptz()
    removed_by = Varchar(length=80, null=True, default=None)
    removed_at = Timestamptz(null=True, default=None)
    removal_reason = Text(default="")
