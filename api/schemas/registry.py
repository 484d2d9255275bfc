"""Plans and their versions, units and clusters, periods: request and response bodies."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import msgspec

from api.schemas.docs import doc
from http_layer.access import IdField

# --- requests ------------------------------------------------------------------------------------


class PlanUpload(msgspec.Struct):
    toml: str


class PeriodCreate(msgspec.Struct):
    plan_version_id: IdField
    year: int
    entry_opens: datetime
    entry_closes: datetime
    submission_deadline: datetime | None = None


class LockChange(msgspec.Struct):
    reason: str = ""


class LevelLockChange(msgspec.Struct):
    reason: str


# --- responses -----------------------------------------------------------------------------------


class PlanVersion(msgspec.Struct):
    """A stored plan version, without its text."""

    id: int
    plan_id: str
    version: str
    title: str
    sha256: str
    created_at: datetime
    created_by: str | None


class PlanVersionWithPlan(PlanVersion):
    plan: Annotated[dict[str, Any], doc(
        "Kế hoạch ở dạng JSON chuẩn hóa (info, levels, indicators, criteria, bands, bonuses, deductions…), "
        "đúng nội dung được băm thành sha256; cùng cấu trúc với tệp kế hoạch")]


class PlanSaved(msgspec.Struct):
    """The version a plan upload became; ``created`` is false when the same plan was already stored."""

    id: int
    plan_id: str
    version: str
    sha256: str
    created: bool


class Unit(msgspec.Struct):
    """A unit of the registry, with its validity and the units that succeeded it."""

    code: str
    name: str
    kind: str
    level: str
    parent: str | None
    cluster: str | None
    valid_from: date
    valid_to: date | None
    successors: list[str]


class Cluster(msgspec.Struct):
    """A cluster (khối/cụm thi đua) of the registry, with its standing leader and deputy."""

    code: str
    name: str
    level: str
    leader: Annotated[str | None, doc("Mã đơn vị cụm trưởng")] = None
    deputy: Annotated[str | None, doc("Mã đơn vị cụm phó")] = None


class PeriodCluster(Cluster):
    """A cluster's composition in one period: the units ranked together that year."""

    members: Annotated[list[str], doc("Mã các đơn vị thành viên trong kỳ")] = []


class Period(msgspec.Struct):
    """An assessment period: its plan version, entry window and lock."""

    id: int
    key: str
    year: int
    plan_version: int
    plan_sha256: str
    plan_id: str
    plan_title: str
    entry_opens: datetime
    entry_closes: datetime
    locked: bool
    entry_open: bool
    submission_deadline: datetime | None
    locked_levels: list[str]
