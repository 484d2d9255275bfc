"""Indicator data intake: uploaded CSV/XLSX files → one validated long table.

All files of an upload are read and checked together and every problem is collected, so a
unit's officer fixes the whole batch in one go; if anything is wrong, nothing is accepted.
Two layouts are read: the long form (one row per unit, indicator and value) and the wide
form written by :func:`scoring.intake.template.write_template` (one column per indicator).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl.utils import get_column_letter

from criteria.model import Indicator, Plan
from presentation.text import without_diacritics
from scoring.core.reading import clean_text, format_machine
from scoring.core.units import Registry
from scoring.intake.checks import IntakeIssue, Issues, Records, check_records
from scoring.intake.sheets import Sheet, readable_sheets

__all__ = ["IndicatorData", "IntakeError", "IntakeIssue", "read_indicator_files"]

COLUMNS = ("unit_code", "indicator", "value")
ROLE_ALIASES = {
    "unit": ("ma_don_vi", "unit_code", "ma_dv", "unit"),
    "name": ("ten_don_vi", "unit_name", "ten_dv", "name"),
    "indicator": ("chi_tieu", "indicator", "ma_chi_tieu", "indicator_id"),
    "period": ("ky", "period", "nam", "year", "ky_danh_gia"),
    "value": ("gia_tri", "value"),
    "ignored": ("ghi_chu", "note", "stt", "tt"),
}
ROLE_BY_KEY = {alias: role for role, aliases in ROLE_ALIASES.items() for alias in aliases}
ROLE_TITLES = {"indicator": "«Chỉ tiêu» (chi_tieu)", "value": "«Giá trị» (gia_tri)"}
HEADER_SEARCH_ROWS = 20
_BRACKET_ID = re.compile(r"\[\s*([^\[\]]+?)\s*\]\s*$")
_YEAR = re.compile(r"^\d{4}$")


class IntakeError(Exception):
    """The upload was refused; ``issues`` lists every problem found in every file."""

    def __init__(self, issues: Sequence[IntakeIssue], total: int | None = None) -> None:
        self.issues = tuple(issues)
        self.total = max(total or 0, len(self.issues))
        lines = "\n".join(f"- {issue}" for issue in self.issues)
        super().__init__(
            f"Không nhận dữ liệu chỉ tiêu: có {self.count_text()}, chưa tệp nào được "
            f"nhận. Hãy sửa các lỗi sau rồi tải lên lại toàn bộ:\n{lines}"
        )

    def count_text(self) -> str:
        """«12 lỗi», or «5000 lỗi (liệt kê 200 lỗi đầu tiên)» when only the first are listed."""
        shown = "" if self.total == len(self.issues) else f" (liệt kê {len(self.issues)} lỗi đầu tiên)"
        return f"{self.total} lỗi{shown}"


@dataclass(frozen=True, eq=False)
class IndicatorData:
    """Validated values of one period, one row per (unit, indicator); do not mutate ``frame``.

    Equality and hashing go by period and :attr:`sha256`, so the same data read from a CSV
    or an XLSX, in any row order, is the same data.
    """

    period: int
    frame: pd.DataFrame

    @cached_property
    def sha256(self) -> str:
        """Hash of the sorted (unit, indicator, exact value) content, independent of files."""
        lines = zip(
            self.frame["unit_code"].tolist(),
            self.frame["indicator"].tolist(),
            self.frame["value"].tolist(),
            strict=True,
        )
        text = "".join(f"{u}\t{i}\t{float(v)!r}\n" for u, i, v in lines)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, IndicatorData):
            return NotImplemented
        return self.period == other.period and self.sha256 == other.sha256

    def __hash__(self) -> int:
        return hash((self.period, self.sha256))


def empty_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit_code": pd.Series([], dtype=str),
            "indicator": pd.Series([], dtype=str),
            "value": pd.Series([], dtype="float64"),
        }
    )


def read_indicator_files(
    paths: Sequence[Path | str],
    plan: Plan,
    registry: Registry,
    period: int,
    level: str | None = None,
) -> IndicatorData:
    """Read and validate every file; raise :class:`IntakeError` listing all problems."""
    if level is not None and level not in {lvl.id for lvl in plan.levels}:
        raise ValueError(f"Cấp «{level}» không có trong kế hoạch «{plan.info.id}»")
    indicators = {ind.id: ind for ind in plan.indicators}
    issues = Issues()
    records = Records()
    for index, name, sheet in readable_sheets(paths, issues):
        _collect(sheet, index, name, indicators, plan, period, records, issues)
    level_names = {lvl.id: lvl.name for lvl in plan.levels}
    values = check_records(records, indicators, registry, period, level, issues, level_names)
    if issues:
        raise IntakeError(issues.sorted(), issues.total)
    if not records.unit:
        return IndicatorData(period, empty_frame())
    frame = pd.DataFrame(
        {
            "unit_code": pd.Series(records.unit, dtype=str),
            "indicator": pd.Series(records.indicator, dtype=str),
            "value": pd.Series(values, dtype="float64") + 0.0,  # folds -0.0 into 0.0
        }
    )
    frame = frame.sort_values(["unit_code", "indicator"], kind="stable", ignore_index=True)
    return IndicatorData(period, frame)


def header_key(text: str) -> str:
    """``"Mã đơn vị"`` → ``"ma_don_vi"``: case, diacritics and punctuation ignored."""
    return re.sub(r"[^a-z0-9]+", "_", without_diacritics(clean_text(text)).casefold()).strip("_")


def indicator_id(text: str) -> str:
    """The indicator id in a header or cell: the ``[id]`` at its end, else the whole text."""
    match = _BRACKET_ID.search(text)
    return (match.group(1) if match else text).strip().casefold()


def _find_header(sheet: Sheet) -> int | None:
    for position, (_, cells) in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        keys = {header_key(str(c)) for c in cells if c is not None}
        if any(ROLE_BY_KEY.get(k) == "unit" for k in keys):
            return position
    return None


@dataclass
class _Layout:
    roles: dict[str, int]
    wide: dict[int, str]  # column index → indicator id
    labels: dict[int, str]  # column index → "C (gia_tri)"


def _layout(
    header: list[Any],
    row: int,
    where: tuple[int, str],
    indicators: dict[str, Indicator],
    plan: Plan,
    issues: Issues,
) -> _Layout | None:
    """Map header cells to roles (long form) or indicators (wide form)."""
    layout = _Layout({}, {}, {})
    others: dict[int, str] = {}
    for col, cell in enumerate(header):
        if cell is None:
            continue
        text = clean_text(str(cell))
        letter = get_column_letter(col + 1)
        role = ROLE_BY_KEY.get(header_key(text))
        if role is None:
            others[col] = text
        elif role in layout.roles and role != "ignored":
            first = get_column_letter(layout.roles[role] + 1)
            issues.add(*where, row, f"{letter} ({text})", f"cột bị lặp: đã có ở cột {first}")
        else:
            layout.roles[role] = col
            layout.labels[col] = f"{letter} ({text})"
    if "indicator" in layout.roles or "value" in layout.roles:
        missing = [ROLE_TITLES[r] for r in ("indicator", "value") if r not in layout.roles]
        for title in missing:
            issues.add(*where, row, None, f"thiếu cột {title}")
        return None if missing else layout
    seen: dict[str, str] = {}
    for col, text in others.items():
        ind = indicator_id(text)
        bracketed = _BRACKET_ID.search(text) is not None
        shown = ind if bracketed or ind in indicators else text[:40]
        label = f"{get_column_letter(col + 1)} ({shown})"
        if ind not in indicators:
            reason = (
                f"chỉ tiêu «{ind}» không có trong kế hoạch «{plan.info.id}»"
                if bracketed
                else "cột không phải là chỉ tiêu của kế hoạch: tiêu đề cột chỉ tiêu phải "
                "kết thúc bằng [mã chỉ tiêu], ví dụ «Tỷ lệ số hóa hồ sơ (%) [ty_le_so_hoa]»"
            )
            issues.add(*where, row, label, reason)
        elif ind in seen:
            issues.add(*where, row, label, f"chỉ tiêu «{ind}» đã có ở cột {seen[ind]}")
        else:
            seen[ind] = label
            layout.wide[col] = ind
            layout.labels[col] = label
    if not layout.wide and not others:
        issues.add(*where, row, None, "không có cột chỉ tiêu nào, cũng không có cột «Giá trị»")
    return layout


def _collect(
    sheet: Sheet,
    index: int,
    name: str,
    indicators: dict[str, Indicator],
    plan: Plan,
    period: int,
    records: Records,
    issues: Issues,
) -> None:
    """Turn one file's rows into records; problems of layout and rows go to ``issues``."""
    where = (index, name)
    position = _find_header(sheet)
    if position is None:
        issues.add(
            *where,
            sheet.rows[0][0],
            None,
            f"không tìm thấy dòng tiêu đề có cột «Mã đơn vị» (ma_don_vi) trong {HEADER_SEARCH_ROWS} dòng đầu",
        )
        return
    header_row, header = sheet.rows[position]
    layout = _layout(header, header_row, where, indicators, plan, issues)
    if layout is None:
        return
    roles, labels = layout.roles, layout.labels
    data_rows = sheet.rows[position + 1 :]
    if not data_rows:
        issues.add(*where, None, None, "tệp trống: chỉ có dòng tiêu đề, không có dòng dữ liệu")
        return
    unit_col = roles["unit"]
    for row, cells in data_rows:

        def cell(col: int, cells: list[Any] = cells) -> Any:
            return cells[col] if col < len(cells) else None

        if "period" in roles and cell(roles["period"]) is not None:
            raw_period = cell(roles["period"])
            year = _parse_period(raw_period)
            if year is None:
                reason = f"kỳ «{raw_period}» không phải là một năm (ví dụ {period})"
                issues.add(*where, row, labels[roles["period"]], reason)
                continue
            if year != period:
                continue
        entries: list[tuple[int, int, str, Any]] = []  # (indicator col, value col, id, raw)
        if layout.wide:
            entries = [(c, c, ind, cell(c)) for c, ind in layout.wide.items() if cell(c) is not None]
        elif cell(roles["value"]) is not None:
            ind_col, value_col = roles["indicator"], roles["value"]
            if cell(ind_col) is None:
                issues.add(*where, row, labels[ind_col], "thiếu mã chỉ tiêu")
                continue
            entries = [(ind_col, value_col, indicator_id(str(cell(ind_col))), cell(value_col))]
        if not entries:
            continue
        raw_unit = cell(unit_col)
        if raw_unit is None:
            issues.add(*where, row, labels[unit_col], "thiếu mã đơn vị")
            continue
        numeric = isinstance(raw_unit, int | float) and not isinstance(raw_unit, bool)
        code = format_machine(raw_unit) if numeric else str(raw_unit)
        for ind_col, value_col, ind, raw in entries:
            records.add(
                where,
                row,
                (labels[unit_col], labels.get(ind_col, ""), labels[value_col]),
                (unit_col, ind_col, value_col),
                code,
                ind,
                raw,
                (row, value_col) in sheet.percent_cells,
            )


def _parse_period(raw: Any) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        return int(raw) if raw.is_integer() else None
    text = clean_text(str(raw))
    return int(text) if _YEAR.match(text) else None
