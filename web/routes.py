"""The pages, their templates and static files, registered by :func:`server.app.create_app`."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from litestar.static_files import create_static_files_router

from http_layer.errors import PAGE_RENDERER
from web.errors import render_error_page
from web.methodology import MethodologyPages
from web.pages_admin import ADMIN_PAGES
from web.pages_first_run import FirstRunPages
from web.pages_public import PublicPages
from web.pages_replies import REPLY_PAGES
from web.pages_unit import UnitPages
from web.templating import STATIC, template_config
from web.whatif_pages import WhatIfPages

PAGES: list[Any] = [FirstRunPages, PublicPages, UnitPages, WhatIfPages, MethodologyPages, *ADMIN_PAGES,
                     *REPLY_PAGES]


def swagger_ui_files() -> Path:
    """Swagger UI's files as the ``swagger-ui-py`` package ships them (not imported: only its
    static folder is used)."""
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("thiếu gói swagger-ui-py (trình xem tài liệu API)")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


def web_app_options() -> dict[str, Any]:
    """Route handlers and settings the app factory adds for the pages."""
    static = create_static_files_router(path="/static", directories=[STATIC], include_in_schema=False)
    swagger = create_static_files_router(path="/static/swagger-ui", directories=[swagger_ui_files()],
                                         include_in_schema=False)  # the API viewer, served offline
    return {"route_handlers": [*PAGES, swagger, static], "template_config": template_config(),
            "state": {PAGE_RENDERER: render_error_page}}
