from pathlib import Path

from piccolo.conf.apps import AppConfig

from criteria.tables import PlanVersion

APP_CONFIG = AppConfig(
    app_name="criteria",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[PlanVersion],
    migration_dependencies=[],
    commands=[],
)
