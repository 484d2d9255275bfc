"""What-if and rank robustness of a stored run: the service the API and the pages call.

Nothing here writes to the database. A run never changes, so each worker builds the in-memory
model of the run's level once (:class:`scoring.core.whatif.WhatIfModel`) and keeps it; a what-if then
only re-scores, and robustness intervals are kept per (run, draws, spread).

Which data: the values the run used. The period's effective values are taken when their sha256
is still the run's ``data_sha256``. When values changed after the run (entry still open, an
appraisal came in), they are read back from the run's own stored breakdowns, which show every
value that earns or costs a point. Either way the level is scored again and must give the run's
``results_sha256`` exactly; otherwise the service refuses (``conflict``) rather than answer from
data other than the run's.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Mapping
from typing import Any

import pandas as pd

from criteria.model import Plan
from scoring.core.robustness import Perturbation, level_intervals, robustness_records
from scoring.core.units import Registry
from scoring.core.whatif import OverrideError, WhatIfModel, frame_from_records
from scoring.services.period_clusters import registry_for_period
from scoring.services.plan_store import load_plan_version
from scoring.services.runs import canonical, get_run
from scoring.services.values import effective_frame
from scoring.tables import UnitResult
from storage.cache import TTLCache
from storage.errors import ServiceError

_models: TTLCache[tuple[int, str], WhatIfModel] = TTLCache(maxsize=8, ttl=None)  # runs never change
_intervals: TTLCache[tuple[int, str, int, float], list[dict[str, Any]]] = TTLCache(maxsize=32, ttl=None)
_building: dict[tuple[int, str], asyncio.Lock] = {}  # one build per run at a time


def _reproduces(model: WhatIfModel, run: Mapping[str, Any]) -> bool:
    text = "[" + ",".join(canonical(r) for r in model.records()) + "]"
    return bool(hashlib.sha256(text.encode("utf-8")).hexdigest() == run["results_sha256"])


def _from_frame(plan: Plan, registry: Registry, frame: pd.DataFrame,
                run: Mapping[str, Any]) -> WhatIfModel | None:
    model = WhatIfModel.from_frame(plan, registry, frame, run["level"], run["year"])
    return model if _reproduces(model, run) else None


def _from_stored(plan: Plan, registry: Registry, stored: list[dict[str, Any]],
                 run: Mapping[str, Any]) -> WhatIfModel | None:
    try:
        frame = frame_from_records(plan, run["level"], stored)
    except (KeyError, ValueError):  # a record this plan cannot read back
        return None
    return _from_frame(plan, registry, frame, run)


async def run_model(run_id: int) -> WhatIfModel:
    """The run's level, scored in memory from the values the run used (kept per worker).

    Requests that arrive while the model is being built wait for that one build.
    """
    run = await get_run(run_id)
    key = (run_id, str(run["results_sha256"]))
    cached = _models.get(key)
    if isinstance(cached, WhatIfModel):
        return cached
    building = _building.setdefault(key, asyncio.Lock())
    try:
        async with building:
            cached = _models.get(key)
            if isinstance(cached, WhatIfModel):
                return cached
            model = await _build(run)
            _models.put(key, model)
            return model
    finally:
        if not building.locked():
            _building.pop(key, None)


async def _build(run: Mapping[str, Any]) -> WhatIfModel:
    run_id = run["id"]
    plan = await load_plan_version(run["plan_version"])
    registry = await registry_for_period(run["period_id"])
    frame, data_sha = await effective_frame(run["period_id"], run["level"])
    model = None
    if data_sha == run["data_sha256"]:
        model = await asyncio.to_thread(_from_frame, plan, registry, frame, run)
    if model is None:
        rows = await UnitResult.select(UnitResult.breakdown).where(UnitResult.run == run_id)
        stored = [json.loads(r["breakdown"]) for r in rows]
        model = await asyncio.to_thread(_from_stored, plan, registry, stored, run)
    if model is None:
        raise ServiceError(
            "conflict",
            f"Không tái hiện được kết quả của lần chấm điểm số {run_id}: số liệu hoặc danh mục đơn vị "
            "đã thay đổi sau lần chấm này. Hãy chấm điểm lại rồi thử trên lần chấm mới.",
            details={"run_id": run_id, "run_data_sha256": run["data_sha256"],
                     "current_data_sha256": data_sha})
    return model


def _unit_missing(run_id: int, unit_code: str) -> ServiceError:
    return ServiceError("not_found", f"Lần chấm điểm số {run_id} không có kết quả của đơn vị «{unit_code}».")


async def what_if(run_id: int, unit_code: str, overrides: Mapping[str, object]) -> dict[str, Any]:
    """The unit's record before and after trying ``overrides`` ({indicator: value}); nothing is saved.

    Values are read as an upload reads them (``"85,5"``, ``"Có"``, ``"15/12/2024"``); ``None``
    removes a value. Refusals name every bad indicator (``invalid_value``, HTTP 400).
    """
    model = await run_model(run_id)
    if not model.has(unit_code):
        raise _unit_missing(run_id, unit_code)
    try:
        answer = model.what_if(unit_code, overrides)
    except OverrideError as err:
        raise ServiceError(
            "invalid_value", f"Giá trị thử chưa hợp lệ: {err}",
            details=[{"field": i.indicator, "reason": i.message} for i in err.issues]) from None
    return {"run_id": run_id, **answer}


async def what_if_inputs(run_id: int, unit_code: str) -> list[dict[str, Any]]:
    """The what-if form of a unit: every indicator of the level with the value the run used."""
    model = await run_model(run_id)
    if not model.has(unit_code):
        raise _unit_missing(run_id, unit_code)
    return model.inputs(unit_code)


def _rows(model: WhatIfModel, p: Perturbation) -> list[dict[str, Any]]:
    rows = robustness_records(model.scored, level_intervals(model.plan, model.scored, p))
    for row in rows:
        row["cluster_name"] = model.registry.cluster(row["cluster"]).name if row["cluster"] else None
    return rows


async def robustness(run_id: int, draws: int = 1000, spread: float = 0.2) -> list[dict[str, Any]]:
    """Every unit's rank in its cluster as scored and over ``draws`` perturbed plans (see
    :mod:`scoring.core.robustness`): median, 5th and 95th percentile, share of draws ranked first."""
    try:
        p = Perturbation(draws=draws, spread=spread)
    except ValueError as err:
        raise ServiceError("invalid_input", f"Tham số không hợp lệ: {err}.") from None
    run = await get_run(run_id)
    key = (run_id, str(run["results_sha256"]), draws, spread)
    cached = _intervals.get(key)
    if isinstance(cached, list):
        return [dict(r) for r in cached]
    rows = await asyncio.to_thread(_rows, await run_model(run_id), p)
    _intervals.put(key, rows)
    return [dict(r) for r in rows]


async def unit_robustness(run_id: int, unit_code: str, draws: int = 1000,
                          spread: float = 0.2) -> dict[str, Any]:
    """One unit's row of :func:`robustness`."""
    for row in await robustness(run_id, draws, spread):
        if row["unit_code"] == unit_code:
            return row
    raise _unit_missing(run_id, unit_code)
