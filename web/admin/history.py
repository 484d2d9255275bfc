"""Yearly emulation and commendation history: import files (all or nothing, with a dry run)
and one unit's or person's history by year."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from litestar import get, post
from litestar.datastructures import UploadFile
from litestar.params import FromQuery, MultipartBody
from litestar.response import Template

from http_layer.auth import SignedIn
from http_layer.errors import status_of
from http_layer.uploads import chosen_files, saved_uploads
from nominations.history import CODES
from nominations.history_codes import KIND_ORDER, kind_label, shown
from nominations.history_io import COLUMNS
from nominations.history_store import import_history, unit_history
from scoring.registry.store import load_registry_from_db
from storage.errors import ServiceError
from web.admin.common import AdminController, AnyRequest, admin_page

PAGE = "/quan-tri/lich-su"
COLUMN_TEXT = {
    "ma_don_vi": "Mã đơn vị, hoặc mã cá nhân (CN…), theo danh mục đơn vị",
    "nam": "Năm (4 chữ số), ví dụ 2023",
    "loai": "Loại: xếp loại, danh hiệu/khen thưởng, sáng kiến hoặc kỷ luật (xem bảng dưới)",
    "gia_tri": "Giá trị: mã, tên hoặc tên viết tắt (ví dụ cstdcs, CSTĐCS, Chiến sĩ thi đua cơ sở)",
    "chi_tiet": "Chi tiết (không bắt buộc): số quyết định, tên sáng kiến, lý do kỷ luật…",
    "da_dung_cho": "Đã dùng cho (chỉ với sáng kiến, không bắt buộc): mã hình thức khen thưởng đã dùng "
                   "sáng kiến này; để trống nếu chưa dùng",
}


@dataclass
class HistoryForm:
    file: list[UploadFile] = field(default_factory=list)
    kiem_tra: str | None = None


def _codes() -> list[dict[str, Any]]:
    """Each kind with its accepted values, as the page explains them."""
    return [{"kind": kind, "label": kind_label(kind),
             "values": [(value, shown(kind, value)) for value in CODES[kind]]} for kind in KIND_ORDER]


async def _unit(code: str) -> dict[str, Any]:
    """One unit's or person's history grouped by year, newest first; or why it cannot be shown."""
    code = code.strip()
    try:
        rows = await unit_history(code)
    except ServiceError as exc:
        return {"code": code, "error": exc.message, "status": status_of(exc), "years": []}
    registry = await load_registry_from_db()
    by_year: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_year[row["year"]].append(row)
    return {"code": code, "name": registry.unit(code).name, "error": None, "status": 200,
            "years": sorted(by_year.items(), reverse=True), "count": len(rows)}


async def _history_page(request: AnyRequest, status: int = 200, ma: str | None = None,
                        **context: Any) -> Template:
    unit = await _unit(ma) if ma and ma.strip() else None
    if unit is not None and status == 200:
        status = unit["status"]
    defaults: dict[str, Any] = {"summary": None, "error": None, "issues": [], "dry_run": True,
                                "columns": [(c, COLUMN_TEXT[c]) for c in COLUMNS], "codes": _codes(),
                                "unit": unit, "kind_label": kind_label}
    return admin_page("history.html", request, status, **{**defaults, **context})


class HistoryPages(AdminController):
    @get(PAGE)
    async def history(self, request: AnyRequest, ma: FromQuery[str | None] = None) -> Template:
        return await _history_page(request, ma=ma)

    @post(PAGE, status_code=200)
    async def upload(self, request: AnyRequest, user: SignedIn,
                     data: MultipartBody[HistoryForm]) -> Template:
        uploads = chosen_files(data.file)
        dry_run = bool(data.kiem_tra)
        if not uploads:
            return await _history_page(request, 400, dry_run=dry_run,
                                       error="Chưa chọn tệp nào. Hãy chọn ít nhất một tệp CSV hoặc XLSX.")
        async with saved_uploads(uploads) as paths:
            try:
                summary = await import_history(paths, user.username, dry_run=dry_run)
            except ServiceError as exc:
                issues = exc.details if exc.code == "import_invalid" and isinstance(exc.details, list) else []
                return await _history_page(request, status_of(exc), dry_run=dry_run, error=exc.message,
                                           issues=issues)
        # after a clean check, the next step is to save: the box is left unticked
        return await _history_page(request, dry_run=False, summary=summary)
