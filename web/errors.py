"""Error pages for people: what happened and what to do next, in Vietnamese.

API paths keep answering JSON (see :mod:`http_layer.errors`); everything else gets a page.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.enums import MediaType
from litestar.response import Redirect

from http_layer.auth import current_user
from web.templating import environment

PAGES = {
    400: ("Yêu cầu chưa hợp lệ", "Hãy kiểm tra lại thông tin vừa nhập rồi thử lại."),
    401: ("Cần đăng nhập", "Hãy đăng nhập bằng tài khoản được cấp rồi mở lại trang này."),
    403: ("Không có quyền truy cập",
          "Tài khoản của bạn không được xem trang này. Nếu cần, hãy liên hệ Ban Thi đua – "
          "Khen thưởng (Sở Nội vụ) để được cấp quyền."),
    404: ("Không tìm thấy trang", "Địa chỉ có thể đã thay đổi. Hãy quay về trang chủ và chọn lại."),
    409: ("Chưa thể thực hiện", "Dữ liệu đang bị khóa hoặc đã thay đổi. Hãy tải lại trang."),
    429: ("Thử lại sau", "Bạn đã thử quá nhiều lần. Hãy đợi vài phút rồi thử lại."),
    500: ("Đã có lỗi trong hệ thống",
          "Lỗi đã được ghi lại. Hãy thử lại sau ít phút; nếu vẫn lỗi, hãy báo cho quản trị viên "
          "kèm thời điểm xảy ra."),
}

_env = environment()


def render_error_page(request: Request[Any, Any, Any], status: int, body: dict[str, Any]) -> Response[Any]:
    user = current_user(request)
    if status == 401 and request.method == "GET":
        return Redirect(path=f"/dang-nhap?next={request.url.path}")
    heading, advice = PAGES.get(status, PAGES[500 if status >= 500 else 400])
    message = body.get("error", {}).get("message") or heading
    html = _env.get_template("errors/error.html").render(
        user=user, heading=heading, message=message, advice=advice, status=status)
    return Response(content=html, status_code=status, media_type=MediaType.HTML)
