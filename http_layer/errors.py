"""One error format for the whole API: ``{"error": {"code", "message", "details"?}}``.

Every message is Vietnamese and says what went wrong and what to do. Paths under ``/api/``
always answer JSON; other paths answer with the HTML page of the renderer the app factory keeps
in the app's state under ``PAGE_RENDERER`` (without one they answer JSON too).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.types import ExceptionHandlersMap

from storage.errors import ServiceError

log = logging.getLogger("thidua.api")

API_PREFIX = "/api/"
INTERNAL_MESSAGE = "Đã có lỗi trong hệ thống. Vui lòng thử lại hoặc báo cho quản trị viên."
INVALID_MESSAGE = "Dữ liệu gửi lên chưa hợp lệ. Hãy sửa các mục sau rồi gửi lại:"
DEFAULTS: dict[int, tuple[str, str]] = {
    400: ("invalid_input", "Yêu cầu không hợp lệ. Hãy kiểm tra dữ liệu gửi lên."),
    401: ("unauthenticated", "Bạn cần đăng nhập để dùng chức năng này."),
    403: ("forbidden", "Bạn không có quyền thực hiện thao tác này."),
    404: ("not_found", "Không tìm thấy địa chỉ hoặc dữ liệu được yêu cầu. Hãy kiểm tra lại đường dẫn."),
    405: ("method_not_allowed", "Địa chỉ này không nhận phương thức {method}."),
    409: ("conflict", "Dữ liệu đã thay đổi hoặc bị trùng. Hãy tải lại rồi thử lại."),
    413: ("payload_too_large", "Dữ liệu gửi lên quá lớn."),
    415: ("unsupported_media_type", "Định dạng dữ liệu gửi lên không được hỗ trợ (hãy gửi JSON)."),
    429: ("rate_limited", "Bạn gửi quá nhiều yêu cầu. Vui lòng thử lại sau ít phút."),
}

# a service error's code → the HTTP status the API and the pages answer with
STATUS = {
    "invalid_input": 400,
    "import_invalid": 400,
    "invalid_value": 400,
    "plan_invalid": 400,
    "unauthenticated": 401,
    "forbidden": 403,
    "not_found": 404,
    "period_locked": 409,
    "entry_window_closed": 409,
    "already_published": 409,
    "conflict": 409,
    "disputes_open": 409,
    "reply_window_closed": 409,
    "not_shared": 409,
    "dispute_closed": 409,
    "rate_limited": 429,
}


def status_of(exc: ServiceError) -> int:
    """The HTTP status for a service's refusal (400 for a code not listed)."""
    return STATUS.get(exc.code, 400)


ErrorBody = dict[str, dict[str, Any]]
PageRenderer = Callable[[Request[Any, Any, Any], int, ErrorBody], Response[Any]]
PAGE_RENDERER = "page_renderer"  # the app state's key for the pages' error renderer


def is_api_path(path: str) -> bool:
    return path == API_PREFIX.rstrip("/") or path.startswith(API_PREFIX)



def error_response(request: Request[Any, Any, Any], status: int, code: str, message: str,
                   details: Any = None, headers: Mapping[str, str] | None = None) -> Response[Any]:
    body: ErrorBody = {"error": {"code": code, "message": message}}
    if details is not None:
        body["error"]["details"] = details
    renderer: PageRenderer | None = request.app.state.get(PAGE_RENDERER)
    if renderer is not None and not is_api_path(request.url.path):
        return renderer(request, status, body)
    return Response(content=body, status_code=status, media_type=MediaType.JSON, headers=headers)


def service_error_handler(request: Request[Any, Any, Any], exc: ServiceError) -> Response[Any]:
    headers = None
    if exc.code == "rate_limited" and isinstance(exc.details, dict) and "retry_after_s" in exc.details:
        headers = {"Retry-After": str(exc.details["retry_after_s"])}
    return error_response(request, status_of(exc), exc.code, exc.message, exc.details, headers)


_MISSING_FIELD = re.compile(r"Object missing required field `(?P<f>[^`]+)`")
_FIELD_MESSAGES = [
    (_MISSING_FIELD, "thiếu trường bắt buộc «{f}»"),
    (re.compile(r"Expected `datetime` with a timezone component"),
     "cần ngày giờ kèm múi giờ, ví dụ 2024-12-10T09:00:00+07:00 (giờ Việt Nam)"),
    (re.compile(r"Expected `(?P<want>[^`]+)`, got `(?P<got>[^`]+)`"), "sai kiểu: cần {want}, nhận {got}"),
    (re.compile(r"Object contains unknown field `(?P<f>[^`]+)`"), "có trường lạ «{f}»"),
    (re.compile(r"Missing required (?P<src>\w+) parameter '(?P<f>[^']+)'"), "thiếu tham số «{f}» ({src})"),
    (re.compile(r"Invalid enum value (?P<v>.+)"), "giá trị {v} không nằm trong danh sách cho phép"),
]


def _vietnamese(message: str) -> str:
    for pattern, template in _FIELD_MESSAGES:
        if found := pattern.search(message):
            return template.format(**found.groupdict())
    return message


def validation_error_handler(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    details: list[dict[str, Any]] = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(item, dict):
            field = item.get("key")
            if named := _MISSING_FIELD.search(str(item.get("message", ""))):  # name the missing field itself
                field = named["f"] if field in (None, "data") else f"{field}.{named['f']}"
            details.append({"field": field, "source": item.get("source"),
                            "message": _vietnamese(str(item.get("message", "")))})
    if not details:
        details.append({"field": None, "source": None, "message": _vietnamese(exc.detail)})
    summary = "; ".join(
        f"{d['field']}: {d['message']}" if d["field"] else d["message"] for d in details[:5])
    return error_response(request, 400, "invalid_input", f"{INVALID_MESSAGE} {summary}.", details)


def _is_ours(detail: str) -> bool:
    """Our own code raises with Vietnamese details; Litestar's own details are English."""
    return bool(detail) and not detail.isascii()


def http_error_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if status >= 500:
        return internal_error_handler(request, exc)
    code, message = DEFAULTS.get(status, ("http_error", HTTPStatus(status).phrase))
    code = getattr(exc, "error_code", None) or code
    details = None
    if _is_ours(exc.detail):
        message = exc.detail
    else:
        message = message.format(method=request.method)
        if status == 400 and exc.detail and exc.detail != HTTPStatus(status).phrase:
            details = [{"field": None, "source": None, "message": exc.detail}]  # e.g. malformed JSON
    return error_response(request, status, code, message, details, exc.headers)


BAD_CHARACTERS = "Dữ liệu gửi lên có ký tự không hợp lệ (ví dụ ký tự điều khiển). Hãy nhập lại."


def _is_bad_text(exc: Exception) -> bool:
    """PostgreSQL refuses NUL and untranslatable characters that SQLite would store."""
    name = type(exc).__name__
    return name in ("CharacterNotInRepertoireError", "UntranslatableCharacterError") or (
        isinstance(exc, ValueError) and "\\x00" in str(exc))


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if _is_bad_text(exc):
        return error_response(request, 400, "invalid_input", BAD_CHARACTERS)
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(request, 500, "internal_error", INTERNAL_MESSAGE)


# Keyed by class only: Litestar prefers status-code keys over classes, which would hide the
# ValidationException handler behind a 400 key.
EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    ServiceError: service_error_handler,
    ValidationException: validation_error_handler,
    HTTPException: http_error_handler,
    Exception: internal_error_handler,
}
