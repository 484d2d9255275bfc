"""The OpenAPI document describes real shapes: every JSON answer a schema with named fields,
every error answer the one error shape; and the public reads the public shapes only.
"""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from litestar.routes import HTTPRoute
from litestar.testing import TestClient
from loaded_province import LEVEL, UNIT_A, World

from api.schemas.errors import ErrorBody
from api.schemas.runs import Run, RunPublic, RunResult, RunResultPublic
from server.app import create_app

V1 = "/api/v1"
ERROR_REF = "#/components/schemas/ErrorBody"
UNSAFE = {"post", "put", "patch", "delete"}
CSRF_EXEMPT = {("post", V1 + "/auth/login")}  # answers before any session exists


def openapi() -> dict[str, Any]:
    return create_app().openapi_schema.to_schema()


DOC = openapi()
OPERATIONS = [(path, method, op) for path, item in DOC["paths"].items() if path.startswith("/api/")
              for method, op in item.items() if method in {"get", "post", "put", "patch", "delete"}]
IDS = [f"{method.upper()} {path}" for path, method, _ in OPERATIONS]


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = DOC["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def unnamed(schema: dict[str, Any], where: str) -> list[str]:
    """Where a schema (through refs, unions and arrays) ends in an object without named fields."""
    schema = resolve(schema)
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return [bad for i, alt in enumerate(schema[key]) for bad in unnamed(alt, f"{where}|{key}[{i}]")]
    if schema.get("type") == "array":
        return unnamed(schema.get("items", {}), f"{where}[]")
    if not schema.get("properties"):
        return [f"{where}: {schema}"]
    return []


@pytest.mark.parametrize(("path", "method", "op"), OPERATIONS, ids=IDS)
def test_every_json_answer_has_a_schema_with_named_fields(path: str, method: str, op: dict[str, Any]) -> None:
    success = {code: r for code, r in op["responses"].items() if code.startswith("2")}
    assert success, f"{method.upper()} {path}: không khai báo câu trả lời thành công"
    for code, response in success.items():
        content = response.get("content") or {}
        if "application/json" not in content:  # 204, PDF and ZIP downloads
            assert code == "204" or content, f"{method.upper()} {path} {code}: không mô tả nội dung"
            continue
        bad = unnamed(content["application/json"]["schema"], "$")
        assert not bad, f"{method.upper()} {path} {code}: câu trả lời không có trường được đặt tên: {bad}"


@pytest.mark.parametrize(("path", "method", "op"), OPERATIONS, ids=IDS)
def test_every_error_answer_is_the_one_error_shape(path: str, method: str, op: dict[str, Any]) -> None:
    where = f"{method.upper()} {path}"
    errors = {code: r for code, r in op["responses"].items() if code[0] in "45"}
    for code, response in errors.items():
        schema = response["content"]["application/json"]["schema"]
        assert schema == {"$ref": ERROR_REF}, f"{where} {code}: không theo dạng lỗi chung: {schema}"
        assert response["description"], f"{where} {code}: thiếu mô tả"
    assert "401" in errors, f"{where}: mọi địa chỉ API trả 401 khi mã truy cập sai"
    if method in UNSAFE and (method, path) not in CSRF_EXEMPT:
        assert "403" in errors, f"{where}: ghi bằng cookie phiên thiếu X-CSRF-Token thì trả 403"
    if op.get("parameters") or op.get("requestBody"):  # Litestar validates them: 400 when wrong
        assert "400" in errors, f"{where}: có tham số hoặc dữ liệu gửi lên nhưng không khai báo 400"


def test_the_error_shape_is_documented_once() -> None:
    schemas = DOC["components"]["schemas"]
    assert schemas["ErrorBody"]["required"] == ["error"]
    info = resolve(schemas["ErrorBody"]["properties"]["error"])
    assert set(info["properties"]) == {"code", "message", "details"}
    assert sorted(info["required"]) == ["code", "message"]


def _refusals(handler: Any) -> set[str]:
    """The statuses a handler's guards answer with: 401 (nobody signed in), 403 (a role refused)."""
    names = [getattr(guard, "__name__", "") for guard in handler.resolve_guards()]
    roles = any(name.startswith("requires_roles") for name in names)
    return ({"401"} if names else set()) | ({"403"} if roles else set())


def test_guarded_routes_document_who_is_refused() -> None:
    """A route behind a login guard documents 401; behind a role guard, also 403."""
    missing = []
    for route in create_app().routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith("/api/"):
            continue
        for handler in route.route_handlers:
            if handler.http_methods <= {"OPTIONS", "HEAD"}:  # Litestar's own, not documented
                continue
            lacking = _refusals(handler) - {str(code) for code in (handler.responses or {})}
            if lacking:
                missing.append(f"{sorted(handler.http_methods)} {route.path}: {sorted(lacking)}")
    assert not missing, f"thiếu câu trả lời lỗi trong OpenAPI: {missing}"


# --- real answers -------------------------------------------------------------------------------


def fields(response: Any) -> set[str]:
    assert response.status_code == 200, response.text
    return set(response.json())


def row_fields(response: Any) -> set[frozenset[str]]:
    assert response.status_code == 200 and response.json(), response.text
    return {frozenset(row) for row in response.json()}


PUBLIC_RUN, STAFF_RUN = frozenset(RunPublic.__struct_fields__), frozenset(Run.__struct_fields__)
PUBLIC_ROW, STAFF_ROW = frozenset(RunResultPublic.__struct_fields__), frozenset(RunResult.__struct_fields__)


def test_the_public_reads_public_shapes_and_staff_the_staff_ones(client: TestClient[Any],
                                                                  world: World) -> None:
    run, results = f"{V1}/runs/{world.published_run}", f"{V1}/runs/{world.published_run}/results"
    ranking = {"period_id": world.published_period, "level": LEVEL}
    staff_only = STAFF_RUN - PUBLIC_RUN
    assert staff_only == {"started_by", "published_by"}, "cán bộ thấy thêm tên tài khoản, không gì khác"
    for role in ("anonymous", "unit_own", "council"):
        asked = world.headers(role)
        assert fields(client.get(run, headers=asked)) == PUBLIC_RUN, f"{role}: lượt chấm công khai"
        assert row_fields(client.get(results, headers=asked)) == {PUBLIC_ROW}, f"{role}: chỉ tổng, hạng"
        assert row_fields(client.get(f"{V1}/runs", headers=asked)) == {PUBLIC_RUN}, f"{role}: danh sách"
        ranked = client.get(f"{V1}/rankings", params=ranking, headers=asked)
        assert fields(ranked) == {"run", "results"}
        assert set(ranked.json()["run"]) == PUBLIC_RUN
        assert {frozenset(row) for row in ranked.json()["results"]} == {PUBLIC_ROW}
        assert "started_by" not in ranked.text and "base_total" not in ranked.text
    admin = world.headers("admin")
    assert fields(client.get(run, headers=admin)) == STAFF_RUN
    assert row_fields(client.get(results, headers=admin)) == {STAFF_ROW}
    assert row_fields(client.get(f"{V1}/runs", headers=admin)) == {STAFF_RUN}


def test_real_error_answers_decode_as_the_documented_shape(client: TestClient[Any], world: World) -> None:
    locked_value = f"{V1}/periods/{world.published_period}/values/{UNIT_A}/{world.indicator}"
    bad_run = {"period_id": "một", "level": LEVEL}
    answers = {
        400: client.post(f"{V1}/runs", json=bad_run, headers=world.headers("admin")),
        401: client.get(f"{V1}/runs/{world.run}"),
        403: client.get(f"{V1}/runs/{world.run}/units/{UNIT_A}", headers=world.headers("unit_other")),
        404: client.get(f"{V1}/runs/{2**31 - 1}", headers=world.headers("admin")),
        409: client.put(locked_value, json={"value": 1}, headers=world.headers("unit_own")),
    }
    for status, response in answers.items():
        assert response.status_code == status, response.text
        body = msgspec.json.decode(response.content, type=ErrorBody)
        assert body.error.code and body.error.message, response.text
    assert msgspec.json.decode(answers[400].content, type=ErrorBody).error.details, "lỗi 400 nêu trường sai"
