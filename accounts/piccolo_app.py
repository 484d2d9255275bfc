from pathlib import Path

from piccolo.conf.apps import AppConfig

from accounts.tables import Account, ApiToken, LoginSession

APP_CONFIG = AppConfig(
    app_name="api",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Account, LoginSession, ApiToken],
    migration_dependencies=["scoring.piccolo_app"],
    commands=[],
)
