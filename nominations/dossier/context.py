"""The plain-dict context a dossier set is rendered from, and its normalisation.

``service.py`` builds a :class:`DossierContext` from a closed council session; tests and the
benchmark use ``demo.dossier_sample.sample_context``. Every text is Vietnamese and is NFC-normalised by
:func:`normalize_context` before rendering (the renderer calls it). Keys marked
``NotRequired`` have defaults in the templates.

Meaning of the less obvious keys:

- ``nominees``: everyone the council voted on, in list order (collectives first). Those
  whose ``votes.passed`` is true are *proposed*: they appear in the submission letter, the
  nominee list and get an achievement report; the minutes list everyone.
- ``money_total``: the sum of ``money`` over the proposed nominees (checked).
- ``nominee.unit_name``: for an individual, the body they work in; for a collective, the body
  it belongs to (e.g. "UBND huyện Lâm Bình" for a commune).
- ``nominee.parent_name``: the body above ``unit_name`` for an individual's report header.
- ``nominee.criteria``: the unit's score breakdown rows (``scoring.core.report.unit_records``)
  with ``status_text`` in words; ``value``/``target`` are numbers, words ("Có") or None.
- ``votes``: ``members`` is the council's full membership, ``denominator`` what the rule
  divides by (the full membership under Decree 98/2023 Art. 30(7)), ``percent`` =
  ``yes / denominator × 100``, ``passed`` = ``percent ≥ threshold_percent``.
- ``session.absent[].written_vote``: the absent member sent a written ballot (counted).
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from typing import Any, NotRequired, TypedDict, TypeVar, cast


class Signer(TypedDict):
    role_line: str  # "KT. GIÁM ĐỐC", "TM. HỘI ĐỒNG"
    title: str  # "PHÓ GIÁM ĐỐC", "CHỦ TỊCH"
    name: str


class CriterionRow(TypedDict):
    name: str
    value: float | int | str | None
    unit: str
    target: float | int | str | None
    points: float | int | None
    max_points: float | int | None
    status_text: str
    reason: NotRequired[str]  # presentation.words.criterion_reason, as on the unit's page


class ScoreItem(TypedDict):
    name: str
    points: float | int | None


class HistoryItem(TypedDict):
    year: int
    text: str


class Votes(TypedDict):
    yes: int
    no: int
    abstain: int
    recused: int
    members: int
    denominator: int
    percent: float
    passed: bool
    threshold_percent: float


class Nominee(TypedDict):
    no: int
    unit_code: str
    name: str
    is_individual: bool
    unit_name: str
    cluster_name: str
    award_id: str
    award_name: str
    legal_basis: str
    achievement: str
    total: float | int
    max: float | int
    percent: float | int
    band_name: str
    rank_in_cluster: int
    cluster_size: int
    money: int
    criteria: list[CriterionRow]
    bonus_items: list[ScoreItem]
    deduction_items: list[ScoreItem]
    history: list[HistoryItem]
    conditions: list[str]
    votes: Votes
    parent_name: NotRequired[str]
    head_name: NotRequired[str]


class Absence(TypedDict):
    name: str
    reason: str
    written_vote: bool


class Recusal(TypedDict):
    name: str  # the council member
    nominee: str  # the nominee's name


class Session(TypedDict):
    held_at: datetime
    place: str
    chair: str
    secretary: str
    members_total: int  # per the council's founding decision
    present: list[str]
    absent: list[Absence]
    recused: list[Recusal]
    ballots_issued: int
    ballots_returned: int
    ballots_valid: int
    ballots_invalid: int
    ended_at: NotRequired[datetime | None]
    council_decision: NotRequired[str]  # "125/QĐ-UBND ngày 10/01/2025", the founding decision


class DossierContext(TypedDict):
    parent_body: str  # "UBND TỈNH TUYÊN QUANG"
    issuing_body: str  # "SỞ NỘI VỤ"
    council_name: str
    number: str  # "125/TTr-SNV"
    minutes_number: str  # "15/BB-HĐTĐKT"
    place: str
    date: date
    movement: str
    year: int
    commendation_kind: str
    signer: Signer
    council_signer: Signer
    secretary: str
    recipients: list[str]  # the last one is "Lưu: VT, TĐKT"
    nominees: list[Nominee]
    session: Session
    money_total: int
    issuer_name: NotRequired[str]  # "Sở Nội vụ", the issuing body as written in a sentence
    addressee: NotRequired[str]  # "Ủy ban nhân dân tỉnh Tuyên Quang"
    legal_bases: NotRequired[list[str]]  # cited after the Law, before the council's minutes


T = TypeVar("T")


def _nfc(value: T) -> T:
    if isinstance(value, str):
        return cast(T, unicodedata.normalize("NFC", value))
    if isinstance(value, dict):
        return cast(T, {k: _nfc(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return cast(T, [_nfc(v) for v in value])
    return value


def _missing(where: str, row: Any, kind: Any) -> list[str]:
    if not isinstance(row, dict):
        return [f"{where}: không phải một bảng (dict)"]
    return [f"{where}.{k}" for k in sorted(kind.__required_keys__) if k not in row]


def normalize_context(ctx: Any) -> DossierContext:
    """A copy of ``ctx`` with every text NFC-normalised, after checking its shape.

    Raises ``ValueError`` naming every missing key, or a money total that is not the sum of
    the proposed nominees' money.
    """
    problems = _missing("ctx", ctx, DossierContext)
    if not problems:
        problems += _missing("ctx.session", ctx["session"], Session)
        for i, n in enumerate(ctx["nominees"]):
            problems += _missing(f"ctx.nominees[{i}]", n, Nominee)
            if isinstance(n, dict) and "votes" in n:
                problems += _missing(f"ctx.nominees[{i}].votes", n["votes"], Votes)
    if not problems:
        proposed = sum(n["money"] for n in ctx["nominees"] if n["votes"]["passed"])
        if proposed != ctx["money_total"]:
            problems.append(f"ctx.money_total = {ctx['money_total']} ≠ {proposed} (tổng tiền thưởng)")
    if problems:
        raise ValueError("Hồ sơ thiếu hoặc sai: " + "; ".join(problems))
    return cast(DossierContext, _nfc(ctx))

