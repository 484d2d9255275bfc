"""What-if and rank robustness of a run: nothing is written, so a unit may try as often as it likes."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from api.schemas.errors import error_responses
from api.schemas.scenarios import RankRobustness, WhatIfAnswer, WhatIfValues
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


class ScenarioController(Controller):
    path = "/api/v1/runs"
    tags = ("Thử kịch bản, độ vững thứ hạng",)

    @post("/{run_id:int}/units/{unit_code:str}/what-if", status_code=200,
          summary="Thử thay số liệu của một đơn vị và xem điểm, thứ hạng thay đổi (không lưu gì)",
          responses=error_responses(400, 401, 403, 404, 409))
    async def what_if(self, viewer: Viewer, run_id: IdPath, unit_code: FromPath[str],
                      data: JSONBody[WhatIfValues]) -> WhatIfAnswer:
        require_unit_access(viewer, unit_code)
        return msgspec.convert(await scenarios.what_if(run_id, unit_code, data.values), WhatIfAnswer)

    @get("/{run_id:int}/robustness", guards=[requires_roles("admin", "council")],
         summary="Độ vững thứ hạng của mọi đơn vị khi trọng số và mức chỉ tiêu thay đổi",
         responses=error_responses(400, 401, 403, 404, 409))
    async def robustness(self, viewer: Viewer, run_id: IdPath, draws: Draws = 1000,
                         spread: Spread = 0.2) -> list[RankRobustness]:
        run = await run_service.get_run(run_id)
        require_published_or_admin(viewer, run["published"])
        return msgspec.convert(await scenarios.robustness(run_id, draws, spread), list[RankRobustness])

    @get("/{run_id:int}/units/{unit_code:str}/robustness", summary="Độ vững thứ hạng của một đơn vị",
         responses=error_responses(400, 401, 403, 404, 409))
    async def unit_robustness(self, viewer: Viewer, run_id: IdPath, unit_code: FromPath[str],
                              draws: Draws = 1000, spread: Spread = 0.2) -> RankRobustness:
        run = await run_service.get_run(run_id)
        require_breakdown_access(viewer, unit_code, run["published"])
        return msgspec.convert(await scenarios.unit_robustness(run_id, unit_code, draws, spread),
                               RankRobustness)
