"""The domain API controllers, registered by :func:`server.app.create_app`."""

from __future__ import annotations

from api.controllers.evidence import EvidenceController
from api.controllers.nominations import (
    BatchController,
    CouncilController,
    EligibilityController,
    HistoryController,
    SessionController,
)
from api.controllers.registry import PeriodController, PlanController, UnitController
from api.controllers.replies import DisputeController, ReplyRunController
from api.controllers.runs import AuditController, RankingController, RunController
from api.controllers.scenarios import ScenarioController
from api.controllers.values import ValueController

ROUTES = [
    PlanController,
    UnitController,
    PeriodController,
    ValueController,
    EvidenceController,
    RunController,
    ScenarioController,
    ReplyRunController,
    DisputeController,
    RankingController,
    AuditController,
    EligibilityController,
    BatchController,
    CouncilController,
    SessionController,
    HistoryController,
]
