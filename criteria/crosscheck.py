"""Checks that need the whole plan: references, uniqueness, method parameters, sums."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from criteria.fields import PlanIssue
from criteria.model import CRITERION_METHODS, DIRECTIONS, RANKING_KEYS, Criterion, Plan
from presentation.numbers import exact_number_text, number_text

EPS = 1e-9


def check_references(plan: Plan) -> list[PlanIssue]:
    """Every reference between the plan's tables, in the order a reader meets them."""
    refs = _References(plan)
    ids: dict[str, Iterable[str]] = {
        "levels": (x.id for x in plan.levels), "indicators": (x.id for x in plan.indicators),
        "groups": (x.id for x in plan.groups), "criteria": (x.id for x in plan.criteria),
        "bonuses": (x.id for x in plan.bonuses), "deductions": (x.id for x in plan.deductions)}
    for table, found in ids.items():
        _unique(table, found, refs.issues)
    refs.indicators_and_groups()
    refs.criteria()
    refs.level_sums()
    refs.bonuses_and_deductions()
    refs.issues.extend(_check_bands(plan, refs.level_ids))
    refs.ranking()
    return refs.issues


class _References:
    """The reference checks of one plan; each method adds what it finds to ``issues``."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.issues: list[PlanIssue] = []
        self.level_ids = {lvl.id for lvl in plan.levels}
        self.indicators = {i.id: i for i in plan.indicators}
        self.groups = {g.id: g for g in plan.groups}

    def add(self, path: str, message: str) -> None:
        self.issues.append(PlanIssue(path, message))

    def level_ok(self, path: str, level: str) -> bool:
        if level and level not in self.level_ids:
            self.add(f"{path}.level", f"cấp «{level}» không có trong [[levels]]")
            return False
        return bool(level)

    def indicator_ok(self, path: str, level: str, ind_id: str, kinds: Sequence[str] = ()) -> None:
        ind = self.indicators.get(ind_id)
        if ind_id and ind is None:
            self.add(f"{path}.indicator", f"chỉ số «{ind_id}» không có trong [[indicators]]")
        elif ind is not None and ind.level != level:
            self.add(f"{path}.indicator",
                     f"chỉ số «{ind_id}» thuộc cấp «{ind.level}», không thuộc cấp «{level}»")
        elif ind is not None and kinds and ind.kind not in kinds:
            self.add(f"{path}.indicator", f"chỉ số «{ind_id}» có kiểu «{ind.kind}»; "
                                          f"phương pháp này cần kiểu {' hoặc '.join(kinds)}")

    def indicators_and_groups(self) -> None:
        for n, ind in enumerate(self.plan.indicators):
            self.level_ok(f"indicators[{n}]", ind.level)
            if ind.min is not None and ind.max is not None and ind.min > ind.max:
                self.add(f"indicators[{n}].max", "giá trị tối đa nhỏ hơn giá trị tối thiểu")
        for n, grp in enumerate(self.plan.groups):
            self.level_ok(f"groups[{n}]", grp.level)

    def criteria(self) -> None:
        for n, crit in enumerate(self.plan.criteria):
            path = f"criteria[{n}]"
            if not self.level_ok(path, crit.level):
                continue
            found = self.groups.get(crit.group)
            if crit.group and found is None:
                self.add(f"{path}.group", f"nhóm «{crit.group}» không có trong [[groups]]")
            elif found is not None and found.level != crit.level:
                self.add(f"{path}.group", f"nhóm «{crit.group}» thuộc cấp khác")
            kinds = {"yes_no": ("yes_no",), "points": ("points",)}.get(crit.method, ())
            self.indicator_ok(path, crit.level, crit.indicator, kinds)
            self.issues.extend(_check_method(path, crit, self.indicators.get(crit.indicator)))
            self.issues.extend(_check_applies(path, crit, self.plan))

    def level_sums(self) -> None:
        for n, lvl in enumerate(self.plan.levels):
            total = sum(c.max_points for c in self.plan.criteria if c.level == lvl.id)
            if not self.plan.criteria_of(lvl.id):
                self.add(f"levels[{n}]", f"cấp «{lvl.id}» chưa có tiêu chí nào")
            elif abs(total - lvl.max_points) > 1e-6:
                self.add(f"levels[{n}].max_points",
                         f"tổng điểm tối đa các tiêu chí của cấp «{lvl.id}» là "
                         f"{number_text(total)}, khác thang điểm {exact_number_text(lvl.max_points)}")

    def bonuses_and_deductions(self) -> None:
        for n, bonus in enumerate(self.plan.bonuses):
            if self.level_ok(f"bonuses[{n}]", bonus.level):
                self.indicator_ok(f"bonuses[{n}]", bonus.level, bonus.indicator,
                                  ("yes_no",) if bonus.method == "yes_no" else ("count", "number"))
        for n, ded in enumerate(self.plan.deductions):
            if not self.level_ok(f"deductions[{n}]", ded.level):
                continue
            if ded.method == "per_day_late":
                kinds: tuple[str, ...] = ("date",) if ded.deadline else ("days",)
            else:
                kinds = ("count", "number")
            self.indicator_ok(f"deductions[{n}]", ded.level, ded.indicator, kinds)
            if ded.deadline and ded.method != "per_day_late":
                self.add(f"deductions[{n}].deadline", "chỉ dùng với phương pháp per_day_late")

    def ranking(self) -> None:
        crit_ids = {c.id for c in self.plan.criteria}
        for n, key in enumerate(self.plan.ranking_order):
            if key.startswith("criterion:"):
                if key.removeprefix("criterion:") not in crit_ids:
                    self.add(f"ranking.order[{n}]", f"tiêu chí «{key[10:]}» không tồn tại")
            elif key not in RANKING_KEYS:
                self.add(f"ranking.order[{n}]", f"khóa xếp hạng «{key}» không hợp lệ; dùng "
                                                f"{', '.join(RANKING_KEYS)} hoặc criterion:<mã>")


def _unique(table: str, ids: Iterable[str], issues: list[PlanIssue]) -> None:
    ids = list(ids)
    counts = Counter(ids)
    for n, value in enumerate(ids):
        if value and counts[value] > 1 and ids.index(value) != n:
            issues.append(PlanIssue(f"{table}[{n}].id", f"mã «{value}» bị trùng với "
                                                        f"{table}[{ids.index(value)}]"))


def _check_method(path: str, c: Criterion, indicator: object) -> list[PlanIssue]:
    out: list[PlanIssue] = []
    if c.direction not in DIRECTIONS or c.method not in CRITERION_METHODS:
        return out  # already reported; checks that depend on them would only add noise
    higher = c.direction == "higher"
    kind = getattr(indicator, "kind", None)
    if c.mandatory and c.missing == "exclude":
        out.append(PlanIssue(f"{path}.missing", "tiêu chí bắt buộc không được bỏ qua khi thiếu số "
                                                "liệu; dùng missing = \"zero\""))
    if c.method == "ratio_to_target" and c.target is not None and c.target <= 0:
        out.append(PlanIssue(f"{path}.target", "chỉ tiêu phải lớn hơn 0 với phương pháp ratio_to_target"))
    if kind == "percent" and c.target is not None and not 0 <= c.target <= 100:
        out.append(PlanIssue(f"{path}.target", f"chỉ tiêu tỷ lệ phải trong khoảng 0–100 "
                                               f"(đang là {exact_number_text(c.target)})"))
    if c.method == "linear" and c.target is not None and c.floor is not None:
        if higher and c.floor >= c.target:
            out.append(PlanIssue(f"{path}.floor", "với chiều «higher», mức sàn phải nhỏ hơn chỉ tiêu"))
        if not higher and c.floor <= c.target:
            out.append(PlanIssue(f"{path}.floor", "với chiều «lower», mức sàn phải lớn hơn chỉ tiêu"))
    if c.method == "points" or c.scale:
        out.extend(_check_points(path, c, indicator))
    if c.method == "bands" and c.bands:
        thresholds = [t for t, _ in c.bands]
        points = [p for _, p in c.bands]
        ordered = sorted(set(thresholds), reverse=not higher)
        if thresholds != ordered:
            way = "tăng dần" if higher else "giảm dần"
            out.append(PlanIssue(f"{path}.bands", f"các ngưỡng phải {way} và không trùng nhau"))
        if points != sorted(points) or points[0] < 0:
            out.append(PlanIssue(f"{path}.bands", "điểm của các ngưỡng phải không âm và không giảm"))
        if abs(points[-1] - c.max_points) > EPS:
            top = exact_number_text(c.max_points)
            out.append(PlanIssue(f"{path}.bands", f"ngưỡng cuối phải cho đủ {top} điểm tối đa"))
    return out


def _check_points(path: str, c: Criterion, indicator: object) -> list[PlanIssue]:
    """A criterion scored directly in points: higher is better, a scale within 0–maximum,
    ascending, and an indicator whose bounds stay within the maximum."""
    out: list[PlanIssue] = []
    if c.method != "points":
        return [PlanIssue(f"{path}.scale", "chỉ dùng với phương pháp points")]
    if c.direction != "higher":
        out.append(PlanIssue(f"{path}.direction", "tiêu chí chấm trực tiếp bằng điểm phải có chiều «higher»"))
    top = exact_number_text(c.max_points)
    if c.scale and (list(c.scale) != sorted(set(c.scale)) or c.scale[0] < 0
                    or c.scale[-1] > c.max_points + EPS):
        out.append(PlanIssue(f"{path}.scale",
                             f"các mức điểm phải tăng dần, không trùng, trong khoảng 0–{top}"))
    high = getattr(indicator, "max", None)
    low = getattr(indicator, "min", None)
    if high is not None and high > c.max_points + EPS:
        out.append(PlanIssue(f"{path}.indicator", f"mức tối đa của chỉ số ({exact_number_text(high)}) "
                                                  f"vượt điểm tối đa của tiêu chí ({top})"))
    if low is not None and low < 0:
        out.append(PlanIssue(f"{path}.indicator", "mức tối thiểu của chỉ số điểm không được âm"))
    return out


def _check_applies(path: str, c: Criterion, plan: Plan) -> list[PlanIssue]:
    out: list[PlanIssue] = []
    kinds = plan.level(c.level).unit_kinds
    for n, entry in enumerate(c.applies_to):
        if entry.startswith("tag:"):
            if len(entry) == 4:
                out.append(PlanIssue(f"{path}.applies_to[{n}]", "thiếu tên nhãn sau «tag:»"))
        elif not any(entry == k or entry.startswith(k + ".") for k in kinds):
            out.append(PlanIssue(f"{path}.applies_to[{n}]", f"loại đơn vị «{entry}» không thuộc cấp "
                                                            f"«{c.level}» ({', '.join(kinds)})"))
    return out


def _check_bands(plan: Plan, level_ids: set[str]) -> list[PlanIssue]:
    out: list[PlanIssue] = []
    for lvl in plan.levels:
        indexed = [(n, b) for n, b in enumerate(plan.bands) if b.level == lvl.id]
        if not indexed:
            out.append(PlanIssue("bands", f"cấp «{lvl.id}» chưa có mức xếp loại nào"))
            continue
        seen: set[str] = set()
        for n, band in indexed:
            if band.id in seen:
                out.append(PlanIssue(f"bands[{n}].id", f"mã xếp loại «{band.id}» bị trùng trong cấp"))
            seen.add(band.id)
            if not 0 <= band.criterion_floor <= 1:
                out.append(PlanIssue(f"bands[{n}].criterion_floor", "phải là tỷ lệ trong khoảng 0–1"))
        mins = [b.min_percent for _, b in indexed]
        if mins != sorted(mins, reverse=True):
            out.append(PlanIssue(f"bands[{indexed[0][0]}]", f"các mức xếp loại của cấp «{lvl.id}» "
                                                            "phải xếp từ cao xuống thấp"))
        n, last = indexed[-1]
        if last.min_percent or last.criterion_floor or last.requires_mandatory:
            out.append(PlanIssue(f"bands[{n}]", "mức xếp loại cuối phải nhận mọi đơn vị "
                                                "(min_percent = 0, criterion_floor = 0, "
                                                "requires_mandatory = false)"))
    for n, band in enumerate(plan.bands):
        if band.level and band.level not in level_ids:
            out.append(PlanIssue(f"bands[{n}].level", f"cấp «{band.level}» không có trong [[levels]]"))
    return out
