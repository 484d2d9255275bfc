"""Eligibility over a period's published runs, and nomination batches built from it.

The rule set applied is the one written for the period's plan (``plan_id`` or ``also_plans``); within it, each
award's version in force on 31 Dec of the period's year (see :mod:`nominations.eligibility`).
A batch stores, per nominee, the evaluation as it stood (conditions with their values), the
legal basis applied and the award money, so later changes to history cannot rewrite it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from nominations.eligibility import AwardEvaluation, Person, candidate_dict, evaluate
from nominations.history_store import load_history
from nominations.money import award_money
from nominations.rules import RuleSet
from nominations.rules_loader import cached_rule_set, shipped_rule_set_path
from nominations.tables import Nomination, NominationBatch
from presentation.money import money_text
from presentation.numbers import number_text
from presentation.words import BATCH_STATUS
from scoring.registry.store import load_registry_from_db
from scoring.services import scenarios
from scoring.services.periods import get_period
from scoring.services.plan_store import load_plan_version
from scoring.services.runs import published_run
from scoring.tables import UnitResult
from storage.audit import canonical, record
from storage.db import write_transaction
from storage.errors import ServiceError

KINDS = {"thematic": "Khen thưởng theo phong trào thi đua (chuyên đề)"}


RULES_FOLDER = shipped_rule_set_path().parent  # every *.toml in it is a rule set


def rule_set_for_plan(plan_id: str) -> RuleSet:
    """The rule set (in :data:`RULES_FOLDER`) written for ``plan_id``; each file is parsed
    once per content (:func:`nominations.rules_loader.cached_rule_set`)."""
    for path in sorted(Path(RULES_FOLDER).glob("*.toml")):
        rules = cached_rule_set(path)
        if rules.covers(plan_id):
            return rules
    raise ServiceError("not_found", f"Chưa có bộ quy định khen thưởng cho kế hoạch «{plan_id}».")


async def _published_records(period_id: int, levels: Sequence[str]) -> tuple[list[dict[str, Any]],
                                                                             dict[str, int]]:
    """Every unit record of the period's published runs of ``levels``, and the run of each unit."""
    records: list[dict[str, Any]] = []
    run_of: dict[str, int] = {}
    for level in levels:
        run = await published_run(period_id, level)
        if run is None:
            continue
        rows = await UnitResult.select(UnitResult.unit_code, UnitResult.breakdown).where(
            UnitResult.run == run["id"])
        for row in rows:
            records.append(json.loads(row["breakdown"]))
            run_of[row["unit_code"]] = int(run["id"])
    return records, run_of


async def _people() -> dict[str, Person]:
    registry = await load_registry_from_db()
    return {u.code: Person(code=u.code, name=u.name, level=u.level, sex=u.sex, parent=u.parent)
            for u in registry.units}


class Evaluated:
    """Every award of the rule set evaluated over one period, with what it was evaluated from."""

    def __init__(self, period: dict[str, Any], rules: RuleSet, evaluations: list[AwardEvaluation],
                 run_of: dict[str, int], levels_published: list[str],
                 level_names: dict[str, str] | None = None) -> None:
        self.period, self.rules, self.evaluations = period, rules, evaluations
        self.run_of, self.levels_published = run_of, levels_published
        self.level_names = level_names or {}  # the plan's names of its levels

    def evaluation(self, award_id: str) -> AwardEvaluation:
        for ev in self.evaluations:
            if ev.award.id == award_id:
                return ev
        raise ServiceError("not_found", f"Không có hình thức khen thưởng «{award_id}» trong bộ quy định.")


async def evaluate_period(period_id: int, award_ids: Sequence[str] | None = None) -> Evaluated:
    """Evaluate the awards (all, or ``award_ids``) over the period's published runs."""
    period = await get_period(period_id)
    plan = await load_plan_version(period["plan_version"])
    rules = rule_set_for_plan(plan.info.id)
    awards = [a for a in rules.awards if award_ids is None or a.id in award_ids]
    levels = sorted({lv for a in awards for lv in a.levels})
    records, run_of = await _published_records(period_id, levels)
    if not records:
        raise ServiceError(
            "conflict", f"Kỳ đánh giá năm {period['year']} chưa có kết quả được công bố: chỉ xét "
            "khen thưởng trên kết quả đã công bố.")
    people = await _people()
    history = await load_history()
    names = {lvl.id: lvl.name for lvl in plan.levels}
    bands = {b.id: b.name for lvl in plan.levels for b in plan.bands_of(lvl.id)}
    evaluations = [evaluate(rules, a.id, records, people, history, period["year"], names, bands)
                   for a in awards]
    published = sorted({r["level"] for r in records})
    return Evaluated(period, rules, evaluations, run_of, published, names)


def evaluation_dict(ev: AwardEvaluation, rules: RuleSet, on: date) -> dict[str, Any]:
    """One award's evaluation, JSON-ready, with the money per nominee on ``on``."""
    version = ev.version
    money = award_money(rules, ev.award.id, on) if version is not None else None
    return {
        "award": {"id": ev.award.id, "name": ev.award.name, "recipient": ev.award.recipient,
                  "levels": list(ev.award.levels), "multiple": str(ev.award.multiple)},
        "version": None if version is None else {
            "valid_from": version.valid_from.isoformat(),
            "valid_to": None if version.valid_to is None else version.valid_to.isoformat(),
            "legal_basis": version.legal_basis,
            "vote_threshold_percent": version.vote.threshold_percent,
            "quota": None if version.quota is None else {
                "scope": version.quota.scope, "n": version.quota.n, "source": version.quota.source},
        },
        "out_of_force_reason": ev.out_of_force_reason,
        "money": money,
        "eligible": [candidate_dict(c) for c in ev.eligible],
        "cut": [candidate_dict(c) for c in ev.cut],
        "near_misses": [candidate_dict(c) for c in ev.near_misses],
        "refused_count": ev.refused_count,
    }


RANK_CONDITION = "rank_in_cluster_max"


def quota_cutoffs(award: dict[str, Any]) -> dict[str | None, int]:
    """Cluster → the rank in the cluster of its last kept candidate, for each cluster where a quota
    per cluster cut someone: the line the quota drew (``n`` when the cluster's top ``n`` all pass)."""
    bound = {c["cluster"] for c in award["cut"]}
    last: dict[str | None, int] = {}
    for c in award["eligible"]:
        if c["cluster"] in bound:
            last[c["cluster"]] = max(last.get(c["cluster"], 0), int(c["rank_in_cluster"]))
    return last


def crosses(interval: dict[str, Any], cutoff: int, kept: bool) -> bool:
    """Whether the rank interval reaches the other side of the cut-off: a kept candidate that
    could fall below it, or a cut (or near-miss) one that could reach it."""
    return bool(interval["p95"] > cutoff) if kept else bool(interval["p5"] <= cutoff)


async def _rank_intervals(run_ids: set[int]) -> dict[str, dict[str, Any]]:
    """Unit code → its rank interval (:func:`scoring.services.scenarios.robustness`, computed once per run
    and cached); a run that can no longer be reproduced in memory gives no intervals."""
    out: dict[str, dict[str, Any]] = {}
    for run_id in sorted(run_ids):
        try:
            rows = await scenarios.robustness(run_id)
        except ServiceError:
            continue
        for r in rows:
            out[r["unit_code"]] = {"median": r["rank_median"], "p5": r["rank_p5"], "p95": r["rank_p95"],
                                   "share_first": r["share_first"]}
    return out


def _rank_marks(ev: AwardEvaluation, award: dict[str, Any]) -> list[tuple[dict[str, Any], int, bool]]:
    """(candidate, cut-off, kept) for each candidate of an award decided by rank in the cluster."""
    version = ev.version
    if version is None:
        return []
    rank_max = min((c.rank for c in version.conditions if c.kind == RANK_CONDITION), default=None)
    per_cluster = version.quota is not None and version.quota.scope == "cluster"
    quota_cut = quota_cutoffs(award) if per_cluster else {}
    near = [c for c in award["near_misses"] if any(r["kind"] == RANK_CONDITION for r in c["failed"])]
    cut = award["cut"] if per_cluster else []  # a cut by another quota is not a rank question
    marks = []
    for group, kept in ((award["eligible"], True), (cut, False), (near, False)):
        for c in group:
            cuts = [x for x in (rank_max, quota_cut.get(c["cluster"])) if x is not None]
            if cuts:
                marks.append((c, min(cuts), kept))
    return marks


async def flag_uncertain_ranks(found: Evaluated, awards: list[dict[str, Any]]) -> None:
    """Mark the candidates whose rank in the cluster is not firm enough to settle the award.

    Where an award is decided by rank in the cluster (a ``rank_in_cluster_max`` condition, or a
    quota per cluster that cut someone in the cluster), each kept candidate, each candidate cut by
    that quota and each near-miss that failed only the rank condition gets ``rank_interval``
    {median, p5, p95, share_first}, ``rank_cutoff`` (the lower of the condition's rank and the
    quota's line, :func:`quota_cutoffs`) and ``uncertain`` (the interval crosses it, :func:`crosses`).
    """
    marks = [m for ev, award in zip(found.evaluations, awards, strict=True) for m in _rank_marks(ev, award)]
    intervals = await _rank_intervals({found.run_of[c["unit_code"]] for c, _, _ in marks})
    for c, cutoff, kept in marks:
        if (interval := intervals.get(c["unit_code"])) is not None:
            c.update(rank_interval=interval, rank_cutoff=cutoff, uncertain=crosses(interval, cutoff, kept))


async def eligibility(period_id: int, award_ids: Sequence[str] | None = None,
                      on: date | None = None) -> dict[str, Any]:
    found = await evaluate_period(period_id, award_ids)
    on = on or date.today()
    awards = [evaluation_dict(ev, found.rules, on) for ev in found.evaluations]
    await flag_uncertain_ranks(found, awards)
    return {
        "period_id": period_id, "year": found.period["year"],
        "rule_set": {"id": found.rules.id, "name": found.rules.name, "sha256": found.rules.sha256},
        "levels_published": found.levels_published,
        "level_names": found.level_names,
        "awards": awards,
    }


def _batch_shape(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    out["period_id"] = int(out.pop("period"))
    out["status_text"] = BATCH_STATUS.get(row["status"], row["status"])
    out["commendation_kind_text"] = KINDS.get(row["commendation_kind"], row["commendation_kind"])
    return out


def _nomination_shape(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    out["batch_id"], out["run_id"] = int(out.pop("batch")), int(out.pop("run"))
    out["evaluation"] = json.loads(row["evaluation"])
    out["money_text"] = money_text(row["money"])
    out["total_text"] = number_text(out["evaluation"].get("total"))
    return out


async def get_batch(batch_id: int) -> dict[str, Any]:
    row = await NominationBatch.select().where(NominationBatch.id == batch_id).first()
    if row is None:
        raise ServiceError("not_found", f"Không có đợt đề nghị khen thưởng số {batch_id}.")
    return _batch_shape(row)


async def list_batches() -> list[dict[str, Any]]:
    rows = await NominationBatch.select().order_by(NominationBatch.id, ascending=False)
    return [_batch_shape(r) for r in rows]


async def batch_nominations(batch_id: int) -> list[dict[str, Any]]:
    await get_batch(batch_id)
    return await nominations_of(batch_id)


async def nominations_of(batch_id: int) -> list[dict[str, Any]]:
    """The batch's nominations in list order (no check that the batch exists)."""
    rows = await Nomination.select().where(Nomination.batch == batch_id).order_by(Nomination.seq)
    return [_nomination_shape(r) for r in rows]


async def _already_nominated(period_id: int, unit_codes: Sequence[str]) -> list[dict[str, str]]:
    """One achievement earns one form (Decree 152/2025 Art. 4): a unit already nominated in this
    period, and not refused by the council, cannot be nominated again."""
    batches = [int(b["id"]) for b in await NominationBatch.select(NominationBatch.id).where(
        NominationBatch.period == period_id)]
    if not batches or not unit_codes:
        return []
    rows = await Nomination.select(Nomination.unit_code, Nomination.batch, Nomination.award_id).where(
        Nomination.batch.is_in(batches) & Nomination.unit_code.is_in(list(unit_codes))
        & (Nomination.result != "failed"))
    return [{"field": "entries", "award_id": r["award_id"], "unit_code": r["unit_code"],
             "reason": f"«{r['unit_code']}» đã có trong đợt đề nghị số {int(r['batch'])} của kỳ này "
                       f"(«{r['award_id']}»): mỗi thành tích chỉ được đề nghị một hình thức khen thưởng."}
            for r in rows]


async def create_batch(period_id: int, *, title: str, number: str, decision_date: date,
                       entries: Sequence[tuple[str, str]], actor: str,
                       commendation_kind: str = "thematic") -> dict[str, Any]:
    """A draft batch of nominations; each (award id, unit code) must be eligible and kept
    within the quota right now, else nothing is stored and every refusal is named."""
    title, number = title.strip(), number.strip()
    problems: list[dict[str, str]] = []
    if not title:
        problems.append({"field": "title", "reason": "Cần nhập tên đợt đề nghị khen thưởng."})
    if not number:
        problems.append({"field": "number", "reason": "Cần nhập số tờ trình, ví dụ 125/TTr-SNV."})
    if commendation_kind not in KINDS:
        problems.append({"field": "commendation_kind", "reason": f"Loại khen thưởng «{commendation_kind}» "
                         "không được hỗ trợ."})
    if not entries:
        problems.append({"field": "entries", "reason": "Cần chọn ít nhất một tập thể hoặc cá nhân."})
    if len(set(entries)) != len(entries):
        problems.append({"field": "entries", "reason": "Một tập thể, cá nhân được chọn hai lần cho "
                         "cùng một hình thức."})
    if problems:
        raise ServiceError("invalid_input", "Đợt đề nghị chưa hợp lệ; chưa có gì được lưu.", details=problems)
    found = await evaluate_period(period_id, sorted({a for a, _ in entries}))
    chosen = []
    for award_id, unit_code in entries:
        ev = found.evaluation(award_id)
        kept = {c.unit_code: c for c in ev.eligible}
        if unit_code in kept:
            chosen.append((ev, kept[unit_code]))
            continue
        cut = {c.unit_code: c for c in ev.cut}
        near = {c.unit_code: c for c in ev.near_misses}
        if unit_code in cut:
            reason = f"vượt chỉ tiêu: {cut[unit_code].cut_reason}"
        elif unit_code in near:
            reason = "chưa đạt: " + "; ".join(f"{r.text} ({r.found})" for r in near[unit_code].failed)
        elif ev.out_of_force_reason:
            reason = ev.out_of_force_reason
        else:
            reason = "không đủ điều kiện theo kết quả đã công bố"
        problems.append({"field": "entries", "award_id": award_id, "unit_code": unit_code,
                         "reason": f"«{unit_code}» không được đề nghị «{ev.award.name}»: {reason}."})
    problems += await _already_nominated(period_id, [c.unit_code for _, c in chosen])
    if problems:
        raise ServiceError("invalid_input", "Có tập thể, cá nhân không đủ điều kiện; chưa có gì được lưu.",
                           details=problems)
    now = datetime.now(UTC)
    async with write_transaction():
        inserted = await NominationBatch.insert(NominationBatch(
            period=period_id, year=found.period["year"], title=title, commendation_kind=commendation_kind,
            rule_set_id=found.rules.id, rule_set_sha256=found.rules.sha256, number=number,
            decision_date=decision_date, status="draft", created_by=actor, created_at=now))
        batch_id = int(inserted[0]["id"])
        rows = []
        for seq, (ev, cand) in enumerate(chosen, start=1):
            assert ev.version is not None  # an eligible candidate has a rule in force
            rows.append(Nomination(
                key=f"{batch_id}|{ev.award.id}|{cand.unit_code}", batch=batch_id, seq=seq,
                award_id=ev.award.id, unit_code=cand.unit_code, run=found.run_of[cand.unit_code],
                rule_valid_from=ev.version.valid_from, legal_basis=ev.version.legal_basis,
                money=award_money(found.rules, ev.award.id, decision_date),
                evaluation=canonical(candidate_dict(cand)), result=""))
        await Nomination.insert(*rows)
        await record(actor, "nomination.batch_create", "nomination_batch", batch_id, after={
            "period_id": period_id, "title": title, "number": number, "rule_set_sha256": found.rules.sha256,
            "decision_date": decision_date.isoformat(),
            "entries": [[ev.award.id, c.unit_code] for ev, c in chosen]})
    return await get_batch(batch_id)
