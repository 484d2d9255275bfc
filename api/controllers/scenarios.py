"""What-if and rank robustness of a run: nothing is written, so a unit may try as often as it likes."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from http_layer.access import (
    IdPath,
    require_breakdown_access,
    require_published_or_admin,
    require_unit_access,
)
from http_layer.auth import Viewer, requires_roles
from scoring.services import runs as run_service
from scoring.services import scenarios

Draws = Annotated[int, QueryParameter(ge=10, le=10_000, description="Số lần rút thăm (mặc định 1.000)")]
Spread = Annotated[float, QueryParameter(ge=0.0, le=0.5, description="Biên độ đổi trọng số (0,2 = ±20 %)")]


class WhatIfValues(msgspec.Struct, forbid_unknown_fields=True):
    """Indicator id → value to try, written as in an upload (``"85,5"``, ``"Có"``); null removes it."""

    values: dict[str, bool | int | float | str | None]


class ScenarioController(Controller):
    path = "/api/v1/runs"
    tags = ("Thử kịch bản, độ vững thứ hạng",)

    @post("/{run_id:int}/units/{unit_code:str}/what-if", status_code=200,
          summary="Thử thay số liệu của một đơn vị và xem điểm, thứ hạng thay đổi (không lưu gì)")
    async def what_if(self, viewer: Viewer, run_id: IdPath, unit_code: FromPath[str],
                      data: JSONBody[WhatIfValues]) -> dict[str, Any]:
        require_unit_access(viewer, unit_code)
        return await scenarios.what_if(run_id, unit_code, data.values)

    @get("/{run_id:int}/robustness", guards=[requires_roles("admin", "council")],
         summary="Độ vững thứ hạng của mọi đơn vị khi trọng số và mức chỉ tiêu thay đổi")
    async def robustness(self, viewer: Viewer, run_id: IdPath, draws: Draws = 1000,
                         spread: Spread = 0.2) -> list[dict[str, Any]]:
        run = await run_service.get_run(run_id)
        require_published_or_admin(viewer, run["published"])
        return await scenarios.robustness(run_id, draws, spread)

    @get("/{run_id:int}/units/{unit_code:str}/robustness", summary="Độ vững thứ hạng của một đơn vị")
    async def unit_robustness(self, viewer: Viewer, run_id: IdPath, unit_code: FromPath[str],
                              draws: Draws = 1000, spread: Spread = 0.2) -> dict[str, Any]:
        run = await run_service.get_run(run_id)
        require_breakdown_access(viewer, unit_code, run["published"])
        return await scenarios.unit_robustness(run_id, unit_code, draws, spread)
