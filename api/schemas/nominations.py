"""Eligibility, nomination batches, councils and their sessions, dossiers, history: bodies."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec

from api.schemas.docs import doc
from http_layer.access import IdField
from presentation.numbers import percent_text

Text = Annotated[str, msgspec.Meta(max_length=500)]

# --- requests ------------------------------------------------------------------------------------


class Entry(msgspec.Struct):
    award_id: Annotated[str, msgspec.Meta(max_length=80)]
    unit_code: Annotated[str, msgspec.Meta(max_length=40)]


class BatchCreate(msgspec.Struct):
    period_id: IdField
    title: Text
    number: Annotated[str, msgspec.Meta(max_length=80)]
    decision_date: date
    entries: Annotated[list[Entry], msgspec.Meta(max_length=5000)]
    commendation_kind: Literal["thematic"] = "thematic"


class MemberIn(msgspec.Struct):
    full_name: Text
    position: Text = "Ủy viên"
    unit_code: Annotated[str, msgspec.Meta(max_length=40)] | None = None
    username: Annotated[str, msgspec.Meta(max_length=80)] | None = None


class CouncilCreate(msgspec.Struct):
    name: Text
    decision_no: Annotated[str, msgspec.Meta(max_length=80)]
    decision_date: date
    members: Annotated[list[MemberIn], msgspec.Meta(max_length=200)]


class SessionOpen(msgspec.Struct):
    council_id: IdField
    held_at: Annotated[datetime, msgspec.Meta(tz=True), doc(
        "Giờ họp kèm múi giờ, ví dụ 2024-12-10T09:00:00+07:00 (giờ Việt Nam); "
        "giờ không có múi giờ bị từ chối")]
    place: Text
    chair_id: IdField
    secretary_id: IdField
    number: Annotated[str, msgspec.Meta(max_length=80)]


class AttendanceIn(msgspec.Struct):
    member_id: IdField
    status: Literal["present", "absent_written", "absent"]
    reason: Text = ""


AttendanceList = Annotated[list[AttendanceIn], msgspec.Meta(max_length=200)]


class Ballot(msgspec.Struct):
    member_id: IdField
    choices: dict[str, Literal["yes", "no", "abstain", "recused"]]


class SessionClose(msgspec.Struct):
    ballots_invalid: Annotated[int, msgspec.Meta(ge=0, le=1000)] = 0


# --- eligibility ---------------------------------------------------------------------------------


class RuleSetRef(msgspec.Struct):
    id: str
    name: str
    sha256: str


class AwardRef(msgspec.Struct):
    id: str
    name: str
    recipient: Annotated[str, doc("collective (tập thể) | individual (cá nhân)")]
    levels: list[str]
    multiple: Annotated[str, doc("Tiền thưởng: hệ số nhân mức lương cơ sở (số thập phân, dạng chuỗi)")]


class QuotaRef(msgspec.Struct):
    scope: Annotated[str, doc("Phạm vi chỉ tiêu: cluster (cụm, khối) | parent (cấp trên) | level (cả cấp)")]
    n: int
    source: str


class AwardVersionRef(msgspec.Struct):
    """The version of an award's rule in force for the period, with its legal basis."""

    valid_from: date
    valid_to: date | None
    legal_basis: str
    vote_threshold_percent: int
    quota: QuotaRef | None


class AwardEligibility(msgspec.Struct):
    """One award evaluated over the period's published results.

    ``eligible`` (kept within the quota, in merit order), ``cut`` (met every condition, cut by the
    quota: ``cut_reason``) and ``near_misses`` are candidates as the rules engine writes them: the
    unit, its scores and ranks, ``conditions`` and ``failed`` ({kind, text, met, found}) and, where
    rank decides, ``rank_interval``, ``rank_cutoff`` and ``uncertain``. They are kept free-form
    here: nominations.eligibility is their one definition.
    """

    award: AwardRef
    version: AwardVersionRef | None
    out_of_force_reason: str | None
    money: Annotated[int | None, doc("Tiền thưởng cho mỗi tập thể, cá nhân (đồng)")]
    eligible: Annotated[list[dict[str, Any]], doc(
        "Đủ điều kiện và trong chỉ tiêu, theo thứ tự thành tích. Mỗi ứng viên: đơn vị, điểm, xếp loại, "
        "thứ hạng, conditions và failed ({kind, text, met, found}); nơi thứ hạng trong cụm quyết định, "
        "thêm rank_interval {median, p5, p95, share_first}, rank_cutoff và uncertain.")]
    cut: Annotated[list[dict[str, Any]], doc(
        "Đạt mọi điều kiện nhưng vượt chỉ tiêu (cut_reason nêu vì sao); cùng dạng với eligible.")]
    near_misses: Annotated[list[dict[str, Any]], doc(
        "Suýt đạt: chưa đạt một số điều kiện (failed); cùng dạng với eligible.")]
    refused_count: int


class Eligibility(msgspec.Struct):
    period_id: int
    year: int
    rule_set: RuleSetRef
    levels_published: list[str]
    level_names: Annotated[dict[str, str], doc("Mã cấp → tên cấp theo kế hoạch")]
    awards: list[AwardEligibility]


# --- batches, councils, sessions -----------------------------------------------------------------


class Batch(msgspec.Struct):
    """A batch of nominations submitted to the council under one letter (tờ trình)."""

    id: int
    year: int
    title: str
    commendation_kind: str
    rule_set_id: str
    rule_set_sha256: str
    number: str
    decision_date: date
    status: Annotated[str, doc("draft (dự thảo) | in_session (đang họp xét) | closed (đã họp xét xong)")]
    created_by: str
    created_at: datetime
    period_id: int
    status_text: str
    commendation_kind_text: str


class Nomination(msgspec.Struct):
    """One nominee of a batch, with the evaluation, legal basis and money as they stood."""

    id: int
    key: str
    seq: int
    award_id: str
    unit_code: str
    rule_valid_from: date
    legal_basis: str
    money: int
    evaluation: Annotated[dict[str, Any], doc(
        "Ứng viên như khi được đề nghị (cùng dạng với một mục của AwardEligibility.eligible), lưu nguyên")]
    result: Annotated[str, doc("Rỗng cho đến khi kết thúc phiên họp, sau đó passed | failed")]
    batch_id: int
    run_id: int
    money_text: Annotated[str, doc("Tiền thưởng viết kiểu Việt Nam, ví dụ 7.020.000 đ")]
    total_text: Annotated[str, doc("Tổng điểm viết kiểu Việt Nam, ví dụ 1.234,5")]


class CouncilMember(msgspec.Struct):
    id: int
    council: int
    seq: int
    full_name: str
    position: str
    unit_code: str | None
    username: str | None


class Council(msgspec.Struct):
    """A council with its full membership, as its founding decision constitutes it."""

    id: int
    name: str
    decision_no: str
    decision_date: date
    created_at: datetime
    members: list[CouncilMember]


class CouncilSession(msgspec.Struct):
    id: int
    held_at: datetime
    place: str
    number: str
    ballots_invalid: int
    status: Annotated[str, doc("open (đang họp) | closed (đã kết thúc)")]
    closed_by: str | None
    closed_at: datetime | None
    batch_id: int
    council_id: int
    chair_id: int
    secretary_id: int
    held_at_text: Annotated[str, doc("Giờ họp theo giờ Việt Nam, ví dụ 02/04/2024 09:00")]
    closed_at_text: Annotated[str, doc("Giờ kết thúc theo giờ Việt Nam (rỗng khi chưa kết thúc)")]


class Attendance(msgspec.Struct):
    id: int
    key: str
    session: int
    member: int
    status: Annotated[str, doc("present (có mặt) | absent_written (vắng, có phiếu viết) | absent (vắng)")]
    reason: str


class TallyRow(msgspec.Struct):
    """The votes on one nominee and whether they reach the rule's threshold."""

    nomination_id: int
    award_id: str
    unit_code: str
    threshold_percent: int
    yes: int
    no: int
    abstain: int
    recused: int
    written: Annotated[int, doc("Số phiếu viết của thành viên vắng mặt (đã tính)")]
    not_voted: int
    members: int
    denominator: int
    denominator_rule: Annotated[str, doc("members (toàn thể thành viên) | members_minus_recused")]
    percent: Annotated[str, doc("Tỷ lệ đồng ý trên mẫu số, hai chữ số thập phân, dạng chuỗi")]
    percent_text: Annotated[str, doc("Tỷ lệ viết kiểu Việt Nam, ví dụ 80 %")]
    legal_basis: Annotated[str, doc("Căn cứ pháp lý của ngưỡng biểu quyết")]
    passed: bool
    explanation: str


class SessionView(msgspec.Struct):
    """A batch's council session: the session, its council, attendance and the tally."""

    session: CouncilSession
    council: Council
    attendance: list[Attendance]
    tally: list[TallyRow]


def session_view(view: dict[str, Any] | None) -> SessionView | None:
    """The API's shape of :func:`nominations.council.session_view` (None: no session yet)."""
    if view is None:
        return None
    tally = [{"nomination_id": r["nomination"]["id"], "award_id": r["nomination"]["award_id"],
              "unit_code": r["nomination"]["unit_code"], **r["tally"].as_record(),
              "percent_text": percent_text(r["tally"].percent)} for r in view["tally"]]
    return msgspec.convert({"session": view["session"], "council": view["council"],
                            "attendance": list(view["attendance"].values()), "tally": tally}, SessionView)


class DossierFile(msgspec.Struct):
    """One PDF of a batch's dossier set."""

    name: str
    title: str
    sha256: str
    pages: int
    size: int
    created_at: datetime
    created_by: str


class BatchDetail(Batch):
    """A batch with its nominations, its council session (null before one opens) and its dossiers."""

    nominations: list[Nomination]
    session: SessionView | None
    dossiers: list[DossierFile]


# --- history -------------------------------------------------------------------------------------


class HistoryImport(msgspec.Struct):
    """What a history import read and (unless ``dry_run``) stored."""

    files: list[str]
    sha256: Annotated[dict[str, str], doc("Tên tệp → mã băm sha256 của tệp")]
    content_sha256: str
    rows: int
    units: int
    by_kind: Annotated[dict[str, int], doc("title | rating | initiative | discipline → số dòng đã đọc")]
    dry_run: bool
    unchanged: int
    new: int
    changed: int


class HistoryEntry(msgspec.Struct):
    """One fact of a unit's or person's year (title, rating, initiative, discipline), with labels;
    ``inherited`` when it belongs to a unit this one succeeded."""

    unit_code: str
    inherited: bool
    unit_name: str
    year: int
    kind: str
    kind_label: str
    value: str
    value_label: str
    value_short: str
    detail: str
    used_for: str
    used_for_label: str
    imported_by: str
    imported_at: datetime
