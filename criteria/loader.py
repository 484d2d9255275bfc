"""Load and validate a plan file into an immutable :class:`criteria.model.Plan`."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from criteria.crosscheck import check_references
from criteria.fields import Fields, PlanIssue
from criteria.model import (
    BONUS_METHODS,
    CRITERION_METHODS,
    DEDUCTION_METHODS,
    DIRECTIONS,
    INDICATOR_KINDS,
    MISSING_POLICIES,
    Band,
    Bonus,
    Criterion,
    Deduction,
    Group,
    Indicator,
    Level,
    Plan,
    PlanInfo,
)

ID = r"[a-z0-9][a-z0-9.\-]*"
INDICATOR_ID = r"[a-z0-9][a-z0-9_]*"
TOP_LEVEL = ("plan", "levels", "indicators", "groups", "criteria", "bonuses", "deductions",
             "bands", "ranking")


class PlanError(Exception):
    """A plan file that cannot be used; ``issues`` lists every problem found."""

    def __init__(self, source: str, issues: list[PlanIssue]) -> None:
        self.source = source
        self.issues = tuple(issues)
        lines = "\n".join(f"  - {issue}" for issue in self.issues)
        super().__init__(f"Kế hoạch {source} có {len(self.issues)} lỗi:\n{lines}")


def load_plan(path: str | Path) -> Plan:
    """Read, validate and freeze a plan file (TOML, or the plan workbook: XLSX); raises
    :class:`PlanError` listing all errors."""
    path = Path(path)
    try:
        with path.open("rb") as head:
            is_workbook = head.read(4) == b"PK\x03\x04"
    except OSError:
        is_workbook = False
    if is_workbook:
        from criteria.workbook_read import read_plan_workbook  # it builds on this module

        return read_plan_workbook(path.read_bytes(), source=str(path))
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PlanError(str(path), [PlanIssue("(tệp)", "không tìm thấy tệp")]) from None
    except UnicodeDecodeError:
        raise PlanError(str(path), [PlanIssue("(tệp)", "tệp phải được lưu bằng UTF-8")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise PlanError(str(path), [PlanIssue("(cú pháp TOML)", str(exc))]) from None
    return plan_from_dict(raw, source=str(path))


def plan_from_dict(raw: Mapping[str, Any], source: str = "<dict>") -> Plan:
    issues: list[PlanIssue] = []
    for key in raw:
        if key not in TOP_LEVEL:
            issues.append(PlanIssue(key, "bảng không được hỗ trợ (xem docs/plan-format.md)"))
    info = _read_info(_table(raw, "plan", issues), issues)
    levels = tuple(_read_rows(raw, "levels", issues, _read_level))
    indicators = tuple(_read_rows(raw, "indicators", issues, _read_indicator))
    groups = tuple(_read_rows(raw, "groups", issues, _read_group))
    criteria = tuple(_read_rows(raw, "criteria", issues, _read_criterion))
    bonuses = tuple(_read_rows(raw, "bonuses", issues, _read_bonus, required=False))
    deductions = tuple(_read_rows(raw, "deductions", issues, _read_deduction, required=False))
    bands = tuple(_read_rows(raw, "bands", issues, _read_band))
    ranking = Fields(_table(raw, "ranking", issues), "ranking", issues)
    order = ranking.text_list("order")
    ranking.unknown_keys()
    if not order:
        ranking.error("order", "cần ít nhất một khóa xếp hạng")
    indicators = _with_points_scales(indicators, criteria)
    plan = Plan(info, levels, indicators, groups, criteria, bonuses, deductions, bands, order,
                canonical_json="", sha256="")
    issues.extend(check_references(plan))
    if issues:
        raise PlanError(source, issues)
    canonical = canonical_json(plan)
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return dataclasses.replace(plan, canonical_json=canonical, sha256=digest)


def canonical_json(plan: Plan) -> str:
    """The plan's content as sorted, compact JSON: the input of its sha256."""
    body = {
        f.name: getattr(plan, f.name)
        for f in dataclasses.fields(plan)
        if f.name not in ("canonical_json", "sha256")
    }
    return json.dumps(_plain(body), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


# Fields added after plans were first stored: left out of the canonical form while empty, so
# every plan stored before them keeps its sha256.
LATER_FIELDS = frozenset({"scale"})


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)
                if not (f.name in LATER_FIELDS and not getattr(value, f.name))}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _table(raw: Mapping[str, Any], key: str, issues: list[PlanIssue]) -> Mapping[str, Any]:
    value = raw.get(key)
    if not isinstance(value, dict):
        issues.append(PlanIssue(key, "thiếu bảng bắt buộc" if value is None else "phải là một bảng"))
        return {}
    return value


def _read_rows(raw: Mapping[str, Any], key: str, issues: list[PlanIssue], reader: Any,
               required: bool = True) -> list[Any]:
    rows = raw.get(key)
    if rows is None:
        if required:
            issues.append(PlanIssue(key, "thiếu danh sách bắt buộc"))
        return []
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        issues.append(PlanIssue(key, f"phải là danh sách các bảng [[{key}]]"))
        return []
    if required and not rows:
        issues.append(PlanIssue(key, "cần ít nhất một mục"))
        return []
    out = []
    for i, row in enumerate(rows):
        fields = Fields(row, f"{key}[{i}]", issues)
        out.append(reader(fields))
        fields.unknown_keys()
    return out


def _read_info(table: Mapping[str, Any], issues: list[PlanIssue]) -> PlanInfo:
    f = Fields(table, "plan", issues)
    info = PlanInfo(
        id=f.text("id", pattern=ID), version=f.text("version"), title=f.text("title"),
        issuer=f.text("issuer"), source=f.text("source"),
        valid_from=f.day("valid_from"), valid_to=f.day("valid_to"),
    )
    if table and info.valid_to < info.valid_from:
        f.error("valid_to", "ngày kết thúc hiệu lực phải sau ngày bắt đầu")
    f.unknown_keys()
    return info


def _read_level(f: Fields) -> Level:
    max_points = f.number("max_points", positive=True) or 100.0
    return Level(
        id=f.text("id", pattern=ID), name=f.text("name"),
        subject=f.choice("subject", ("collective", "individual")),
        unit_kinds=f.text_list("unit_kinds") or _require(f, "unit_kinds"),
        max_points=max_points,
        bonus_cap=f.number("bonus_cap", default=0.0, minimum=0) or 0.0,
        deduction_cap=f.number("deduction_cap", default=max_points, minimum=0) or 0.0,
        ranking_scope=f.choice("ranking_scope", ("cluster", "level"), default="cluster"),
    )


def _require(f: Fields, key: str) -> tuple[str, ...]:
    if key in f.table and f.table[key] == []:
        f.error(key, "không được để trống")
    elif key not in f.table:
        f.error(key, "thiếu khóa bắt buộc")
    return ()


def _read_indicator(f: Fields) -> Indicator:
    return Indicator(
        id=f.text("id", pattern=INDICATOR_ID), level=f.text("level"), name=f.text("name"),
        kind=f.choice("kind", INDICATOR_KINDS), unit=f.text("unit"),
        min=f.number("min", required=False), max=f.number("max", required=False),
    )


def _read_group(f: Fields) -> Group:
    return Group(id=f.text("id", pattern=ID), level=f.text("level"), name=f.text("name"))


def _read_criterion(f: Fields) -> Criterion:
    method = f.choice("method", CRITERION_METHODS)
    needs_target = method in ("ratio_to_target", "threshold", "linear")
    return Criterion(
        id=f.text("id", pattern=ID), level=f.text("level"), group=f.text("group"),
        name=f.text("name"), indicator=f.text("indicator"),
        direction=f.choice("direction", DIRECTIONS, default="higher"), method=method,
        max_points=f.number("max_points", positive=True) or 0.0,
        mandatory=f.flag("mandatory"), applies_to=f.text_list("applies_to"),
        missing=f.choice("missing", MISSING_POLICIES, default="zero"), source=f.text("source"),
        target=f.number("target", required=needs_target),
        floor=f.number("floor", required=method == "linear"),
        points_each=f.number("points_each", required=method == "count_cap", positive=True),
        bands=_read_bands(f) if method == "bands" or "bands" in f.table else (),
        scale=_read_scale(f) if "scale" in f.table else (),
    )


def _read_scale(f: Fields) -> tuple[float, ...]:
    value = f.table.get("scale")
    f.seen.add("scale")
    if not isinstance(value, list) or not value or not all(
            isinstance(x, (int, float)) and not isinstance(x, bool) for x in value):
        f.error("scale", "phải là danh sách các mức điểm, ví dụ [0, 3, 5]")
        return ()
    return tuple(float(x) for x in value)


def _with_points_scales(indicators: tuple[Indicator, ...],
                        criteria: tuple[Criterion, ...]) -> tuple[Indicator, ...]:
    """A ``points`` criterion's indicator takes its bounds (0 to the criterion's maximum unless
    the indicator narrows them) and its scale, so every entry path checks them when reading."""
    scored = {c.indicator: c for c in criteria if c.method == "points"}
    out = []
    for ind in indicators:
        c = scored.get(ind.id)
        if c is not None and ind.kind == "points":
            ind = dataclasses.replace(
                ind, min=0.0 if ind.min is None else ind.min,
                max=c.max_points if ind.max is None else ind.max, scale=c.scale)
        out.append(ind)
    return tuple(out)


def _read_bands(f: Fields) -> tuple[tuple[float, float], ...]:
    value = f.table.get("bands")
    f.seen.add("bands")
    ok = isinstance(value, list) and value and all(
        isinstance(p, list) and len(p) == 2
        and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in p)
        for p in value
    )
    if not ok:
        f.error("bands", "phải là danh sách các cặp [ngưỡng, điểm], ví dụ [[50, 5], [80, 10]]")
        return ()
    assert isinstance(value, list)
    return tuple((float(t), float(p)) for t, p in value)


def _read_bonus(f: Fields) -> Bonus:
    method = f.choice("method", BONUS_METHODS)
    return Bonus(
        id=f.text("id", pattern=ID), level=f.text("level"), name=f.text("name"),
        indicator=f.text("indicator"), method=method,
        max_points=f.number("max_points", positive=True) or 0.0, source=f.text("source"),
        points_each=f.number("points_each", required=method == "count_cap", positive=True),
    )


def _read_deduction(f: Fields) -> Deduction:
    deadline = f.text("deadline", required=False, pattern=r"(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])",
                      hint="phải có dạng MM-DD, ví dụ \"12-16\"")
    return Deduction(
        id=f.text("id", pattern=ID), level=f.text("level"), name=f.text("name"),
        indicator=f.text("indicator"), method=f.choice("method", DEDUCTION_METHODS),
        points_each=f.number("points_each", positive=True) or 0.0,
        max_points=f.number("max_points", positive=True) or 0.0, source=f.text("source"),
        grace_days=f.number("grace_days", default=0.0, minimum=0) or 0.0,
        deadline=deadline or None,
    )


def _read_band(f: Fields) -> Band:
    return Band(
        id=f.text("id", pattern=ID), level=f.text("level"), name=f.text("name"),
        min_percent=f.number("min_percent", minimum=0) or 0.0,
        criterion_floor=f.number("criterion_floor", default=0.0, minimum=0) or 0.0,
        requires_mandatory=f.flag("requires_mandatory"),
    )
