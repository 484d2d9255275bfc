from pathlib import Path

from piccolo.conf.apps import AppConfig

from scoring.tables import (
    AuditEntry,
    Cluster,
    IndicatorValue,
    KeyValue,
    Period,
    ScoreRun,
    Unit,
    UnitResult,
)

APP_CONFIG = AppConfig(
    app_name="scoring",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Cluster, Unit, Period, IndicatorValue, ScoreRun, UnitResult, AuditEntry, KeyValue],
    migration_dependencies=["criteria.piccolo_app"],
    commands=[],
)
