"""Stored plan versions: upload a plan file once, read it back by id.

A version is identified by the sha256 of its canonical form, so uploading the same plan
twice (even with different comments or key order) returns the stored version; a changed
plan becomes a new version and never overwrites an old one, because runs and periods
refer to the exact plan they were made with.
"""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from functools import cache
from typing import Any

from criteria.loader import PlanError, plan_from_dict
from criteria.model import Plan
from criteria.shipped import SHIPPED
from criteria.tables import PlanVersion
from criteria.writer import plan_to_toml
from storage.audit import record
from storage.db import write_transaction
from storage.errors import ServiceError
from storage.reads import once_per_read

UPLOAD_SOURCE = "(tệp tải lên)"
_plans: dict[str, Plan] = {}  # sha256 → parsed plan; a version's content never changes


def plan_problems(err: PlanError) -> ServiceError:
    """A plan's mistakes as the ``plan_invalid`` error: each with its path, and for a workbook
    its sheet, row and column."""
    details = []
    for issue in err.issues:
        item: dict[str, Any] = {"path": issue.path, "message": issue.message}
        for key in ("sheet", "row", "column"):
            if getattr(issue, key, None) is not None:
                item[key] = getattr(issue, key)
        details.append(item)
    return ServiceError(
        "plan_invalid",
        f"Kế hoạch có {len(err.issues)} lỗi; chưa lưu phiên bản nào. "
        "Hãy sửa tất cả các lỗi dưới đây rồi tải lên lại.", details=details)


def parse_plan_workbook(data: bytes) -> Plan:
    """Read and validate a plan workbook (XLSX); ``plan_invalid`` lists every mistake."""
    from criteria.workbook_read import read_plan_workbook

    try:
        return read_plan_workbook(data, source=UPLOAD_SOURCE)
    except PlanError as err:
        raise plan_problems(err) from None


def parse_plan_source(source_toml: str) -> Plan:
    """Parse and validate a plan file's text; ``plan_invalid`` lists every issue."""
    try:
        raw = tomllib.loads(source_toml)
    except tomllib.TOMLDecodeError as exc:
        raise ServiceError(
            "plan_invalid",
            "Tệp kế hoạch không đúng cú pháp TOML; hãy sửa dòng được chỉ ra rồi tải lên lại.",
            details=[{"path": "(cú pháp TOML)", "message": str(exc)}],
        ) from None
    try:
        return plan_from_dict(raw, source=UPLOAD_SOURCE)
    except PlanError as err:
        raise plan_problems(err) from None


async def save_plan_version(source_toml: str, actor: str) -> tuple[int, Plan, bool]:
    """Store a plan file; returns (version id, plan, created). Same content → same id."""
    return await save_plan(parse_plan_source(source_toml), actor, source_toml)


async def save_plan(plan: Plan, actor: str, source_toml: str | None = None) -> tuple[int, Plan, bool]:
    """Store a validated plan (from a workbook or the editor: its file text is written from it);
    returns (version id, plan, created). Same content → the stored version's id."""
    source_toml = source_toml if source_toml is not None else plan_to_toml(plan)
    async with write_transaction():
        existing = await PlanVersion.select(PlanVersion.id).where(
            PlanVersion.sha256 == plan.sha256).first()
        if existing is not None:
            return int(existing["id"]), plan, False
        rows = await PlanVersion.insert(PlanVersion(
            plan_id=plan.info.id, version=plan.info.version, title=plan.info.title,
            sha256=plan.sha256, canonical_json=plan.canonical_json, source_toml=source_toml,
            created_at=datetime.now(UTC), created_by=actor,
        ))
        version_id = int(rows[0]["id"])
        await record(actor, "plan.upload", "plan_version", version_id, after={
            "plan_id": plan.info.id, "version": plan.info.version, "title": plan.info.title,
            "sha256": plan.sha256,
        })
    _plans[plan.sha256] = plan
    return version_id, plan, True


@cache
def shipped_plans() -> tuple[dict[str, str], ...]:
    """The shipped plans (key, title, version, sha256) a Department may start from; the files do
    not change while the server runs."""
    out = []
    for key, path in SHIPPED.items():
        plan = parse_plan_source(path.read_text(encoding="utf-8"))
        out.append({"key": key, "title": plan.info.title, "version": plan.info.version,
                    "sha256": plan.sha256})
    return tuple(out)


async def store_shipped_plan(key: str, actor: str) -> int:
    """Store a shipped plan as a version (the stored one if it is already there); its id."""
    path = SHIPPED.get(key)
    if path is None:
        raise ServiceError("invalid_input", f"Không có kế hoạch mẫu «{key}».",
                           details={"field": "plan_version"})
    version_id, _, _ = await save_plan_version(path.read_text(encoding="utf-8"), actor)
    return version_id


@once_per_read
async def load_plan_version(version_id: int) -> Plan:
    """The plan of a stored version (parsed once per content, then cached)."""
    row = await PlanVersion.select(PlanVersion.sha256).where(PlanVersion.id == version_id).first()
    if row is None:
        raise ServiceError("not_found", f"Không có phiên bản kế hoạch số {version_id}.")
    return _plans.get(row["sha256"]) or await _parse_stored(version_id, row["sha256"])


async def _parse_stored(version_id: int, sha: str) -> Plan:
    """Read a version's source (tens of kB: only when this worker has not parsed it) and parse it."""
    row = await PlanVersion.select(PlanVersion.source_toml).where(PlanVersion.id == version_id).first()
    if row is None:
        raise ServiceError("not_found", f"Không có phiên bản kế hoạch số {version_id}.")
    plan = parse_plan_source(row["source_toml"])
    if plan.sha256 != sha:
        raise ServiceError(
            "conflict",
            f"Phiên bản kế hoạch số {version_id} đọc lại không còn khớp mã băm đã lưu "
            "(trình đọc kế hoạch đã thay đổi cách chuẩn hóa); hãy báo quản trị hệ thống.",
            details={"stored_sha256": sha, "parsed_sha256": plan.sha256},
        )
    _plans[sha] = plan
    return plan


async def list_plan_versions() -> list[dict[str, Any]]:
    """Every stored version, oldest first, without the file text."""
    rows = await PlanVersion.select(
        PlanVersion.id, PlanVersion.plan_id, PlanVersion.version, PlanVersion.title,
        PlanVersion.sha256, PlanVersion.created_at, PlanVersion.created_by,
    ).order_by(PlanVersion.id)
    return [dict(row) for row in rows]


async def version_usage() -> dict[int, dict[str, int]]:
    """Per stored version: how many periods and scoring runs use it (a used version is only
    ever copied, never changed — no version is ever changed, it is content-addressed)."""
    from scoring.tables import Period, ScoreRun

    usage: dict[int, dict[str, int]] = {}
    for table, key in ((Period, "periods"), (ScoreRun, "runs")):
        for row in await table.select(table.plan_version).run():
            entry = usage.setdefault(int(row["plan_version"]), {"periods": 0, "runs": 0})
            entry[key] += 1
    return usage


async def version_to_compare(plan: Plan) -> int | None:
    """The stored version a new plan is best compared with: the newest of the same plan id,
    else the newest of all; ``None`` when nothing is stored."""
    versions = await list_plan_versions()
    same = [v for v in versions if v["plan_id"] == plan.info.id and v["sha256"] != plan.sha256]
    pool = same or [v for v in versions if v["sha256"] != plan.sha256]
    return int(pool[-1]["id"]) if pool else None
