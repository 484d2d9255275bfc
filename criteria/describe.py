"""A plan in words (what changed between two versions is :mod:`criteria.plan_diff`).

Pure functions over :class:`criteria.model.Plan`: every scoring method of ``docs/plan-format.md``
gets one Vietnamese sentence built from its parameters, so the public methodology page comes from
the plan itself.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from criteria.model import Band, Bonus, Criterion, Deduction, Indicator, Level, Plan
from presentation.numbers import number_text

_by_id: Callable[[Any], str] = operator.attrgetter("id")

METHOD_NAMES = {
    "ratio_to_target": "tỷ lệ so với chỉ tiêu", "threshold": "đạt ngưỡng", "linear": "tuyến tính",
    "bands": "theo bậc", "yes_no": "có/không", "count_cap": "tính theo số lượng, có mức trần",
    "points": "chấm trực tiếp bằng điểm",
    "per_occurrence": "trừ theo số lần", "per_day_late": "trừ theo số ngày chậm",
}
KIND_NAMES = {"percent": "tỷ lệ phần trăm", "number": "số", "count": "số đếm", "yes_no": "có/không",
              "days": "số ngày", "date": "ngày tháng", "points": "điểm tự chấm"}
DIRECTION_NAMES = {"higher": "càng cao càng tốt", "lower": "càng thấp càng tốt"}
MISSING_NAMES = {"zero": "tính 0 điểm", "exclude": "coi như không áp dụng"}
SCOPE_NAMES = {"cluster": "trong từng cụm, khối thi đua", "level": "trong toàn cấp"}
SUBJECT_NAMES = {"collective": "tập thể", "individual": "cá nhân"}
UNIT_KIND_NAMES = {  # the registry's kinds of unit; a bare level id is named by the plan's level
    "agency.so": "sở", "agency.ban": "ban",
    "agency.nganh_doc": "cơ quan ngành dọc", "agency.doan_the": "Mặt trận, đoàn thể",
    "district.huyen": "huyện", "district.thanh_pho": "thành phố",
    "district.quan": "quận", "district.thi_xa": "thị xã",
    "commune.xa": "xã", "commune.phuong": "phường",
    "commune.thi_tran": "thị trấn", "commune.dac_khu": "đặc khu",
    "individual.cbccvc": "cán bộ, công chức, viên chức, người lao động",
}
TAG_NAMES = {  # the tags of the shipped registries (demo/registry_tuyen_quang.py)
    "tthc": "tiếp nhận thủ tục hành chính tại Trung tâm Phục vụ hành chính công tỉnh",
    "co_so_kcb": "phụ trách cơ sở khám, chữa bệnh", "co_so_luu_tru": "quản lý cơ sở lưu trú",
    "dvc_thiet_yeu": "chủ trì dịch vụ công thiết yếu của Đề án 06",
}
RANKING_WORDS = {
    "percent": "tỷ lệ điểm cao hơn", "final_total": "tổng điểm cao hơn",
    "base_total": "điểm các tiêu chí (chưa tính thưởng, trừ) cao hơn", "bonus": "điểm thưởng cao hơn",
    "deductions": "điểm trừ ít hơn", "mandatory_met": "đạt nhiều tiêu chí bắt buộc hơn",
}
SUBJECTS = {"percent": "tỷ lệ", "count": "số lượng", "days": "số ngày", "date": "ngày"}


def _amount(x: float, indicator: Indicator | None) -> str:
    unit = indicator.unit.strip() if indicator is not None and indicator.kind != "yes_no" else ""
    return f"{number_text(x)} {unit}" if unit else number_text(x)


def _subject(indicator: Indicator | None) -> str:
    return SUBJECTS.get(indicator.kind if indicator is not None else "", "kết quả")


def _each(indicator: Indicator | None) -> str:
    unit = indicator.unit.strip() if indicator is not None else ""
    return unit if unit and unit != "%" else "lần"


def method_text(c: Criterion, indicator: Indicator | None = None) -> str:
    """How the criterion's points are computed, as one sentence with its numbers."""
    top, s, higher = number_text(c.max_points), _subject(indicator), c.direction != "lower"
    ge, beyond = ("≥", "dưới") if higher else ("≤", "trên")
    target = _amount(c.target or 0.0, indicator)
    if c.method == "ratio_to_target":
        if higher:
            return (f"Đạt tối đa {top} điểm khi {s} ≥ {target}; dưới đó tính tỷ lệ thuận: "
                    f"điểm = {top} × {s} ÷ {number_text(c.target or 0.0)}.")
        return (f"Đạt tối đa {top} điểm khi {s} ≤ {target}; cao hơn thì tính tỷ lệ nghịch: "
                f"điểm = {top} × {number_text(c.target or 0.0)} ÷ {s}.")
    if c.method == "threshold":
        return f"Được {top} điểm khi {s} {ge} {target}; {beyond} {target} được 0 điểm."
    if c.method == "linear":
        floor, le = _amount(c.floor or 0.0, indicator), "≤" if higher else "≥"
        way = "tăng" if higher else "giảm"
        return (f"0 điểm khi {s} {le} {floor}, đủ {top} điểm khi {s} {ge} {target}; ở giữa, "
                f"điểm tăng đều khi {s} {way} (nội suy tuyến tính).")
    if c.method == "bands":
        steps = "; ".join(f"{ge} {_amount(t, indicator)} được {number_text(p)} điểm" for t, p in c.bands)
        first = _amount(c.bands[0][0], indicator) if c.bands else "?"
        return f"Tính theo bậc: {s} {steps}; {beyond} {first} được 0 điểm."
    if c.method == "yes_no":
        good, bad = ("có (đã thực hiện)", "không") if higher else ("không (không xảy ra)", "có")
        return f"Được {top} điểm nếu {good}; nếu {bad} được 0 điểm."
    if c.method == "count_cap":
        each, item = number_text(c.points_each or 0.0), _each(indicator)
        if higher:
            return f"Được {each} điểm cho mỗi {item}, tối đa {top} điểm."
        return f"Được {top} điểm, trừ {each} điểm cho mỗi {item}, thấp nhất 0 điểm."
    if c.method == "points":
        scale = "; ".join(number_text(x) for x in c.scale)
        if scale:
            return f"Đơn vị tự chấm một trong các mức {scale} điểm (tối đa {top} điểm); Sở thẩm định."
        return f"Đơn vị tự chấm từ 0 đến {top} điểm; Sở thẩm định."
    return f"Phương pháp «{c.method}» ({top} điểm)."


def target_text(c: Criterion, indicator: Indicator | None = None) -> str:
    """The level that earns full points, in a few words."""
    ge = "≥" if c.direction != "lower" else "≤"
    if c.method in ("ratio_to_target", "threshold", "linear") and c.target is not None:
        return f"{ge} {_amount(c.target, indicator)}"
    if c.method == "bands" and c.bands:
        return f"{ge} {_amount(c.bands[-1][0], indicator)}"
    if c.method == "yes_no":
        return "Có" if c.direction != "lower" else "Không"
    if c.method == "count_cap" and c.points_each:
        full = "0" if c.direction == "lower" else f"≥ {number_text(c.max_points / c.points_each)}"
        return f"{full} {_each(indicator)}"
    if c.method == "points":
        return f"{number_text(c.max_points)} điểm"
    return "—"


def missing_text(c: Criterion) -> str:
    if c.missing == "exclude":
        return "Thiếu số liệu: coi như không áp dụng (không tính điểm, không tính vào điểm tối đa)."
    return "Thiếu số liệu: được 0 điểm, vẫn tính vào điểm tối đa."


def applies_text(applies_to: Sequence[str], level: Level | None) -> str:
    """Which units a criterion applies to."""
    if not applies_to:
        return f"Mọi đơn vị của cấp «{level.name}»." if level is not None else "Mọi đơn vị của cấp."
    parts = []
    for item in applies_to:
        if item.startswith("tag:"):
            tag = item.removeprefix("tag:")
            parts.append(f"đơn vị có nhãn «{tag}»" + (f" ({TAG_NAMES[tag]})" if tag in TAG_NAMES else ""))
        else:
            kind = level.name if level is not None and item == level.id else UNIT_KIND_NAMES.get(item, item)
            parts.append(f"loại đơn vị «{kind}» ({item})")
    return "Chỉ áp dụng với: " + "; ".join(parts) + "."


def bonus_text(b: Bonus, indicator: Indicator | None = None) -> str:
    top = number_text(b.max_points)
    if b.method == "count_cap":
        return f"Cộng {number_text(b.points_each or 0.0)} điểm cho mỗi {_each(indicator)}, tối đa {top} điểm."
    return f"Cộng {top} điểm nếu có; thiếu số liệu coi như không."


def deduction_text(d: Deduction, indicator: Indicator | None = None) -> str:
    top, each = number_text(d.max_points), number_text(d.points_each)
    grace = f" (sau {number_text(d.grace_days)} ngày ân hạn)" if d.grace_days else ""
    if d.method == "per_day_late":
        if d.deadline:
            month, day = d.deadline.split("-")
            return (f"Hạn ngày {int(day)}/{int(month)} của năm đánh giá; trừ {each} điểm cho mỗi ngày "
                    f"chậm{grace}, tối đa {top} điểm.")
        return f"Trừ {each} điểm cho mỗi ngày chậm{grace}, tối đa {top} điểm."
    return f"Trừ {each} điểm cho mỗi {_each(indicator)}, tối đa {top} điểm."


def level_text(level: Level) -> str:
    return (f"Điểm tối đa {number_text(level.max_points)}; "
            f"điểm thưởng cộng tối đa {number_text(level.bonus_cap)}; "
            f"điểm trừ tối đa {number_text(level.deduction_cap)}; xếp hạng "
            f"{SCOPE_NAMES.get(level.ranking_scope, level.ranking_scope)}.")


def band_text(band: Band) -> str:
    needs = []
    if band.min_percent > 0:
        needs.append(f"tỷ lệ điểm từ {number_text(band.min_percent)} % trở lên")
    if band.criterion_floor > 0:
        needs.append(f"mỗi tiêu chí được áp dụng đạt ít nhất {number_text(band.criterion_floor * 100)} % "
                     "điểm tối đa của tiêu chí đó")
    if band.requires_mandatory:
        needs.append("đạt đủ mọi tiêu chí bắt buộc")
    return f"Cần {'; '.join(needs)}." if needs else "Các đơn vị không đạt các mức trên."


def ranking_steps(plan: Plan) -> list[str]:
    """The ranking keys in order, in words; the unit code always breaks the last tie."""
    words = {f"criterion:{c.id}": f"điểm tiêu chí «{c.name}» cao hơn" for c in plan.criteria}
    words.update(RANKING_WORDS)
    last = "mã đơn vị nhỏ hơn (thứ tự tăng dần), để không có hai đơn vị cùng hạng"
    return [*(words.get(key, key) for key in plan.ranking_order), last]


# --- the plan as rows for a page -----------------------------------------------------------------


@dataclass(frozen=True)
class CriterionText:
    criterion: Criterion
    indicator: Indicator | None
    target: str
    method: str
    applies: str
    missing: str
    mandatory: str
    kind: str


@dataclass(frozen=True)
class GroupText:
    id: str
    name: str
    max_points: float
    criteria: tuple[CriterionText, ...]


@dataclass(frozen=True)
class LevelText:
    level: Level
    rules: str
    groups: tuple[GroupText, ...]
    bonuses: tuple[tuple[Bonus, str], ...]
    deductions: tuple[tuple[Deduction, str], ...]
    bands: tuple[tuple[Band, str], ...]


def describe_criterion(plan: Plan, c: Criterion) -> CriterionText:
    indicator = next((i for i in plan.indicators if i.id == c.indicator), None)
    level = next((lvl for lvl in plan.levels if lvl.id == c.level), None)
    mandatory = ("Điều kiện bắt buộc: chưa đạt đủ điểm (kể cả khi thiếu số liệu) thì đơn vị không được "
                 "xếp vào các mức yêu cầu đạt đủ tiêu chí bắt buộc.") if c.mandatory else ""
    return CriterionText(
        criterion=c, indicator=indicator, target=target_text(c, indicator), method=method_text(c, indicator),
        applies=applies_text(c.applies_to, level), missing=missing_text(c), mandatory=mandatory,
        kind=KIND_NAMES.get(indicator.kind, indicator.kind) if indicator is not None else "—",
    )


def indicator_lookup(plan: Plan) -> Callable[[str], Indicator | None]:
    return {i.id: i for i in plan.indicators}.get


def describe_plan(plan: Plan) -> tuple[LevelText, ...]:
    """Per level: its rules, its groups with every criterion in words, bonuses, deductions, bands."""
    indicator = indicator_lookup(plan)
    out = []
    for level in plan.levels:
        criteria = plan.criteria_of(level.id)
        groups = []
        for group in plan.groups_of(level.id):
            rows = tuple(describe_criterion(plan, c) for c in criteria if c.group == group.id)
            groups.append(GroupText(group.id, group.name, sum(r.criterion.max_points for r in rows), rows))
        out.append(LevelText(
            level=level, rules=level_text(level), groups=tuple(groups),
            bonuses=tuple((b, bonus_text(b, indicator(b.indicator))) for b in plan.bonuses_of(level.id)),
            deductions=tuple((d, deduction_text(d, indicator(d.indicator)))
                             for d in plan.deductions_of(level.id)),
            bands=tuple((b, band_text(b)) for b in plan.bands_of(level.id)),
        ))
    return tuple(out)
