"""What one plan version changes against another: plan facts, ranking, and every table by id,
each change in words (the values named as :mod:`criteria.describe` names them)."""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from criteria.describe import (
    DIRECTION_NAMES,
    KIND_NAMES,
    METHOD_NAMES,
    MISSING_NAMES,
    SCOPE_NAMES,
    SUBJECT_NAMES,
    band_text,
    bonus_text,
    deduction_text,
    indicator_lookup,
    level_text,
    method_text,
    ranking_steps,
)
from criteria.model import Criterion, Indicator, Plan
from presentation.numbers import number_text
from presentation.times import date_text

_by_id: Callable[[Any], str] = operator.attrgetter("id")


FIELD_LABELS = {
    "id": "Mã", "version": "Phiên bản", "title": "Tên phong trào", "issuer": "Cơ quan ban hành",
    "valid_from": "Hiệu lực từ", "valid_to": "Hiệu lực đến", "name": "Tên", "level": "Cấp",
    "group": "Nhóm", "indicator": "Chỉ số", "direction": "Chiều đánh giá", "method": "Phương pháp",
    "max_points": "Điểm tối đa", "mandatory": "Bắt buộc", "applies_to": "Phạm vi áp dụng",
    "missing": "Khi thiếu số liệu", "source": "Nguồn", "target": "Chỉ tiêu", "floor": "Ngưỡng 0 điểm",
    "points_each": "Điểm mỗi lần (mỗi đơn vị đo)", "bands": "Các bậc (ngưỡng → điểm)",
    "scale": "Các mức điểm tự chấm",
    "subject": "Đối tượng", "unit_kinds": "Loại đơn vị tham gia", "bonus_cap": "Điểm thưởng tối đa",
    "deduction_cap": "Điểm trừ tối đa", "ranking_scope": "Phạm vi xếp hạng", "kind": "Kiểu số liệu",
    "unit": "Đơn vị đo", "min": "Giá trị nhỏ nhất", "max": "Giá trị lớn nhất",
    "grace_days": "Số ngày ân hạn", "deadline": "Hạn (tháng-ngày)",
    "min_percent": "Tỷ lệ điểm tối thiểu (%)", "criterion_floor": "Mức tối thiểu mỗi tiêu chí",
    "requires_mandatory": "Yêu cầu đạt đủ tiêu chí bắt buộc", "ranking_order": "Thứ tự xét xếp hạng",
    "method_text": "Cách tính (diễn giải)",
}
VALUE_NAMES = {"method": METHOD_NAMES, "kind": KIND_NAMES, "direction": DIRECTION_NAMES,
               "missing": MISSING_NAMES, "ranking_scope": SCOPE_NAMES, "subject": SUBJECT_NAMES}
METHOD_FIELDS = ("direction", "method", "max_points", "target", "floor", "points_each", "bands", "scale")


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class ItemDiff:
    key: str
    name: str
    level: str
    summary: str = ""
    changes: tuple[Change, ...] = ()


@dataclass(frozen=True)
class SectionDiff:
    kind: str
    title: str
    added: tuple[ItemDiff, ...]
    removed: tuple[ItemDiff, ...]
    changed: tuple[ItemDiff, ...]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


@dataclass(frozen=True)
class PlanDiff:
    plan: tuple[Change, ...]
    sections: tuple[SectionDiff, ...]

    @property
    def same(self) -> bool:
        return not self.plan and all(s.empty for s in self.sections)

    def section(self, kind: str) -> SectionDiff:
        return next(s for s in self.sections if s.kind == kind)


def show(field: str, value: Any) -> str:
    """A field's value as people read it in the diff."""
    if value is None or value == ():
        return "mọi đơn vị của cấp" if field == "applies_to" else "—"
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, (int, float)):
        return number_text(float(value))
    if field == "bands":
        return "; ".join(f"{number_text(t)} → {number_text(p)}" for t, p in value)
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, date):
        return date_text(value)
    names = VALUE_NAMES.get(field, {})
    return f"{names[value]} ({value})" if value in names else str(value)


def _field_changes(old: Any, new: Any, skip: Iterable[str] = ("id",)) -> list[Change]:
    names = [f.name for f in dataclasses.fields(old) if f.name not in skip]
    return [Change(n, FIELD_LABELS.get(n, n), show(n, getattr(old, n)), show(n, getattr(new, n)))
            for n in names if getattr(old, n) != getattr(new, n)]


def _section(kind: str, title: str, old: Sequence[Any], new: Sequence[Any],
             key: Callable[[Any], str], summary: Callable[[Any], str],
             extra: Callable[[Any, Any], list[Change]] | None = None) -> SectionDiff:
    before, after = {key(x): x for x in old}, {key(x): x for x in new}

    def item(x: Any, changes: Sequence[Change] = ()) -> ItemDiff:
        return ItemDiff(key(x), x.name, getattr(x, "level", key(x)), summary(x), tuple(changes))

    changed = []
    for k, x in after.items():
        if k in before and before[k] != x:
            changes = _field_changes(before[k], x)
            if extra is not None:
                changes += extra(before[k], x)
            changed.append(item(x, changes))
    return SectionDiff(
        kind, title,
        added=tuple(item(x) for k, x in after.items() if k not in before),
        removed=tuple(item(x) for k, x in before.items() if k not in after),
        changed=tuple(changed),
    )


def diff_plans(old: Plan, new: Plan) -> PlanDiff:
    """What ``new`` changes against ``old``: plan facts, ranking, and every table by id."""
    old_ind, new_ind = indicator_lookup(old), indicator_lookup(new)

    def either(indicator: str) -> Indicator | None:
        return new_ind(indicator) or old_ind(indicator)

    def criterion_words(a: Criterion, b: Criterion) -> list[Change]:
        if all(getattr(a, f) == getattr(b, f) for f in METHOD_FIELDS):
            return []
        return [Change("method_text", FIELD_LABELS["method_text"], method_text(a, old_ind(a.indicator)),
                       method_text(b, new_ind(b.indicator)))]

    def criterion_summary(c: Criterion) -> str:
        return f"{number_text(c.max_points)} điểm. {method_text(c, either(c.indicator))} Nguồn: {c.source}"

    plan_changes = _field_changes(old.info, new.info, skip=())
    if old.ranking_order != new.ranking_order:
        plan_changes.append(Change("ranking_order", FIELD_LABELS["ranking_order"],
                                   "; ".join(ranking_steps(old)), "; ".join(ranking_steps(new))))
    sections = (
        _section("levels", "Cấp thi đua", old.levels, new.levels, _by_id, level_text),
        _section("criteria", "Tiêu chí", old.criteria, new.criteria, _by_id, criterion_summary,
                 criterion_words),
        _section("indicators", "Chỉ số", old.indicators, new.indicators, _by_id,
                 lambda i: f"{KIND_NAMES.get(i.kind, i.kind)}, đơn vị đo «{i.unit}»"),
        _section("groups", "Nhóm tiêu chí", old.groups, new.groups, _by_id, lambda g: ""),
        _section("bonuses", "Điểm thưởng", old.bonuses, new.bonuses, _by_id,
                 lambda b: f"{bonus_text(b, either(b.indicator))} Nguồn: {b.source}"),
        _section("deductions", "Điểm trừ", old.deductions, new.deductions, _by_id,
                 lambda d: f"{deduction_text(d, either(d.indicator))} Nguồn: {d.source}"),
        _section("bands", "Xếp loại", old.bands, new.bands, lambda b: f"{b.level}/{b.id}", band_text),
    )
    return PlanDiff(tuple(plan_changes), sections)
