"""The plan editor's form: the plan's tables as rows of text fields (the workbook's columns),
read back into the plan's tables with the workbook's cell readers, checked by the same loader,
and every problem put beside its field (``<table>-<row>-<key>``, ``plan-<key>``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from criteria.loader import PlanError, plan_from_dict
from criteria.model import Plan
from criteria.workbook_layout import (
    BAND_COLUMNS,
    BONUS_COLUMNS,
    CRITERION_COLUMNS,
    DEDUCTION_COLUMNS,
    GROUP_COLUMNS,
    INDICATOR_COLUMNS,
    INFO_ROWS,
    LEVEL_COLUMNS,
    Column,
)
from criteria.workbook_read import read_cell
from criteria.workbook_write import cell_value
from presentation.numbers import exact_number_text

MAX_ROWS = 2_000  # rows a table of the form may have
TABLES: tuple[tuple[str, str, tuple[Column, ...]], ...] = (
    ("levels", "Cấp thi đua", LEVEL_COLUMNS),
    ("indicators", "Chỉ số", INDICATOR_COLUMNS),
    ("groups", "Nhóm tiêu chí", GROUP_COLUMNS),
    ("criteria", "Tiêu chí", (Column("level", "Mã cấp", width=10), Column("group", "Mã nhóm", width=16),
                              *(c for c in CRITERION_COLUMNS if c.key))),
    ("bonuses", "Điểm thưởng", BONUS_COLUMNS),
    ("deductions", "Điểm trừ", DEDUCTION_COLUMNS),
    ("bands", "Xếp loại", BAND_COLUMNS),
)
_FIELD = re.compile(r"^([a-z]+)-(\d{1,4})-([a-z_]+)$")
_PATH = re.compile(r"^(\w+)(?:\[(\d+)\])?(?:\.(\w+))?")


def text_of(column: Column, value: Any) -> str:
    """A plan value as the editor shows it: the workbook's words, decimal commas, dd/mm/yyyy."""
    shown = cell_value(column, value)
    if shown is None:
        return ""
    if isinstance(shown, bool):
        return "Có" if shown else "Không"
    if isinstance(shown, int | float):
        if column.kind == "fraction":
            return exact_number_text(shown * 100) + "%"
        return exact_number_text(float(shown))
    if isinstance(shown, date):
        return shown.strftime("%d/%m/%Y")
    return str(shown)


def form_of(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The editor's rows (text per key) of a plan's tables."""
    info = {**raw["plan"], "order": raw["ranking"]["order"]}
    return {"plan": {c.key: text_of(c, info.get(c.key)) for c in INFO_ROWS},
            **{table: [{c.key: text_of(c, row.get(c.key)) for c in columns} for row in raw[table]]
               for table, _, columns in TABLES}}


def _order(form: Mapping[str, str], table: str, index: int) -> float:
    try:
        return float(form.get(f"{table}-{index}-thu_tu", "").replace(",", ".") or index + 1)
    except ValueError:
        return float(index + 1)


def read_form(form: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    """(the plan's tables, the rows as typed in their new order, cell problems by field).

    A row whose «Xóa» box is ticked, or left blank, is dropped; rows are put in the order of
    their «Thứ tự» numbers; ``them=<table>`` adds a blank row to that table.
    """
    rows_of: dict[str, set[int]] = {table: set() for table, _, _ in TABLES}
    for name in form:
        match = _FIELD.match(name)
        if match and match[1] in rows_of and len(rows_of[match[1]]) < MAX_ROWS:
            rows_of[match[1]].add(int(match[2]))
    typed: dict[str, Any] = {"plan": {c.key: form.get(f"plan-{c.key}", "").strip() for c in INFO_ROWS}}
    raw: dict[str, Any] = {}
    problems: dict[str, str] = {}
    info: dict[str, Any] = {}
    for column in INFO_ROWS:
        info[column.key] = _cell(column, typed["plan"][column.key], f"plan-{column.key}", problems)
    raw["plan"] = {k: v for k, v in info.items() if k != "order" and v is not None}
    raw["ranking"] = {"order": info.get("order") or []}
    for table, _, columns in TABLES:
        kept = []
        for index in sorted(rows_of[table], key=lambda i: (_order(form, table, i), i)):
            texts = {c.key: form.get(f"{table}-{index}-{c.key}", "").strip() for c in columns}
            if form.get(f"{table}-{index}-xoa") == "co" or not any(texts.values()):
                continue
            kept.append(texts)
        if form.get("them") == table:
            kept.append({c.key: "" for c in columns})
        typed[table] = kept
        raw[table] = []
        for n, texts in enumerate(kept):
            row = {c.key: _cell(c, texts[c.key], f"{table}-{n}-{c.key}", problems) for c in columns}
            if any(texts.values()):
                raw[table].append({k: v for k, v in row.items() if v is not None and v != []})
    return raw, typed, problems


def _cell(column: Column, text: str, field: str, problems: dict[str, str]) -> Any:
    try:
        value = read_cell(column, text)
    except ValueError as exc:
        problems[field] = str(exc)
        return None
    return value


def check(raw: dict[str, Any], problems: dict[str, str]) -> tuple[Plan | None, dict[str, str]]:
    """The plan, or the loader's problems added to the cell problems, each at its field."""
    try:
        plan = plan_from_dict(raw, source="(trình soạn kế hoạch)")
    except PlanError as err:
        found = dict(problems)
        for issue in err.issues:
            field = field_of(issue.path)
            if field not in problems:
                found[field] = f"{found[field]}; {issue.message}" if field in found else issue.message
        return None, found
    return (plan, {}) if not problems else (None, problems)


def field_of(path: str) -> str:
    """The form field a loader key path names: ``criteria[3].target`` → ``criteria-3-target``."""
    match = _PATH.match(path)
    if not match:
        return "plan"
    table, index, key = match[1], match[2], match[3]
    if table in ("plan", "ranking"):
        return "plan-order" if table == "ranking" else f"plan-{key or 'id'}"
    if index is None:
        return table
    return f"{table}-{index}-{key}" if key else f"{table}-{index}"


def level_totals(raw: Mapping[str, Any]) -> dict[str, str]:
    """Per level: the criteria's maximum points against the level's scale, e.g. "95 / 100"."""
    out = {}
    for level in raw.get("levels", []):
        total = sum(float(c.get("max_points") or 0) for c in raw.get("criteria", [])
                    if c.get("level") == level.get("id"))
        scale = level.get("max_points")
        out[str(level.get("id", ""))] = (f"{exact_number_text(total)} / "
                                         f"{exact_number_text(scale) if scale is not None else '?'}")
    return out
