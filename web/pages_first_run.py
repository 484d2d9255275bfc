"""The first-run page (``/khoi-tao``): only while no administrator exists, then gone (404)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body
from litestar.response import Template

from accounts.first_run import DONE, first_run, needs_first_run
from http_layer.access import AnyRequest
from http_layer.errors import status_of
from scoring.registry.provinces import provinces
from scoring.services.province_setup import registry_size
from storage.errors import ServiceError
from web.pages_public import page

PATH = "/khoi-tao"
FormBody = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
KEPT = ("province", "username", "full_name")  # what the form shows again after a refusal


async def _form(request: AnyRequest, status: int = 200, **extra: Any) -> Template:
    held = await registry_size()
    context: dict[str, Any] = {"provinces": provinces(), "held": held, "sent": {}, "errors": {},
                               "error": None, "done": None}
    context.update(extra)
    return page("first_run.html", request, status, **context)


async def _refuse_when_set_up() -> None:
    if not await needs_first_run():
        raise NotFoundException(detail=DONE)


class FirstRunPages(Controller):
    include_in_schema = False

    @get(PATH)
    async def form(self, request: AnyRequest) -> Template:
        await _refuse_when_set_up()
        return await _form(request)

    @post(PATH, status_code=200)
    async def set_up(self, request: AnyRequest, data: FormBody) -> Response[Any]:
        await _refuse_when_set_up()
        sent = {k: data.get(k, "") for k in KEPT}
        errors: dict[str, str] = {}
        if not data.get("password") or data.get("password") != data.get("password_again"):
            errors["password_again"] = "Hai lần nhập mật khẩu chưa khớp nhau."
        if errors:
            return await _form(request, 400, sent=sent, errors=errors,
                               error="Chưa khởi tạo được: hãy sửa các mục được đánh dấu.")
        try:
            done = await first_run(province=data.get("province") or None, legacy=bool(data.get("legacy")),
                                   username=data.get("username", ""), full_name=data.get("full_name", ""),
                                   password=data.get("password", ""))
        except ServiceError as exc:
            details = exc.details if isinstance(exc.details, list) else []
            fields = {d["field"]: d["message"] for d in details if isinstance(d, dict) and "field" in d}
            return await _form(request, status_of(exc), sent=sent, errors=fields, error=exc.message)
        return page("first_run.html", request, done=done, provinces=(), held=0, sent={}, errors={},
                    error=None)
