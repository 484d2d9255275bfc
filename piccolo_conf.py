"""Piccolo configuration: one engine from DATABASE_URL, one app per domain package."""

from __future__ import annotations

from piccolo.conf.apps import AppRegistry
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from storage.settings import get_settings

_settings = get_settings()
if _settings.is_postgres:
    DB: PostgresEngine | SQLiteEngine = PostgresEngine(config={"dsn": _settings.database_url})
else:
    _settings.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    DB = SQLiteEngine(path=str(_settings.sqlite_path), timeout=30)

APP_REGISTRY = AppRegistry(
    apps=["criteria.piccolo_app", "scoring.piccolo_app", "accounts.piccolo_app", "nominations.piccolo_app"]
)
