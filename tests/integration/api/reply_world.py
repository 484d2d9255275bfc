"""Disputes for the API authorization tests, added to the loaded province.

A 2022 commune run in a period of its own (so the 2023 and 2024 runs other tests publish are
never held back by an open dispute), shared with the communes, and three disputes of commune A
awaiting an answer: one to write in, one to accept, one to reject; plus a criterion A has not
disputed yet, for the call that opens a dispute.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from loaded_province import LEVEL, UNIT_A, World

from scoring.services import periods, replies, runs

YEAR = 2022


@dataclass(frozen=True)
class Replies:
    run: int
    talk: int
    accept: int
    reject: int
    criterion: str


async def add_replies(world: World) -> Replies:
    period = await periods.open_period(world.plan_version, YEAR, datetime(YEAR, 1, 1, tzinfo=UTC),
                                       datetime(YEAR + 1, 1, 15, tzinfo=UTC), actor="system")
    run = (await runs.start_run(period, LEVEL, actor="system"))["id"]
    await replies.share_run(run, "system")
    criteria = [c.id for c in world.plan.criteria_of(LEVEL)]
    opened = [(await replies.open_dispute(run, UNIT_A, c, actor="system", explanation="Kiểm thử."))["id"]
              for c in criteria[:3]]
    return Replies(run, *opened, criterion=criteria[3])
