"""Publishing a run: the gate above runs and replies.

A run is published once per plan, period and level, only while no dispute of the right of reply
is open for it and only if the period's data still hashes to what the run scored. Publishing
locks the period's data.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from scoring.services.periods import lock_period_row
from scoring.services.replies import refuse_open_disputes
from scoring.services.runs import forget_run, get_run
from scoring.services.values import effective_frame
from scoring.tables import Period, ScoreRun
from storage.audit import record
from storage.db import write_transaction
from storage.errors import ServiceError


async def publish_run(run_id: int, actor: str) -> dict[str, Any]:
    """Publish a run (one per plan, period and level) and lock the period's data."""
    forget_run(run_id)
    try:
        return await _publish(run_id, actor)
    finally:
        forget_run(run_id)


async def _publish(run_id: int, actor: str) -> dict[str, Any]:
    run = await get_run(run_id)
    key = f"{run['plan_sha256']}|{run['year']}|{run['level']}"
    async with write_transaction():
        period = await lock_period_row(run["period_id"])
        holder = await ScoreRun.select(ScoreRun.id).where(ScoreRun.published_key == key).first()
        if holder is not None and int(holder["id"]) == run_id:
            return run
        if holder is not None:
            raise ServiceError(
                "already_published",
                f"Kết quả cấp «{run['level']}» năm {run['year']} của kế hoạch này đã được công bố "
                f"(lần chấm điểm số {holder['id']}); không thể công bố thêm lần chấm số {run_id}.",
                details={"published_run_id": int(holder["id"])})
        await refuse_open_disputes(run["period_id"], run["level"])
        _, data_sha = await effective_frame(run["period_id"], run["level"])
        if data_sha != run["data_sha256"]:
            raise ServiceError(
                "conflict",
                f"Số liệu của kỳ đã thay đổi sau lần chấm điểm số {run_id}; hãy chấm điểm lại "
                "rồi công bố lần chấm mới.", details={"run_data_sha256": run["data_sha256"],
                                                     "current_data_sha256": data_sha})
        now = datetime.now(UTC)
        await ScoreRun.update({
            ScoreRun.published: True, ScoreRun.published_key: key, ScoreRun.published_at: now,
            ScoreRun.published_by: actor,
        }).where(ScoreRun.id == run_id)
        await record(actor, "run.publish", "score_run", run_id, after={
            "published_key": key, "run_hash": run["run_hash"], "results_sha256": run["results_sha256"]})
        if not period["locked"]:
            await Period.update({Period.locked: True}).where(Period.id == run["period_id"])
            await record(actor, "period.lock", "period", run["period_id"], before={"locked": False},
                         after={"locked": True, "reason": f"công bố lần chấm điểm số {run_id}"})
    return await get_run(run_id)
