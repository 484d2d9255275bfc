"""Scoring runs: start one, read it, publish it (after a confirmation), export its ranking."""

from __future__ import annotations

import re
from typing import Any

from litestar import Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from http_layer.auth import SignedIn
from http_layer.errors import status_of
from scoring.services import periods as period_service
from scoring.services import runs as run_service
from scoring.services.labels import label_results
from scoring.services.publish import publish_run
from storage.errors import ServiceError
from web.admin.common import (
    AdminController,
    AnyRequest,
    FormBody,
    admin_page,
    competing_levels,
    parse_int,
    period_plan,
    periods_newest_first,
    see_other,
)
from web.exports import ranking_table, to_csv, to_xlsx

EXPORT_NAME = re.compile(r"^(?P<run>\d{1,12})\.(?P<kind>xlsx|csv)$")
MEDIA = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "csv": "text/csv; charset=utf-8"}


async def level_name(run: dict[str, Any]) -> str:
    period = await period_service.get_period(run["period_id"])
    level: str = run["level"]
    return dict(competing_levels(await period_plan(period))).get(level, level)


async def _runs_page(request: AnyRequest, status: int = 200, **extra: Any) -> Template:
    periods = await periods_newest_first()
    levels = competing_levels(await period_plan(periods[0])) if periods else []
    names = dict(levels)
    runs = [{**r, "level_name": names.get(r["level"], r["level"])} for r in await run_service.list_runs()]
    chosen = next((p["id"] for p in periods if not p["locked"]), periods[0]["id"] if periods else None)
    context: dict[str, Any] = {"periods": periods, "levels": levels, "runs": runs, "error": None,
                               "chosen": chosen, "chosen_level": None}
    context.update(extra)
    return admin_page("runs.html", request, status, **context)


async def _run_page(request: AnyRequest, run_id: int, status: int = 200, **extra: Any) -> Template:
    run = await run_service.get_run(run_id)
    results = await label_results(run, await run_service.run_results(run_id))
    published = None
    if not run["published"]:
        published = await run_service.published_run(run["period_id"], run["level"])
    context: dict[str, Any] = {"run": run, "level_name": await level_name(run), "results": results,
                               "published_other": published, "error": None, "just_published": False}
    context.update(extra)
    return admin_page("run.html", request, status, **context)


class RunPages(AdminController):
    @get("/quan-tri/cham-diem")
    async def runs(self, request: AnyRequest) -> Template:
        return await _runs_page(request)

    @post("/quan-tri/cham-diem", status_code=200)
    async def start(self, request: AnyRequest, user: SignedIn, data: FormBody) -> Response[Any]:
        period_id, level = parse_int(data.get("ky")), data.get("cap", "")
        if period_id is None or not level:
            return await _runs_page(request, 400, error="Hãy chọn kỳ đánh giá và cấp cần chấm điểm.",
                                    chosen=period_id, chosen_level=level)
        try:
            run = await run_service.start_run(period_id, level, user.username)
        except ServiceError as exc:
            return await _runs_page(request, status_of(exc), error=exc.message, chosen=period_id,
                                    chosen_level=level)
        return see_other(f"/quan-tri/luot-cham/{run['id']}")

    @get("/quan-tri/luot-cham/{run_id:int}")
    async def run(self, request: AnyRequest, run_id: FromPath[int],
                  da_cong_bo: FromQuery[str | None] = None) -> Template:
        return await _run_page(request, run_id, just_published=bool(da_cong_bo))

    @get("/quan-tri/luot-cham/{run_id:int}/cong-bo")
    async def confirm_publish(self, request: AnyRequest, run_id: FromPath[int]) -> Template:
        run = await run_service.get_run(run_id)
        period = await period_service.get_period(run["period_id"])
        return admin_page("publish_confirm.html", request, run=run, period=period,
                          level_name=await level_name(run))

    @post("/quan-tri/luot-cham/{run_id:int}/cong-bo", status_code=200)
    async def publish(self, request: AnyRequest, user: SignedIn, run_id: FromPath[int]) -> Response[Any]:
        try:
            await publish_run(run_id, user.username)
        except ServiceError as exc:
            return await _run_page(request, run_id, status_of(exc), error=exc.message)
        return see_other(f"/quan-tri/luot-cham/{run_id}?da_cong_bo=1")

    @get("/quan-tri/xuat/{file_name:str}")
    async def export(self, file_name: FromPath[str]) -> Response[bytes]:
        found = EXPORT_NAME.match(file_name)
        if found is None:
            raise ServiceError("not_found", f"Không có tệp «{file_name}»; hãy dùng <số lượt>.xlsx hoặc "
                                            "<số lượt>.csv.")
        run_id, kind = int(found["run"]), found["kind"]
        run = await run_service.get_run(run_id)
        header, rows = ranking_table(await run_service.run_breakdowns(run_id))
        body = to_xlsx(header, rows) if kind == "xlsx" else to_csv(header, rows)
        name = f"xep-hang-{run['year']}-{run['level']}-luot-{run_id}.{kind}"
        return Response(content=body, media_type=MEDIA[kind],
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
