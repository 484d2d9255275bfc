"""The Litestar application factory: ``uvicorn --factory server.app:create_app``."""

from __future__ import annotations

import importlib
import os
import pkgutil
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import msgspec
from litestar import Litestar, get
from litestar.config.compression import CompressionConfig
from litestar.datastructures import State
from litestar.middleware import DefineMiddleware
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.spec import Components, Reference, SecurityScheme
from litestar.types import ControllerRouterHandler

from api.controllers.auth import AuthController
from api.routes import ROUTES
from api.schemas.errors import error_responses
from http_layer.auth import SESSION_COOKIE, USER_DEPENDENCIES, AuthMiddleware
from http_layer.errors import EXCEPTION_HANDLERS
from http_layer.read_snapshot import read_snapshot_middleware
from http_layer.security import LocalSwagger, allow_header, security_headers
from scoring.intake.sheets import limits
from storage.db import close_pool, is_sqlite, start_pool
from web.page_cache import GZIP_LEVEL, PRECOMPRESSED, after_write
from web.routes import web_app_options

AUTH_EXCLUDE = ["^/static/", "^/schema"]  # no user needed: skip the session lookup


class Health(msgspec.Struct):
    status: str
    """Always ``ok``: the server answers."""


@get("/api/v1/health", tags=["Hệ thống"], summary="Máy chủ đang chạy", responses=error_responses(401))
async def health() -> Health:
    return Health(status="ok")



def _use_pool() -> bool:
    return not is_sqlite() and os.environ.get("THIDUA_DB_POOL", "1") != "0"


@asynccontextmanager
async def database_pool(_: Litestar) -> AsyncIterator[None]:
    """PostgreSQL connection pool for the life of the worker (SQLite has none)."""
    pooled = _use_pool()
    if pooled:
        await start_pool()
    try:
        yield
    finally:
        if pooled:
            await close_pool()


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="thidua API",
        version="1",
        path="/schema",
        description="Hệ thống chấm điểm thi đua, khen thưởng. Đăng nhập bằng cookie phiên "
                    "(kèm X-CSRF-Token khi ghi) hoặc mã truy cập: Authorization: Bearer <mã>.",
        render_plugins=[LocalSwagger()],
        components=Components(security_schemes={
            "BearerToken": SecurityScheme(type="http", scheme="bearer"),
            "SessionCookie": SecurityScheme(type="apiKey", name=SESSION_COOKIE, security_scheme_in="cookie"),
        }),
    )


def _strict_components(app: Litestar) -> Litestar:
    """The OpenAPI says what the server enforces: a body type that refuses unknown fields (and
    a response type that never carries any) has ``additionalProperties: false``."""
    import api.schemas as package

    strict = set()
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"api.schemas.{info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, msgspec.Struct) and (getattr(
                    value.__struct_config__, "forbid_unknown_fields", False)
                    or vars(value).get("__closed_schema__", False)):
                strict.add(value.__name__)
    components = app.openapi_schema.components
    for name, schema in (components.schemas or {}).items() if components else ():
        if name in strict and not isinstance(schema, Reference):
            schema.additional_properties = False
    return app


def create_app(extra_route_handlers: Sequence[ControllerRouterHandler] = ()) -> Litestar:
    web = web_app_options()
    return _strict_components(Litestar(
        route_handlers=[health, AuthController, *ROUTES, *web["route_handlers"],
                        *extra_route_handlers],
        template_config=web["template_config"],
        state=State(web["state"]),
        middleware=[read_snapshot_middleware, DefineMiddleware(AuthMiddleware, exclude=AUTH_EXCLUDE)],
        exception_handlers=EXCEPTION_HANDLERS,
        dependencies=USER_DEPENDENCIES,
        openapi_config=openapi_config(),
        lifespan=[database_pool],
        # gzip for every answer of 1 kB or more whose client accepts it (HTML, JSON, CSS, JS);
        # level 6: most of level 9's saving at a fraction of its time
        compression_config=CompressionConfig(backend="gzip", minimum_size=1024,
                                             gzip_compress_level=GZIP_LEVEL, exclude_opt_key=PRECOMPRESSED),
        before_send=[security_headers, allow_header, after_write],
        # an upload may carry a file of the intake's largest size (THIDUA_MAX_FILE_MB), and its form
        request_max_body_size=limits().file_bytes + 1024 * 1024,
    ))


_app: Litestar | None = None


def __getattr__(name: str) -> Any:
    """``server.app:app`` built on first use, so importing this module stays cheap."""
    global _app
    if name == "app":
        if _app is None:
            _app = create_app()
        return _app
    raise AttributeError(name)
