"""The audit log: who changed what and when, filtered by unit, person and dates; chain verified."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from litestar import get
from litestar.params import FromQuery
from litestar.response import Template

from presentation.times import local_day_start
from storage import audit
from storage.audit import AuditFilter
from web.admin.common import AdminController, AnyRequest, admin_page, parse_day

PAGE_SIZE = 100
ACTIONS = {
    "values.import": "Nhập số liệu từ tệp",
    "value.self": "Đơn vị nhập số liệu",
    "value.appraise": "Thẩm định số liệu",
    "run.start": "Chấm điểm",
    "run.publish": "Công bố kết quả",
    "period.open": "Mở kỳ đánh giá",
    "period.lock": "Khóa số liệu của kỳ",
    "period.reopen": "Mở lại kỳ đã khóa",
    "period.window": "Đổi thời hạn nhập số liệu",
    "registry.save": "Lưu danh mục đơn vị",
    "plan.upload": "Lưu kế hoạch thi đua",
    "account.create": "Tạo tài khoản",
    "account.role": "Đổi vai trò tài khoản",
    "account.disable": "Khóa tài khoản",
    "account.enable": "Mở khóa tài khoản",
    "account.reset_password": "Đặt lại mật khẩu",
    "account.change_password": "Đổi mật khẩu",
    "api_token.create": "Tạo mã truy cập (API token)",
}


def _pretty(text: str) -> str:
    if not text:
        return ""
    try:
        return json.dumps(json.loads(text), ensure_ascii=False, indent=1, sort_keys=True)
    except ValueError:
        return text


def _day_bounds(tu: str, den: str) -> tuple[datetime | None, datetime | None, dict[str, str]]:
    """Local (Asia/Ho_Chi_Minh) whole days → UTC instants; errors by field."""
    errors: dict[str, str] = {}
    start = end = None
    if tu.strip():
        try:
            start = local_day_start(parse_day(tu))
        except ValueError as exc:
            errors["tu"] = str(exc)
    if den.strip():
        try:
            end = local_day_start(parse_day(den) + timedelta(days=1))
        except ValueError as exc:
            errors["den"] = str(exc)
    if start and end and end <= start:
        errors["den"] = "Ngày kết thúc phải từ ngày bắt đầu trở về sau."
    return start, end, errors


class AuditLogPages(AdminController):
    @get("/quan-tri/nhat-ky")
    async def audit_log(self, request: AnyRequest, don_vi: FromQuery[str] = "", nguoi: FromQuery[str] = "",
                        tu: FromQuery[str] = "", den: FromQuery[str] = "",
                        trang: FromQuery[int] = 1) -> Template:
        check = await audit.verify()
        start, end, errors = _day_bounds(tu, den)
        found = AuditFilter(unit_code=don_vi.strip() or None, actor=nguoi.strip() or None,
                            since=start, until=end)
        page = max(trang, 1)
        entries: list[dict[str, Any]] = []
        total = 0
        if not errors:
            total = await audit.count_audit_entries(found)
            rows = await audit.audit_entries(found, PAGE_SIZE, (page - 1) * PAGE_SIZE)
            entries = [{**r, "action_name": ACTIONS.get(r["action"], r["action"]),
                        "before_text": _pretty(r["before"]), "after_text": _pretty(r["after"])} for r in rows]
        filters = {"don_vi": don_vi, "nguoi": nguoi, "tu": tu, "den": den}
        base = "/quan-tri/nhat-ky?" + urlencode({k: v for k, v in filters.items() if v})
        status = 400 if errors else 200
        return admin_page("audit.html", request, status, check=check, entries=entries, total=total,
                          page=page, pages=max(1, -(-total // PAGE_SIZE)), errors=errors, base=base,
                          **filters)
