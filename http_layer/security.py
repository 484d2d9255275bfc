"""Security headers on every response the app sends — pages, JSON, PDFs and other files, static
files, errors — added by a ``before_send`` hook, so nothing can forget them; cookies marked
Secure over HTTPS; and the OpenAPI viewer served from this server (no CDN, no inline script).

The policy allows scripts and styles from this server only (style attributes excepted), no
framing, no plug-ins, forms and connections to this server only.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.openapi.plugins import OpenAPIRenderPlugin

from storage.settings import get_settings

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
       "form-action 'self'; frame-ancestors 'none'")
HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
)
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


async def security_headers(message: Any, scope: Any) -> None:
    """Add the headers to the start of every HTTP response; over HTTPS (or when the settings
    ask for it) every cookie is Secure, and HSTS is sent."""
    if message.get("type") != "http.response.start":
        return
    headers: list[tuple[bytes, bytes]] = list(message.get("headers") or [])
    present = {name.lower() for name, _ in headers}
    https = scope.get("scheme") == "https"
    secure = https or get_settings().secure_cookies
    out = []
    for name, value in headers:
        if secure and name.lower() == b"set-cookie" and b"secure" not in value.lower():
            value += b"; Secure"
        out.append((name, value))
    out += [(name, value) for name, value in HEADERS if name not in present]
    if https and HSTS[0] not in present:
        out.append(HSTS)
    message["headers"] = out


async def allow_header(message: Any, scope: Any) -> None:
    """An OPTIONS answer names every method of its path (Litestar's own Allow can miss the ones
    registered after the first handler of a path)."""
    if message.get("type") != "http.response.start" or scope.get("method") != "OPTIONS":
        return
    app, handler = scope.get("app"), scope.get("route_handler")
    paths: set[str] = getattr(handler, "paths", set())
    methods = sorted({m for route in getattr(app, "routes", ()) if getattr(route, "path", None) in paths
                      for m in getattr(route, "methods", ())})
    if methods:
        headers = [(k, v) for k, v in message.get("headers") or [] if k.lower() != b"allow"]
        message["headers"] = [*headers, (b"allow", ", ".join(methods).encode())]


class LocalSwagger(OpenAPIRenderPlugin):
    """Swagger UI from the ``swagger-ui-bundle`` package, served under /static/swagger-ui, started
    by /static/swagger-init.js: the viewer works offline and under the policy above."""

    def __init__(self) -> None:
        super().__init__(path="/swagger", favicon="", style="")

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        schema = self.get_openapi_json_route(request)
        return (
            "<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\">"
            "<title>thidua API — tài liệu OpenAPI</title>"
            "<link rel=\"stylesheet\" href=\"/static/swagger-ui/swagger-ui.css\"></head><body>"
            f"<div id=\"swagger-ui\" data-url=\"{schema}\"></div>"
            "<script src=\"/static/swagger-ui/swagger-ui-bundle.js\"></script>"
            "<script src=\"/static/swagger-init.js\"></script></body></html>"
        ).encode()
