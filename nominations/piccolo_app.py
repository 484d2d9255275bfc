from pathlib import Path

from piccolo.conf.apps import AppConfig

from nominations.tables import (
    Council,
    CouncilMember,
    CouncilSession,
    DossierFile,
    HistoryRecord,
    Nomination,
    NominationBatch,
    SessionAttendance,
    SessionVote,
)

APP_CONFIG = AppConfig(
    app_name="nominations",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[HistoryRecord, Council, CouncilMember, NominationBatch, Nomination, CouncilSession,
                   SessionAttendance, SessionVote, DossierFile],
    migration_dependencies=["scoring.piccolo_app"],
    commands=[],
)
