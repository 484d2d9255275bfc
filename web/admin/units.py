"""Units (đơn vị): the list with a search that ignores diacritics and a level filter; create a
unit; a unit's page to edit it, close it or merge it into another. A refusal keeps what was
typed and says why in Vietnamese; nothing is written."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from litestar import Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from http_layer.auth import SignedIn
from http_layer.errors import status_of
from presentation.text import fold
from presentation.times import date_text
from presentation.words import UNIT_KIND_NAMES
from scoring.core.units import KINDS, LEVELS, Registry, Unit
from scoring.registry.store import load_registry_from_db
from scoring.services import plan_store
from scoring.services import units_admin as unit_service
from storage.errors import ServiceError
from web.admin.common import AdminController, AnyRequest, FormBody, admin_page, parse_day, see_other
from web.collation import person_name_key, vietnamese_key

# the unit form's fields, in order, with their Vietnamese names
FIELDS = {"ma": "Mã đơn vị", "ten": "Tên đơn vị", "loai": "Loại đơn vị",
          "cap_tren": "Mã đơn vị cấp trên", "cum": "Khối/cụm thi đua",
          "nhan": "Nhãn", "tu_ngay": "Có hiệu lực từ ngày"}
# a service's field → the form's field
SERVICE_FIELDS = {"code": "ma", "name": "ten", "kind": "loai", "parent": "cap_tren",
                  "cluster": "cum", "tags": "nhan", "valid_from": "tu_ngay"}


async def level_names(province_name: str) -> dict[str, str]:
    """Each level's name as the stored plans write it (the newest plan's word wins); the province,
    which organises and never competes, by its own name."""
    names = {"province": province_name}
    for version in reversed(await plan_store.list_plan_versions()):
        plan = await plan_store.load_plan_version(int(version["id"]))
        for level in plan.levels:
            names.setdefault(level.id, level.name)
    return names


def _sorted_units(units: list[Unit], level: str) -> list[Unit]:
    if level == "individual":
        return sorted(units, key=lambda u: person_name_key(u.name))
    return sorted(units, key=lambda u: vietnamese_key(u.name))


def _matches(unit: Unit, wanted: str) -> bool:
    return not wanted or wanted in fold(unit.name) or wanted in fold(unit.code)


def _section(registry: Registry, level: str, name: str, wanted: str) -> dict[str, Any]:
    grouped: dict[str | None, list[Unit]] = defaultdict(list)
    for unit in registry.of_level(level):
        if _matches(unit, wanted):
            grouped[unit.cluster].append(unit)
    clusters: list[dict[str, Any]] = [
        {"name": registry.cluster(code).name, "code": code, "units": _sorted_units(members, level)}
        for code, members in grouped.items() if code is not None]
    clusters.sort(key=lambda c: vietnamese_key(c["name"]))
    if grouped.get(None):
        clusters.append({"name": "Không thuộc khối/cụm thi đua", "code": None,
                         "units": _sorted_units(grouped[None], level)})
    return {"id": level, "name": name, "clusters": clusters,
            "count": sum(len(c["units"]) for c in clusters)}


def split_codes(text: str) -> list[str]:
    """Codes typed one per line or separated by commas or semicolons."""
    return [part.strip() for part in text.replace(";", ",").replace("\n", ",").split(",")
            if part.strip()]


def _typed(data: dict[str, str]) -> dict[str, str]:
    return {name: data.get(name, "").strip() for name in FIELDS}


def _unit_typed(unit: Unit) -> dict[str, str]:
    return {"ma": unit.code, "ten": unit.name, "loai": unit.kind, "cap_tren": unit.parent or "",
            "cum": unit.cluster or "", "nhan": ", ".join(unit.tags),
            "tu_ngay": date_text(unit.valid_from)}


def _refusal(exc: ServiceError) -> dict[str, str]:
    details = exc.details if isinstance(exc.details, dict) else {}
    name = SERVICE_FIELDS.get(str(details.get("field", "")))
    return {name: exc.message} if name else {}


async def _form_context(registry: Registry) -> dict[str, Any]:
    names = await level_names(registry.province_name)
    clusters = sorted(registry.clusters, key=lambda c: (LEVELS.index(c.level), vietnamese_key(c.name)))
    return {"kinds": [(k, UNIT_KIND_NAMES[k]) for k in KINDS], "clusters": clusters,
            "level_names": names, "fields": FIELDS}


async def _new_form(request: AnyRequest, status: int = 200, **context: Any) -> Template:
    registry = await load_registry_from_db()
    values: dict[str, Any] = {"typed": {}, "errors": {}, "message": None}
    values.update(context)
    return admin_page("unit_new.html", request, status, **await _form_context(registry), **values)


async def _unit_page(request: AnyRequest, code: str, status: int = 200, **context: Any) -> Template:
    registry = await load_registry_from_db()
    if not registry.has(code):
        raise ServiceError("not_found", f"Không có đơn vị mã «{code}».")
    unit = registry.unit(code)
    values: dict[str, Any] = {"typed": _unit_typed(unit), "errors": {}, "message": None,
                              "close": {}, "merge": {}, "done": None}
    values.update(context)
    names = {u.code: u.name for u in registry.units}
    return admin_page("unit.html", request, status, unit=unit, names=names,
                      kind_name=UNIT_KIND_NAMES.get(unit.kind, unit.kind),
                      **await _form_context(registry), **values)


def _day(text: str, label: str, errors: dict[str, str], name: str) -> date | None:
    if not text:
        errors[name] = f"{label}: hãy nhập ngày (ví dụ 30/06/2025)."
        return None
    try:
        return parse_day(text)
    except ValueError as exc:
        errors[name] = f"{label}: {exc}."
        return None


class UnitPages(AdminController):
    @get("/quan-tri/don-vi")
    async def units(self, request: AnyRequest, cap: FromQuery[str | None] = None,
                    q: FromQuery[str | None] = None) -> Template:
        registry = await load_registry_from_db()
        names = await level_names(registry.province_name)
        wanted = fold(q or "")
        sections = [_section(registry, level, names.get(level, level), wanted)
                    for level in LEVELS if not cap or level == cap]
        parents = {u.code: u.name for u in registry.units}
        levels = [(lvl, names.get(lvl, lvl)) for lvl in LEVELS]
        return admin_page("units.html", request, sections=sections, parents=parents, levels=levels,
                          chosen=cap, query=q or "", province=registry.province_name,
                          found=sum(s["count"] for s in sections))

    @get("/quan-tri/don-vi/moi")
    async def new_unit(self, request: AnyRequest) -> Template:
        return await _new_form(request)

    @post("/quan-tri/don-vi/moi", status_code=200)
    async def create_unit(self, request: AnyRequest, user: SignedIn,
                          data: FormBody) -> Response[Any]:
        typed = _typed(data)
        errors: dict[str, str] = {}
        valid_from = _day(typed["tu_ngay"], FIELDS["tu_ngay"], errors, "tu_ngay")
        if valid_from is None:
            return await _new_form(request, 400, typed=typed, errors=errors,
                                   message="Chưa thêm được đơn vị: hãy sửa các ô được đánh dấu.")
        try:
            unit = await unit_service.create_unit(
                user.username, code=typed["ma"], name=typed["ten"], kind=typed["loai"],
                parent=typed["cap_tren"], cluster=typed["cum"], valid_from=valid_from,
                tags=typed["nhan"].split(","))
        except ServiceError as exc:
            return await _new_form(request, status_of(exc), typed=typed, errors=_refusal(exc),
                                   message=exc.message)
        return see_other(f"/quan-tri/don-vi/{unit.code}?xong=moi")

    @get("/quan-tri/don-vi/{code:str}")
    async def unit(self, request: AnyRequest, code: FromPath[str],
                   xong: FromQuery[str | None] = None) -> Template:
        return await _unit_page(request, code, done=xong)

    @post("/quan-tri/don-vi/{code:str}", status_code=200)
    async def edit_unit(self, request: AnyRequest, user: SignedIn, code: FromPath[str],
                        data: FormBody) -> Response[Any]:
        typed = {**_typed(data), "ma": code}
        try:
            await unit_service.edit_unit(
                user.username, code, name=typed["ten"], kind=typed["loai"],
                parent=typed["cap_tren"], cluster=typed["cum"], tags=typed["nhan"].split(","))
        except ServiceError as exc:
            return await _unit_page(request, code, status_of(exc), typed=typed,
                                    errors=_refusal(exc), message=exc.message)
        return see_other(f"/quan-tri/don-vi/{code}?xong=sua")

    @post("/quan-tri/don-vi/{code:str}/dong", status_code=200)
    async def close_unit(self, request: AnyRequest, user: SignedIn, code: FromPath[str],
                         data: FormBody) -> Response[Any]:
        typed = {"den_ngay": data.get("den_ngay", "").strip()}
        errors: dict[str, str] = {}
        last_day = _day(typed["den_ngay"], "Ngày cuối cùng có hiệu lực", errors, "den_ngay")
        try:
            if last_day is None:
                return await _unit_page(request, code, 400, close=typed, errors=errors)
            await unit_service.close_unit(user.username, code, last_day)
        except ServiceError as exc:
            return await _unit_page(request, code, status_of(exc), close=typed,
                                    errors={"den_ngay": exc.message})
        return see_other(f"/quan-tri/don-vi/{code}?xong=dong")

    @post("/quan-tri/don-vi/{code:str}/sap-nhap", status_code=200)
    async def merge_unit(self, request: AnyRequest, user: SignedIn, code: FromPath[str],
                         data: FormBody) -> Response[Any]:
        typed = {name: data.get(name, "").strip() for name in ("vao", "ngay_cuoi", "cung")}
        errors: dict[str, str] = {}
        last_day = _day(typed["ngay_cuoi"], "Ngày cuối cùng có hiệu lực", errors, "ngay_cuoi")
        if not typed["vao"]:
            errors["vao"] = "Đơn vị nhận: hãy nhập mã đơn vị được sáp nhập vào."
        if errors or last_day is None:
            return await _unit_page(request, code, 400, merge=typed, errors=errors)
        try:
            await unit_service.merge_units(user.username, [code, *split_codes(typed["cung"])],
                                           typed["vao"], last_day)
        except ServiceError as exc:
            return await _unit_page(request, code, status_of(exc), merge=typed,
                                    errors={"vao": exc.message})
        return see_other(f"/quan-tri/don-vi/{code}?xong=sap-nhap")
