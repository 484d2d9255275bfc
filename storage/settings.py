"""Settings from the environment, read once.

``DATABASE_URL`` chooses the database: ``sqlite:///var/thidua.sqlite`` (the default, a file
under ``var/``) or ``postgres://user@host:5432/dbname`` for production.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite:///{ROOT / 'var' / 'thidua.sqlite'}"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class Settings:
    database_url: str
    host: str
    port: int
    secure_cookies: bool
    login_attempts: int  # failures of one account before each attempt waits (doubling, ≤ 60 s)
    client_login_attempts: int  # the same for one client address (a whole office may share one)
    trusted_proxies: tuple[str, ...]  # peers whose X-Forwarded-For names the real client
    login_window_s: int
    session_hours: int

    @property
    def is_postgres(self) -> bool:
        return urlparse(self.database_url).scheme in ("postgres", "postgresql")

    @property
    def sqlite_path(self) -> Path:
        parsed = urlparse(self.database_url)
        if parsed.scheme != "sqlite":
            raise ValueError("not a SQLite URL")
        # sqlite:///relative/path or sqlite:////absolute/path
        return Path(self.database_url.removeprefix("sqlite:///"))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    scheme = urlparse(url).scheme
    if scheme not in ("sqlite", "postgres", "postgresql"):
        raise SystemExit(f"DATABASE_URL không hợp lệ: «{url}» (dùng sqlite:///… hoặc postgres://…)")
    host = os.environ.get("THIDUA_HOST", "127.0.0.1")
    return Settings(
        database_url=url,
        host=host,
        port=int(os.environ.get("THIDUA_PORT", "8000")),
        # Secure cookies unless serving plain HTTP on this machine only (development); over
        # HTTPS they are Secure whatever this says (http_layer.security)
        secure_cookies=os.environ.get("THIDUA_SECURE_COOKIES", "0" if host in LOOPBACK else "1") == "1",
        login_attempts=int(os.environ.get("THIDUA_LOGIN_ATTEMPTS", "5")),
        client_login_attempts=int(os.environ.get("THIDUA_CLIENT_LOGIN_ATTEMPTS", "30")),
        trusted_proxies=tuple(p.strip() for p in os.environ.get("THIDUA_TRUSTED_PROXIES", "").split(",")
                              if p.strip()),
        login_window_s=int(os.environ.get("THIDUA_LOGIN_WINDOW", "300")),
        session_hours=int(os.environ.get("THIDUA_SESSION_HOURS", "12")),
    )
