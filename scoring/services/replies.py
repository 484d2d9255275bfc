"""The right of reply (giải trình): provisional results shared with the units, their disputes.

Staff share an unpublished run with its units as provisional results and open a reply window
(:func:`share_run`; sharing again moves the window). Within the window a unit may dispute one
criterion of its own breakdown (:func:`open_dispute`): an explanation, an optional evidence link
and the value it claims, one open dispute per unit, criterion and run. Both sides write in the
dispute's thread (:func:`add_message`) until staff answer: accept (:func:`accept`, optionally
correcting the value through :func:`scoring.services.values.appraise` and scoring the level again at once)
or reject with a reason (:func:`reject`). While the window of a period and level is open, none of
its runs is published as long as a dispute is unanswered (:func:`refuse_open_disputes`, called
by :func:`scoring.services.runs.publish`). Every change is audited in the same transaction.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from criteria.model import Indicator, Plan
from presentation.times import datetime_text
from presentation.words import DISPUTE_STATUS, measure_text
from scoring.core.reading import parse_value
from scoring.core.report import shown_value
from scoring.services.periods import lock_period_row
from scoring.services.plan_store import load_plan_version
from scoring.services.runs import get_run, start_run, unit_breakdown
from scoring.services.values import appraise
from scoring.tables import Dispute, DisputeMessage, RunShare, ScoreRun
from storage.audit import record
from storage.db import is_sqlite, write_transaction
from storage.errors import ServiceError

REPLY_DAYS = 7
MAX_REPLY_DAYS = 90
MAX_TEXT = 4000
SIDES = ("unit", "staff")
_DISPUTE_FIELDS = ("id", "unit_code", "criterion", "indicator", "level", "explanation", "evidence_url",
                   "claimed_value", "status", "opened_by", "opened_at", "answer", "corrected_value",
                   "answered_by", "answered_at")


def _now() -> datetime:
    return datetime.now(UTC)


def _text(raw: str | None, field: str, label: str, *, required: bool) -> str:
    text = (raw or "").strip()
    if required and not text:
        raise ServiceError("invalid_input", f"Chưa nhập {label}.", details={"field": field})
    if len(text) > MAX_TEXT:
        raise ServiceError("invalid_input", f"{label.capitalize()} dài quá {MAX_TEXT} ký tự.",
                           details={"field": field})
    return text


def _evidence(raw: str | None) -> str:
    url = _text(raw, "evidence_url", "đường dẫn minh chứng", required=False)
    if url and (not url.lower().startswith(("https://", "http://")) or any(c.isspace() for c in url)):
        raise ServiceError("invalid_input", "Đường dẫn minh chứng phải bắt đầu bằng https:// hoặc http:// "
                           "và không có dấu cách.", details={"field": "evidence_url"})
    return url


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- sharing a run -------------------------------------------------------------------------------

def _share_shape(row: dict[str, Any]) -> dict[str, Any]:
    until = row["reply_until"]
    return {"run_id": int(row["run"]), "period_id": int(row["period"]), "level": row["level"],
            "shared_at": row["shared_at"], "shared_by": row["shared_by"], "reply_until": until,
            "reply_until_text": datetime_text(until), "open": _now() < until}


async def get_share(run_id: int) -> dict[str, Any] | None:
    row = await RunShare.select().where(RunShare.run == run_id).first()
    return None if row is None else _share_shape(row)


async def list_shares(level: str | None = None) -> list[dict[str, Any]]:
    """Shared runs (of one level if given), newest run first."""
    query = RunShare.select()
    if level is not None:
        query = query.where(RunShare.level == level)
    return [_share_shape(r) for r in await query.order_by(RunShare.run, ascending=False)]


async def _refuse_published(run: dict[str, Any]) -> None:
    """Nothing is shared or disputed once the period's level is published (read inside the write)."""
    held = await ScoreRun.select(ScoreRun.id).where(
        (ScoreRun.period == run["period_id"]) & (ScoreRun.level == run["level"])
        & (ScoreRun.published == True)  # noqa: E712
    ).first()
    if held is not None:
        raise ServiceError(
            "already_published",
            f"Kết quả cấp «{run['level']}» năm {run['year']} đã được công bố (lượt chấm số {held['id']}); "
            "không còn chia sẻ kết quả tạm thời hay nhận giải trình cho cấp này.",
            details={"published_run_id": int(held["id"])})


async def share_run(run_id: int, actor: str, days: int = REPLY_DAYS) -> dict[str, Any]:
    """Share an unpublished run as provisional results; units may reply for ``days`` days from now."""
    if not 1 <= days <= MAX_REPLY_DAYS:
        raise ServiceError("invalid_input", f"Thời hạn giải trình phải từ 1 đến {MAX_REPLY_DAYS} ngày.",
                           details={"field": "days"})
    run = await get_run(run_id)
    async with write_transaction():
        await lock_period_row(run["period_id"])  # one at a time with publication
        await _refuse_published(run)
        now = _now()
        await _save_share(run, actor, now, now + timedelta(days=days), {"days": days})
    share = await get_share(run_id)
    assert share is not None
    return share


async def _save_share(run: dict[str, Any], actor: str, now: datetime, until: datetime,
                      why: dict[str, Any]) -> None:
    before = await get_share(run["id"])
    if before is None:
        await RunShare.insert(RunShare(run=run["id"], period=run["period_id"], level=run["level"],
                                       shared_at=now, reply_until=until, shared_by=actor))
    else:
        await RunShare.update({RunShare.shared_at: now, RunShare.reply_until: until,
                               RunShare.shared_by: actor}).where(RunShare.run == run["id"])
    old = None if before is None else {"reply_until": before["reply_until"], "shared_by": before["shared_by"]}
    await record(actor, "run.share", "score_run", run["id"], before=old, after={
        "period_id": run["period_id"], "level": run["level"], "reply_until": until, **why})


def _refuse_closed(share: dict[str, Any] | None, run_id: int) -> dict[str, Any]:
    if share is None:
        raise ServiceError("not_shared", f"Lượt chấm số {run_id} chưa được chia sẻ để đơn vị giải trình.")
    if not share["open"]:
        raise ServiceError(
            "reply_window_closed",
            f"Đã hết thời hạn giải trình của lượt chấm số {run_id} (đến {share['reply_until_text']}, "
            "giờ Việt Nam); không nhận giải trình mới. Liên hệ Ban Thi đua – Khen thưởng nếu cần.",
            details={"reply_until": share["reply_until"].isoformat()})
    return share


async def refuse_open_disputes(period_id: int, level: str) -> None:
    """Publication waits while a reply window of the period's level is open and a dispute is unanswered."""
    until = [s["reply_until"] for s in map(_share_shape, await RunShare.select().where(
        (RunShare.period == period_id) & (RunShare.level == level))) if s["open"]]
    if not until:
        return
    waiting = await Dispute.count().where(
        (Dispute.period == period_id) & (Dispute.level == level) & (Dispute.status == "open"))
    if waiting:
        raise ServiceError(
            "disputes_open",
            f"Chưa thể công bố: còn {waiting} giải trình của đơn vị chưa được trả lời trong khi thời hạn "
            f"giải trình còn đến {datetime_text(max(until))} (giờ Việt Nam). Hãy trả lời mọi giải trình "
            "(chấp nhận hoặc không chấp nhận) hoặc chờ hết thời hạn, rồi công bố.",
            details={"open_disputes": waiting, "reply_until": max(until).isoformat()})


# --- disputes ------------------------------------------------------------------------------------

def _indicator(plan: Plan, criterion_id: str) -> Indicator:
    criterion = next(c for c in plan.criteria if c.id == criterion_id)
    return next(i for i in plan.indicators if i.id == criterion.indicator)


def _claimed(raw: object, indicator: Indicator) -> float | None:
    if _blank(raw):
        return None
    try:
        return parse_value(raw, indicator) + 0.0
    except ValueError as err:
        raise ServiceError("invalid_value", f"Giá trị đề nghị của chỉ tiêu «{indicator.name}» không hợp lệ: "
                           f"{err}", details={"field": "claimed_value", "reason": str(err)}) from None


async def open_dispute(run_id: int, unit_code: str, criterion_id: str, *, actor: str, explanation: str,
                       evidence_url: str = "", claimed: object = None) -> dict[str, Any]:
    """A unit disputes one criterion of its breakdown in a shared run, inside the reply window."""
    explanation = _text(explanation, "explanation", "nội dung giải trình", required=True)
    evidence = _evidence(evidence_url)
    run = await get_run(run_id)
    _refuse_closed(await get_share(run_id), run_id)
    scored = await unit_breakdown(run_id, unit_code)
    criterion = next((c for c in scored["criteria"] if c["id"] == criterion_id), None)
    if criterion is None:
        raise ServiceError("invalid_input", f"Tiêu chí «{criterion_id}» không có trong bảng điểm của đơn vị "
                           f"ở lượt chấm số {run_id}.", details={"field": "criterion"})
    indicator = _indicator(await load_plan_version(run["plan_version"]), criterion_id)
    value = _claimed(claimed, indicator)
    key = f"{run_id}|{unit_code}|{criterion_id}"
    async with write_transaction():
        await lock_period_row(run["period_id"])  # one at a time with publication
        _refuse_closed(await get_share(run_id), run_id)
        await _refuse_published(run)
        held = await Dispute.select(Dispute.id).where(Dispute.key == key).first()
        if held is not None:
            raise ServiceError(
                "conflict", f"Đơn vị đã có giải trình số {held['id']} đang chờ trả lời về tiêu chí "
                f"«{criterion['name']}» của lượt chấm này; hãy trao đổi thêm trong giải trình đó.",
                details={"dispute_id": int(held["id"])})
        rows = await Dispute.insert(Dispute(
            key=key, run=run_id, period=run["period_id"], level=run["level"], unit_code=unit_code,
            criterion=criterion_id, indicator=indicator.id, explanation=explanation, evidence_url=evidence,
            claimed_value=value, status="open", opened_by=actor, opened_at=_now()))
        dispute_id = int(rows[0]["id"])
        await record(actor, "dispute.open", "dispute", dispute_id, unit_code=unit_code, after={
            "run_id": run_id, "criterion": criterion_id, "explanation": explanation,
            "evidence_url": evidence, "claimed_value": value})
    return await get_dispute(dispute_id)


async def _described(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Disputes as services answer them: names and values as people read them."""
    plans: dict[int, Plan] = {}
    out = []
    for row in rows:
        run = await get_run(int(row["run"]))
        if run["plan_version"] not in plans:
            plans[run["plan_version"]] = await load_plan_version(run["plan_version"])
        plan = plans[run["plan_version"]]
        criterion = next((c for c in plan.criteria if c.id == row["criterion"]), None)
        indicator = _indicator(plan, row["criterion"]) if criterion else None
        shape = {k: row[k] for k in _DISPUTE_FIELDS}
        shape.update(
            run_id=int(row["run"]), period_id=int(row["period"]), year=run["year"],
            new_run_id=None if row["new_run"] is None else int(row["new_run"]),
            criterion_name=criterion.name if criterion else row["criterion"],
            indicator_unit=indicator.unit if indicator else "",
            claimed_text=_shown(row["claimed_value"], indicator),
            corrected_text=_shown(row["corrected_value"], indicator),
            status_text=DISPUTE_STATUS.get(row["status"], row["status"]))
        out.append(shape)
    return out


def _shown(value: float | None, indicator: Indicator | None) -> str | None:
    """A claimed or corrected value as people read it, with its unit; None when not given."""
    if value is None:
        return None
    if indicator is None:
        return measure_text(value)
    return measure_text(shown_value(value, indicator), indicator.unit)


async def get_dispute(dispute_id: int) -> dict[str, Any]:
    row = await Dispute.select().where(Dispute.id == dispute_id).first()
    if row is None:
        raise ServiceError("not_found", f"Không có giải trình số {dispute_id}.")
    return (await _described([row]))[0]


async def list_disputes(*, run_id: int | None = None, unit_code: str | None = None,
                        status: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    """Disputes, those awaiting an answer first, then the newest first."""
    where: Any = Dispute.id > 0
    if run_id is not None:
        where &= Dispute.run == run_id
    if unit_code is not None:
        where &= Dispute.unit_code == unit_code
    if status is not None:
        where &= Dispute.status == status
    query = Dispute.select().where(where).order_by(Dispute.id, ascending=False)
    rows = sorted(await (query.limit(limit) if limit else query), key=lambda r: r["status"] != "open")
    return await _described(rows)


async def dispute_counts(run_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per run: how many disputes in each status (``open``, ``accepted``, ``rejected``)."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(DISPUTE_STATUS, 0))
    if run_ids:
        for row in await Dispute.select(Dispute.run, Dispute.status).where(Dispute.run.is_in(run_ids)):
            counts[int(row["run"])][row["status"]] += 1
    return {run_id: counts[run_id] for run_id in run_ids}


async def _open_row(dispute_id: int) -> dict[str, Any]:
    """Inside a write transaction: the dispute's row, held until commit, if it still awaits an answer."""
    if not is_sqlite():
        await Dispute.raw("SELECT id FROM dispute WHERE id = {} FOR UPDATE", dispute_id)
    row = await Dispute.select().where(Dispute.id == dispute_id).first()
    if row is None:
        raise ServiceError("not_found", f"Không có giải trình số {dispute_id}.")
    if row["status"] != "open":
        status: str = row["status"]
        answer = DISPUTE_STATUS.get(status, status).lower()
        raise ServiceError("dispute_closed", f"Giải trình số {dispute_id} đã được trả lời ({answer}); "
                           "không thể thay đổi thêm.")
    return dict(row)


# --- the thread ----------------------------------------------------------------------------------

async def threads(dispute_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The messages of each dispute, oldest first."""
    out: dict[int, list[dict[str, Any]]] = {i: [] for i in dispute_ids}
    if dispute_ids:
        rows = await DisputeMessage.select().where(DisputeMessage.dispute.is_in(dispute_ids)).order_by(
            DisputeMessage.id)
        for r in rows:
            out[int(r["dispute"])].append({"id": r["id"], "dispute_id": int(r["dispute"]), "side": r["side"],
                                           "author": r["author"], "body": r["body"], "at": r["at"]})
    return out


async def messages(dispute_id: int) -> list[dict[str, Any]]:
    return (await threads([dispute_id]))[dispute_id]


async def add_message(dispute_id: int, body: str, *, actor: str, side: str) -> dict[str, Any]:
    """The unit (``side="unit"``) or staff (``"staff"``) write in a dispute still awaiting an answer."""
    if side not in SIDES:
        raise ValueError(f"side must be one of {SIDES}")
    body = _text(body, "body", "nội dung trao đổi", required=True)
    async with write_transaction():
        row = await _open_row(dispute_id)
        at = _now()
        rows = await DisputeMessage.insert(DisputeMessage(dispute=dispute_id, side=side, author=actor,
                                                          body=body, at=at))
        await record(actor, "dispute.message", "dispute", dispute_id, unit_code=row["unit_code"],
                     after={"side": side, "body": body})
    return {"id": rows[0]["id"], "dispute_id": dispute_id, "side": side, "author": actor, "body": body,
            "at": at}


# --- the answer ----------------------------------------------------------------------------------

async def _answer(row: dict[str, Any], actor: str, status: str, answer: str,
                  corrected: float | None = None, new_run: int | None = None) -> None:
    await Dispute.update({
        Dispute.key: None, Dispute.status: status, Dispute.answer: answer,
        Dispute.corrected_value: corrected, Dispute.new_run: new_run, Dispute.answered_by: actor,
        Dispute.answered_at: _now()}).where(Dispute.id == row["id"])
    await record(actor, f"dispute.{'accept' if status == 'accepted' else 'reject'}", "dispute", row["id"],
                 unit_code=row["unit_code"], before={"status": "open"},
                 after={"status": status, "answer": answer, "corrected_value": corrected,
                        "new_run_id": new_run})


async def accept(dispute_id: int, *, actor: str, value: object = None, note: str = "") -> dict[str, Any]:
    """Accept a dispute. With ``value``, the unit's value is corrected (appraised, with the dispute's
    reason) and the level scored again at once: the new run is linked to the dispute and, while the
    reply window is open, shared with the same window. All of it commits together or not at all."""
    note = _text(note, "note", "ghi chú", required=False)
    async with write_transaction():
        row = await _open_row(dispute_id)
        corrected, new_run = None, None
        if not _blank(value):
            reason = f"Chấp nhận giải trình số {dispute_id} của đơn vị: {row['explanation']}"
            appraised = await appraise(int(row["period"]), row["unit_code"], row["indicator"], actor=actor,
                                       accept=False, value=value, reason=reason)
            corrected = appraised["appraised_value"]
            run = await start_run(int(row["period"]), row["level"], actor)
            new_run = int(run["id"])
            share = await get_share(int(row["run"]))
            if share is not None and share["open"]:
                await _save_share(run, actor, _now(), share["reply_until"], {"after_dispute": dispute_id})
        await _answer(row, actor, "accepted", note, corrected, new_run)
    return await get_dispute(dispute_id)


async def reject(dispute_id: int, *, actor: str, reason: str) -> dict[str, Any]:
    """Reject a dispute; the reason is required and the values stay as they are."""
    reason = _text(reason, "reason", "lý do không chấp nhận", required=True)
    async with write_transaction():
        row = await _open_row(dispute_id)
        await _answer(row, actor, "rejected", reason)
    return await get_dispute(dispute_id)
