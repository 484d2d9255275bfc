"""Scoring runs: score a level of a period from its stored values, keep the result for good.

A run records the plan's hash and the hash of the exact data it used; its ``run_hash``
combines them with the year, the level and :data:`ENGINE_VERSION`, so the same inputs give
the same hash and byte-identical stored results. Runs are never edited: publishing only
marks one run per (plan, period, level) and locks the period's data.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from criteria.model import Plan
from scoring.core.pipeline import score_level
from scoring.core.report import unit_records
from scoring.core.units import Registry
from scoring.services.period_clusters import registry_for_period
from scoring.services.periods import get_period, lock_period_row, refuse_locked_level
from scoring.services.plan_store import load_plan_version
from scoring.services.values import effective_frame
from scoring.tables import ScoreRun, UnitResult
from storage.audit import record
from storage.cache import MISSING, TTLCache, default_ttl
from storage.db import CHUNK, bulk_write, write_transaction
from storage.errors import ServiceError
from storage.faults import fault_point
from storage.reads import once_per_read

ENGINE_VERSION = "1"
_POINTS = {"total_h": "total", "max_h": "max", "percent_h": "percent", "base_h": "base_total",
           "bonus_h": "bonus", "deductions_h": "deductions"}
_RESULT_COLUMNS = (UnitResult.unit_code, UnitResult.cluster, *(getattr(UnitResult, c) for c in _POINTS),
                   UnitResult.band, UnitResult.rank_in_cluster, UnitResult.cluster_size,
                   UnitResult.rank_overall)


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _hundredths(x: float | int | None) -> int:
    return 0 if x is None else round(x * 100)


def _score(plan: Plan, registry: Registry, frame: pd.DataFrame, level: str,
           year: int) -> list[dict[str, Any]]:
    return unit_records(plan, registry, score_level(plan, registry, frame, level, year))


def _result_row(run_id: int, r: dict[str, Any], breakdown: str) -> dict[str, Any]:
    row: dict[str, Any] = {col: _hundredths(r[name]) for col, name in _POINTS.items()}
    row.update(run=run_id, unit_code=r["unit_code"], cluster=r["cluster"], band=r["band"],
               rank_in_cluster=r["rank_in_cluster"], cluster_size=r["cluster_size"],
               rank_overall=r["rank_overall"], breakdown=breakdown)
    return row


def _run_shape(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    out["plan_version"], out["period_id"] = int(row["plan_version"]), int(out.pop("period"))
    out["published"] = bool(row["published"])
    return out


def _result_shape(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in row.items() if k not in _POINTS}
    out.update({name: row[col] / 100 for col, name in _POINTS.items()})
    return out


async def start_run(period_id: int, level: str, actor: str) -> dict[str, Any]:
    """Score every competing unit of ``level`` from the period's effective values; store it."""
    period = await get_period(period_id)
    plan = await load_plan_version(period["plan_version"])
    registry = await registry_for_period(period_id)
    frame, data_sha = await effective_frame(period_id, level)  # also checks the level
    refuse_locked_level(period, level, plan.level(level).name)
    year = period["year"]
    records = await asyncio.to_thread(_score, plan, registry, frame, level, year)
    if not records:
        raise ServiceError(
            "invalid_input",
            f"Không có đơn vị nào thi đua ở cấp «{plan.level(level).name}» trong năm {year}.",
            details={"field": "level"})
    run_hash = _sha(f"{plan.sha256}|{data_sha}|{year}|{level}|{ENGINE_VERSION}")
    breakdowns = [canonical(r) for r in records]
    results_sha = _sha("[" + ",".join(breakdowns) + "]")  # == canonical(records)
    async with write_transaction():
        refuse_locked_level(await lock_period_row(period_id), level, plan.level(level).name)
        inserted = await ScoreRun.insert(ScoreRun(
            plan_version=period["plan_version"], plan_sha256=plan.sha256, period=period_id,
            year=year, level=level, data_sha256=data_sha, run_hash=run_hash,
            results_sha256=results_sha, n_units=len(records), started_by=actor,
            started_at=datetime.now(UTC), published=False,
        ))
        run_id = int(inserted[0]["id"])
        rows = [_result_row(run_id, r, text) for r, text in zip(records, breakdowns, strict=True)]
        columns = list(rows[0])
        chunk = int(os.environ.get("THIDUA_RESULT_CHUNK") or CHUNK)
        for start in range(0, len(rows), chunk):
            await bulk_write(UnitResult, columns,
                             [list(row.values()) for row in rows[start:start + chunk]])
            if start == 0:
                await fault_point("run.chunk")  # the crash test's point (storage.faults)
        await record(actor, "run.start", "score_run", run_id, after={
            "period_id": period_id, "level": level, "year": year, "plan_sha256": plan.sha256,
            "data_sha256": data_sha, "run_hash": run_hash, "results_sha256": results_sha,
            "n_units": len(records),
        })
    return await get_run(run_id)


_runs: TTLCache[int, dict[str, Any]] = TTLCache(maxsize=1_000, ttl=default_ttl())
_breakdowns: TTLCache[tuple[int, str], str] = TTLCache(maxsize=50_000, ttl=None)  # never change


async def get_run(run_id: int) -> dict[str, Any]:
    cached = _runs.get(run_id)
    if isinstance(cached, dict):
        return dict(cached)
    row = await ScoreRun.select().where(ScoreRun._meta.primary_key == run_id).first()
    if row is None:
        raise ServiceError("not_found", f"Không có lần chấm điểm số {run_id}.")
    run = _run_shape(row)
    _runs.put(run_id, run)
    return dict(run)


def forget_run(run_id: int) -> None:
    """Drop this worker's cached copy of a run (after publishing it)."""
    _runs.drop(run_id)


async def list_runs(period_id: int | None = None, level: str | None = None) -> list[dict[str, Any]]:
    """Runs, newest first, optionally of one period and level."""
    query = ScoreRun.select()
    if period_id is not None:
        query = query.where(ScoreRun.period == period_id)
    if level is not None:
        query = query.where(ScoreRun.level == level)
    return [_run_shape(r) for r in await query.order_by(ScoreRun._meta.primary_key, ascending=False)]


async def run_results(run_id: int) -> list[dict[str, Any]]:
    """One summary row per unit (points as numbers), best rank first."""
    await get_run(run_id)
    rows = await UnitResult.select(*_RESULT_COLUMNS).where(UnitResult.run == run_id).order_by(
        UnitResult.rank_overall)
    return [_result_shape(r) for r in rows]


async def run_breakdowns(run_id: int) -> list[dict[str, Any]]:
    """Every unit's full record of a run as scored (criteria, bonuses, deductions), best rank first."""
    await get_run(run_id)
    rows = await UnitResult.select(UnitResult.breakdown).where(UnitResult.run == run_id).order_by(
        UnitResult.rank_overall)
    return [json.loads(r["breakdown"]) for r in rows]


async def cluster_breakdowns(run_id: int, cluster: str | None) -> list[dict[str, Any]]:
    """The full records of one cluster's units in a run (``None``: the units in no cluster),
    best rank first, in one query."""
    where = (UnitResult.run == run_id) & (
        UnitResult.cluster == cluster if cluster else UnitResult.cluster.is_null())
    rows = await UnitResult.select(UnitResult.breakdown).where(where).order_by(UnitResult.rank_overall)
    return [json.loads(r["breakdown"]) for r in rows]


async def unit_breakdown(run_id: int, unit_code: str) -> dict[str, Any]:
    """The unit's full record as scored: every criterion, bonus and deduction."""
    result: dict[str, Any] = json.loads(await unit_breakdown_json(run_id, unit_code))
    return result


async def unit_breakdown_json(run_id: int, unit_code: str) -> str:
    """The stored breakdown as canonical JSON text (cached: a run's results never change)."""
    text = _breakdowns.get((run_id, unit_code))
    if text is MISSING:
        row = await UnitResult.select(UnitResult.breakdown).where(
            (UnitResult.run == run_id) & (UnitResult.unit_code == unit_code)).first()
        if row is None:
            raise ServiceError("not_found",
                               f"Lần chấm điểm số {run_id} không có kết quả của đơn vị «{unit_code}».")
        text = row["breakdown"]
        _breakdowns.put((run_id, unit_code), str(text))
    return str(text)


async def published_run(period_id: int, level: str) -> dict[str, Any] | None:
    found = (await published_runs()).get((period_id, level))
    return None if found is None else dict(found)


@once_per_read
async def published_runs() -> dict[tuple[int, str], dict[str, Any]]:
    """Every published run by (period, level): one query for all the pages ask (a few rows a year)."""
    rows = await ScoreRun.select().where(ScoreRun.published == True)  # noqa: E712
    return {(int(r["period"]), r["level"]): _run_shape(r) for r in rows}
