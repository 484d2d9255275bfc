"""Scoring runs, results, rankings, breakdowns and the audit log: request and response bodies.

The public reads published totals and ranks only: :class:`RunPublic` carries no staff account
names and :class:`RunResultPublic` no point breakdown; staff get :class:`Run` and :class:`RunResult`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from api.schemas.docs import doc
from http_layer.access import IdField

Number = int | float
"""Points as the engine writes them: a whole number as an int, else rounded to hundredths."""
Shown = int | float | str | None
"""A value as users read it: a number, a date as dd/mm/yyyy, Có/Không; null when missing."""

# --- requests ------------------------------------------------------------------------------------


class RunStart(msgspec.Struct):
    period_id: IdField
    level: str


# --- runs ----------------------------------------------------------------------------------------


class RunPublic(msgspec.Struct):
    """A scoring run as anyone may read it once published: what was scored, from what, and when."""

    __closed_schema__ = True  # exactly these fields: a staff ``Run`` never matches it (oneOf)

    id: int
    plan_version: int
    plan_sha256: str
    year: int
    level: str
    data_sha256: str
    run_hash: str
    results_sha256: str
    n_units: int
    started_at: datetime
    published: bool
    published_key: str | None
    published_at: datetime | None
    period_id: int


class Run(RunPublic):
    """A scoring run as staff read it: also who started and who published it."""

    started_by: str
    published_by: str | None


# --- results -------------------------------------------------------------------------------------


class RunResultPublic(msgspec.Struct, kw_only=True):
    """One unit's total, band and ranks, as published (no breakdown)."""

    unit_code: str
    unit_name: str
    level: Annotated[str | None, doc(
        "Luôn là null: dòng kết quả không mang cấp; cấp là của lượt chấm (run.level).")] = None
    cluster: str | None
    cluster_name: str | None
    total: float
    max: float
    percent: float
    band: str
    band_name: str
    rank_in_cluster: int
    cluster_size: int
    rank_overall: int


class RunResult(msgspec.Struct):
    """One unit's result as staff read it: also the base points, bonus and deductions."""

    unit_code: str
    cluster: str | None
    band: str
    rank_in_cluster: int
    cluster_size: int
    rank_overall: int
    total: float
    max: float
    percent: float
    base_total: float
    bonus: float
    deductions: float
    unit_name: str
    cluster_name: str | None
    band_name: str


class Rankings(msgspec.Struct):
    """The published run of a period and level, and its results best rank first."""

    run: RunPublic
    results: list[RunResultPublic]


# --- a unit's breakdown (served as stored; these Structs document it) ------------------------------


class CriterionScore(msgspec.Struct):
    """One criterion of a unit's breakdown: value, target, points and why (``status``)."""

    id: str
    group: str
    name: str
    value: Shown
    unit: str
    target: Shown
    points: Number | None
    max_points: Number | None
    status: Annotated[str, doc("met | partial | not_met | missing | not_applicable | gate_failed")]
    mandatory: bool


class ItemScore(msgspec.Struct):
    """One bonus or deduction item of a unit's breakdown."""

    id: str
    name: str
    value: Shown
    points: Number | None
    max_points: Number | None


class UnitBreakdown(msgspec.Struct):
    """A unit's record as the run stored it (canonical JSON, keys sorted): every criterion,
    bonus and deduction with value, target, points and reason."""

    unit_code: str
    unit_name: str
    level: str
    cluster: str | None
    cluster_name: str | None
    total: Number | None
    max: Number | None
    percent: Number | None
    band: str
    band_name: str
    rank_in_cluster: int
    cluster_size: int
    rank_overall: int
    base_total: Number | None
    bonus: Number | None
    deductions: Number | None
    gate_failed: bool
    criteria: list[CriterionScore]
    bonus_items: list[ItemScore]
    deduction_items: list[ItemScore]


# --- the audit log -------------------------------------------------------------------------------


class AuditRecord(msgspec.Struct):
    """One entry of the hash-chained audit log; ``before``/``after`` are canonical JSON text."""

    id: int
    seq: int
    at: Annotated[str, doc("Thời điểm ghi, ISO 8601 kèm độ lệch UTC (+00:00)")]
    actor: str
    action: str
    entity: str
    entity_id: str
    unit_code: str | None
    before: Annotated[str, doc("Trước khi thay đổi: JSON chuẩn hóa dạng chuỗi (rỗng nếu không có)")]
    after: Annotated[str, doc("Sau khi thay đổi: JSON chuẩn hóa dạng chuỗi (rỗng nếu không có)")]
    prev_hash: str
    entry_hash: str


class AuditCheck(msgspec.Struct):
    """The audit chain walked in order: ``ok``, or the first broken entry and why."""

    ok: bool
    checked: int
    broken_seq: int | None
    reason: str
