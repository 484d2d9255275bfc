from pathlib import Path

from piccolo.conf.apps import AppConfig

from scoring.tables import (
    Cluster,
    Dispute,
    DisputeMessage,
    EvidenceBlob,
    EvidenceFile,
    IndicatorValue,
    Period,
    PeriodCluster,
    RunShare,
    ScoreRun,
    Unit,
    UnitResult,
)
from storage.tables import AuditEntry, KeyValue

APP_CONFIG = AppConfig(
    app_name="scoring",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Cluster, Unit, Period, IndicatorValue, ScoreRun, UnitResult, AuditEntry, KeyValue,
                   RunShare, Dispute, DisputeMessage, PeriodCluster, EvidenceBlob, EvidenceFile],
    migration_dependencies=["criteria.piccolo_app"],
    commands=[],
)
