"""The API's one error shape, for the OpenAPI document: ``{"error": {"code", "message", "details"?}}``.

The bodies themselves are written by :mod:`http_layer.errors`; these Structs only describe them
(a test decodes real error answers with them), and :func:`error_responses` lists them per route.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar.openapi.datastructures import ResponseSpec

from api.schemas.docs import doc
from http_layer.auth import CsrfFailed
from http_layer.errors import DEFAULTS, STATUS


class ErrorInfo(msgspec.Struct, forbid_unknown_fields=True):
    """What went wrong: a stable ``code`` for programs, a Vietnamese ``message`` for people."""

    code: Annotated[str, doc("Mã lỗi ổn định cho chương trình, ví dụ invalid_input, period_locked")]
    message: Annotated[str, doc("Thông báo tiếng Việt: sai gì, ở đâu, cần làm gì")]
    details: Annotated[Any | None, doc(
        "Không bắt buộc: các trường hoặc dòng bị lỗi, ví dụ [{field, source, message}]")] = None


class ErrorBody(msgspec.Struct, forbid_unknown_fields=True):
    """Every 4xx/5xx answer under ``/api/``."""

    error: ErrorInfo


_MEANING = {
    400: "Yêu cầu không hợp lệ: dữ liệu gửi lên sai kiểu, thiếu trường, hoặc bị từ chối",
    401: "Chưa đăng nhập, hoặc mã truy cập (Bearer) không hợp lệ, đã thu hồi",
    403: "Không có quyền, hoặc thiếu mã chống giả mạo X-CSRF-Token khi ghi bằng cookie phiên",
    404: "Không có dữ liệu được yêu cầu",
    409: "Trạng thái hiện tại không cho phép thao tác này",
    413: "Dữ liệu gửi lên lớn hơn giới hạn cho phép",
    429: "Gửi quá nhiều yêu cầu; thử lại sau (xem tiêu đề Retry-After)",
}
_EXTRA_CODES = {403: (CsrfFailed.error_code,)}  # not a service error: the CSRF check's own


def _codes(status: int) -> list[str]:
    listed = [code for code, answer in STATUS.items() if answer == status]
    default = DEFAULTS[status][0]
    return list(dict.fromkeys([default, *listed, *_EXTRA_CODES.get(status, ())]))


def error_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """The ``responses=`` of a route that can answer these statuses, each with :class:`ErrorBody`."""
    return {
        status: ResponseSpec(
            ErrorBody, generate_examples=False,
            description=f"{_MEANING[status]} (mã lỗi: {', '.join(_codes(status))}).")
        for status in statuses
    }
