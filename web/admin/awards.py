"""Awards: who is eligible for what over a period's published runs, and a nomination batch
built from the administrator's choice (the batch, its council session and dossiers live in
:mod:`web.admin.award_batch`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Response, get, post
from litestar.params import FromQuery
from litestar.response import Template

from http_layer.auth import SignedIn
from http_layer.errors import status_of
from nominations import service
from scoring.services import runs as run_service
from storage.errors import ServiceError
from web.admin.common import (
    AdminController,
    AnyRequest,
    admin_page,
    parse_day,
    parse_int,
    periods_newest_first,
    see_other,
)

PAGE = "/quan-tri/khen-thuong"
QUOTA_SCOPES = {"cluster": "mỗi cụm, khối thi đua", "parent": "mỗi cơ quan, đơn vị",
                "level": "toàn cấp"}
FORM_FIELDS = ("ten_dot", "so_to_trinh", "ngay_quyet_dinh")


def reasons(exc: ServiceError) -> list[str]:
    """The Vietnamese reasons a service listed in ``details``, one line each."""
    details = exc.details if isinstance(exc.details, list) else [exc.details] if exc.details else []
    return [str(d.get("reason", d)) if isinstance(d, dict) else str(d) for d in details]


def day_or_refuse(text: str, what: str) -> date:
    """A dd/mm/yyyy day, or an ``invalid_input`` refusal naming the field."""
    try:
        return parse_day(text)
    except ValueError as exc:
        raise ServiceError("invalid_input", f"{what}: {exc}") from None


async def _published_period_ids() -> set[int]:
    return {r["period_id"] for r in await run_service.list_runs() if r["published"]}


async def _awards_page(request: AnyRequest, period_id: int | None, status: int = 200,
                       **extra: Any) -> Template:
    periods = await periods_newest_first()
    published = await _published_period_ids()
    if period_id is None:
        period_id = next((p["id"] for p in periods if p["id"] in published),
                         periods[0]["id"] if periods else None)
    period = next((p for p in periods if p["id"] == period_id), None)
    if period_id is not None and period is None:
        raise ServiceError("not_found", f"Không có kỳ đánh giá số {period_id}.")
    money_day = extra.pop("money_day", None) or date.today()
    found = None
    if period is not None and period["id"] in published:
        found = await service.eligibility(period["id"], on=money_day)
        for award in found["awards"]:
            quota = (award["version"] or {}).get("quota")
            if quota:
                quota["scope_text"] = QUOTA_SCOPES.get(quota["scope"], quota["scope"])
    context: dict[str, Any] = {"periods": periods, "period": period, "found": found, "money_day": money_day,
                               "batches": await service.list_batches(), "error": None, "details": [],
                               "picked": set(), "form": {},
                               "level_names": found["level_names"] if found else {}}
    context.update(extra)
    return admin_page("awards.html", request, status, **context)


def _entries(picked: list[str]) -> list[tuple[str, str]]:
    entries = []
    for value in picked:
        award_id, bar, unit_code = value.partition("|")
        if not bar or not award_id or not unit_code:
            raise ServiceError("invalid_input",
                               f"Lựa chọn «{value}» không hợp lệ; hãy tải lại trang rồi chọn lại.")
        entries.append((award_id, unit_code))
    return entries


class AwardPages(AdminController):
    @get(PAGE)
    async def awards(self, request: AnyRequest, ky: FromQuery[int | None] = None) -> Template:
        return await _awards_page(request, ky)

    @post(f"{PAGE}/dot", status_code=200)
    async def create_batch(self, request: AnyRequest, user: SignedIn) -> Response[Any]:
        posted = await request.form()
        form = {k: str(posted.get(k) or "") for k in FORM_FIELDS}
        picked = [str(v) for v in posted.getall("chon", [])]
        period_id = parse_int(str(posted.get("ky") or ""))
        keep: dict[str, Any] = {"form": form, "picked": set(picked)}
        try:
            if period_id is None:
                raise ServiceError("invalid_input", "Hãy chọn kỳ đánh giá.")
            decision_date = day_or_refuse(form["ngay_quyet_dinh"], "Ngày quyết định")
            keep["money_day"] = decision_date
            batch = await service.create_batch(
                period_id, title=form["ten_dot"], number=form["so_to_trinh"], decision_date=decision_date,
                entries=_entries(picked), actor=user.username)
        except ServiceError as exc:
            return await _awards_page(request, period_id, status_of(exc), error=exc.message,
                                      details=reasons(exc), **keep)
        return see_other(f"{PAGE}/dot/{batch['id']}")
