"""Checks over all records of an upload at once: units, indicators, levels, duplicates, values.

Membership checks run as vectorised ``isin`` masks over the whole batch; Python only loops
over the rows that failed (to word their messages) and over the cells to parse.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from openpyxl.utils import column_index_from_string

from criteria.model import Indicator
from presentation.times import date_text
from scoring.core.reading import parse_value
from scoring.core.units import Registry, Unit

BoolArray = np.ndarray[Any, np.dtype[np.bool_]]
PAD_WIDTHS = range(2, 9)  # Excel drops leading zeros of codes such as "00004"


MAX_ISSUES = 200  # problems listed; the rest are counted


@dataclass(frozen=True)
class IntakeIssue:
    """One problem in an uploaded file, located as a spreadsheet user would look for it."""

    file: str
    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = [f"tệp {self.file}"]
        if self.row is not None:
            where.append(f"dòng {self.row}")
        if self.column is not None:
            where.append(f"cột «{self.column}»")
        return f"{', '.join(where)}: {self.reason}"


@dataclass
class Issues:
    """Issues with their file position, so they can be listed in reading order. Only the first
    ``MAX_ISSUES`` in reading order are kept, whatever check found them (a million bad rows must
    not make a million messages); ``total`` counts them all."""

    items: list[tuple[tuple[int, ...], IntakeIssue]] = field(default_factory=list)  # a max-heap
    total: int = 0

    def add(self, index: int, file: str, row: int | None, column: str | None, reason: str) -> None:
        self.total += 1
        col = column_index_from_string(column.split(" ")[0]) if column else 0
        # negated position (and the arrival, for ties): the heap's top is the latest kept issue
        entry = ((-index, -(row or 0), -col, -self.total), IntakeIssue(file, row, column, reason))
        if len(self.items) < MAX_ISSUES:
            heapq.heappush(self.items, entry)
        elif entry[0] > self.items[0][0]:  # earlier in the files than the latest kept one
            heapq.heapreplace(self.items, entry)

    def sorted(self) -> tuple[IntakeIssue, ...]:
        return tuple(issue for _, issue in sorted(self.items, key=lambda item: item[0], reverse=True))

    def __bool__(self) -> bool:
        return bool(self.items)


@dataclass
class Records:
    """Cells read from all files, column-wise (one entry per unit–indicator value)."""

    where: list[tuple[int, str]] = field(default_factory=list)  # (file index, file name)
    row: list[int] = field(default_factory=list)
    labels: list[tuple[str, str, str]] = field(default_factory=list)  # unit, indicator, value
    cols: list[tuple[int, int, int]] = field(default_factory=list)
    unit: list[str] = field(default_factory=list)
    indicator: list[str] = field(default_factory=list)
    raw: list[Any] = field(default_factory=list)
    percent: list[bool] = field(default_factory=list)

    def add(
        self,
        where: tuple[int, str],
        row: int,
        labels: tuple[str, str, str],
        cols: tuple[int, int, int],
        unit: str,
        indicator: str,
        raw: Any,
        percent: bool,
    ) -> None:
        self.where.append(where)
        self.row.append(row)
        self.labels.append(labels)
        self.cols.append(cols)
        self.unit.append(unit)
        self.indicator.append(indicator)
        self.raw.append(raw)
        self.percent.append(percent)


def check_records(
    records: Records,
    indicators: dict[str, Indicator],
    registry: Registry,
    period: int,
    level: str | None,
    issues: Issues,
    level_names: dict[str, str] | None = None,
) -> list[float]:
    """Validate every record, adding issues; return the parsed values (NaN where refused)."""
    if not records.unit:
        return []
    names = level_names or {}

    def shown(level_id: str) -> str:
        return f"«{names[level_id]}» ({level_id})" if level_id in names else f"«{level_id}»"

    _restore_leading_zeros(records, registry)
    units = pd.Series(records.unit, dtype=object)
    inds = pd.Series(records.indicator, dtype=object)
    known_units = {code for code in set(records.unit) if registry.has(code)}
    unit_ok = units.isin(known_units).to_numpy()
    ind_ok = inds.isin(indicators.keys()).to_numpy()

    for i in _rows(~unit_ok):
        _add(issues, records, i, 0, f"mã đơn vị «{records.unit[i]}» không có trong danh mục đơn vị")
    for i in _rows(~ind_ok):
        _add(issues, records, i, 1, f"chỉ tiêu «{records.indicator[i]}» không có trong kế hoạch")
    ind_level = inds.map({k: v.level for k, v in indicators.items()})
    levels = ind_level.tolist()
    if level is not None:
        for i in _rows(ind_ok & (ind_level != level).to_numpy()):
            reason = (
                f"chỉ tiêu «{records.indicator[i]}» thuộc cấp {shown(levels[i])}, không thuộc "
                f"cấp {shown(level)} đang nhập"
            )
            _add(issues, records, i, 1, reason)
    unit_of = {code: registry.unit(code) for code in known_units}
    unit_level = units.map({code: u.level for code, u in unit_of.items()})
    for i in _rows(unit_ok & ind_ok & (unit_level != ind_level).to_numpy()):
        u = unit_of[records.unit[i]]
        reason = (
            f"đơn vị «{u.code}» ({u.name}) thuộc cấp {shown(u.level)}, còn chỉ tiêu "
            f"«{records.indicator[i]}» dành cho cấp {shown(levels[i])}"
        )
        _add(issues, records, i, 0, reason)
    first, last = date(period, 1, 1), date(period, 12, 31)
    expired = {
        code
        for code, u in unit_of.items()
        if u.valid_from > last or (u.valid_to is not None and u.valid_to < first)
    }
    for i in _rows(units.isin(expired).to_numpy()):
        _add(issues, records, i, 0, _expired_reason(unit_of[records.unit[i]], period))
    _check_duplicates(records, units, inds, issues)
    return _parse_values(records, indicators, ind_ok, issues)


def _rows(mask: BoolArray) -> Iterator[int]:
    return (int(i) for i in np.flatnonzero(mask))


def _restore_leading_zeros(records: Records, registry: Registry) -> None:
    """Give back the leading zeros Excel strips from codes such as "00004" (when unambiguous)."""
    fixes: dict[str, str] = {}
    for code in set(records.unit):
        if not code.isdigit() or registry.has(code):
            continue
        known = [p for p in {code.zfill(w) for w in PAD_WIDTHS if w > len(code)} if registry.has(p)]
        if len(known) == 1:
            fixes[code] = known[0]
    if fixes:
        records.unit = [fixes.get(c, c) for c in records.unit]


def _expired_reason(unit: Unit, period: int) -> str:
    end = date_text(unit.valid_to) if unit.valid_to else "nay"
    reason = (
        f"đơn vị «{unit.code}» ({unit.name}) không có hiệu lực trong kỳ {period} "
        f"(hiệu lực từ {date_text(unit.valid_from)} đến {end})"
    )
    if unit.successors:
        reason += "; hãy nhập cho đơn vị kế thừa: " + ", ".join(f"«{s}»" for s in unit.successors)
    return reason


def _check_duplicates(records: Records, units: pd.Series, inds: pd.Series, issues: Issues) -> None:
    pairs = pd.DataFrame({"unit": units, "indicator": inds})
    mask = pairs.duplicated(keep=False).to_numpy()
    first_seen: dict[tuple[str, str], int] = {}
    for i in np.flatnonzero(mask):
        key = (records.unit[i], records.indicator[i])
        if key not in first_seen:
            first_seen[key] = int(i)
            continue
        j = first_seen[key]
        reason = (
            f"đơn vị «{key[0]}», chỉ tiêu «{key[1]}» bị nhập hai lần: đã có giá trị ở "
            f"tệp {records.where[j][1]}, dòng {records.row[j]}; mỗi đơn vị chỉ nhập một "
            "giá trị cho mỗi chỉ tiêu"
        )
        _add(issues, records, int(i), 2, reason)


def _parse_values(
    records: Records,
    indicators: dict[str, Indicator],
    ind_ok: BoolArray,
    issues: Issues,
) -> list[float]:
    values = [math.nan] * len(records.raw)
    for i in np.flatnonzero(ind_ok):
        indicator = indicators[records.indicator[i]]
        try:
            values[i] = parse_value(records.raw[i], indicator, percent_format=records.percent[i])
        except ValueError as err:
            _add(issues, records, int(i), 2, f"chỉ tiêu «{indicator.id}»: {err}")
    return values


def _add(issues: Issues, records: Records, i: int, which: int, reason: str) -> None:
    index, name = records.where[i]
    issues.add(index, name, records.row[i], records.labels[i][which] or None, reason)
