"""Status words and the reason sentences of a score breakdown, written once.

The run's breakdown record (``scoring.core.report.unit_records``) keeps, for every criterion, its
value, target, points, maximum and a status code; :func:`criterion_reason` turns one such row into
the sentence that the unit's page, the CLI's ``explain`` and the achievement report (PDF) all print.
The criterion's rule is read through :class:`CriterionTerms` (``criteria.model.Criterion`` has
these fields), so this module imports nothing from the project. Level and band names are never
written here: they come from the plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from presentation.numbers import NBSP, number_text

MISSING = "—"  # a value that is not there, in a table or a sentence

CRITERION_STATUS = {  # the run's reason codes (``scoring.core.engine.STATUS_NAMES``)
    "met": "Đạt",
    "partial": "Đạt một phần",
    "not_met": "Chưa đạt",
    "missing": "Thiếu số liệu",
    "not_applicable": "Không áp dụng",
    "gate_failed": "Điều kiện bắt buộc chưa đạt",
}
DISPUTE_STATUS = {"open": "Đang chờ trả lời", "accepted": "Được chấp nhận",
                  "rejected": "Không được chấp nhận"}
BATCH_STATUS = {"draft": "Dự thảo", "in_session": "Đang họp xét", "closed": "Đã họp xét xong"}
NOMINATION_RESULT = {"passed": "Đạt", "failed": "Không đạt"}
# a unit's kind (``scoring.core.units.KINDS``): what sort of body it is, within its level
UNIT_KIND_NAMES = {
    "province": "Tỉnh, thành phố", "agency.so": "Sở, cơ quan ngang sở", "agency.ban": "Ban",
    "agency.nganh_doc": "Cơ quan ngành dọc", "agency.doan_the": "Mặt trận, đoàn thể",
    "district.huyen": "Huyện", "district.thanh_pho": "Thành phố thuộc tỉnh",
    "district.quan": "Quận", "district.thi_xa": "Thị xã", "commune.xa": "Xã",
    "commune.phuong": "Phường", "commune.thi_tran": "Thị trấn", "commune.dac_khu": "Đặc khu",
    "individual.cbccvc": "Cán bộ, công chức, viên chức",
}
RUN_PUBLISHED = "Đã công bố"
RUN_PROVISIONAL = "kết quả tạm thời, chưa công bố"


class CriterionTerms(Protocol):
    """What a reason sentence needs from a criterion's rule."""

    @property
    def direction(self) -> str: ...  # "higher" | "lower"

    @property
    def missing(self) -> str: ...  # "zero" | "exclude"


class ItemTerms(Protocol):
    """What a bonus's or a deduction's sentence needs from its rule."""

    @property
    def method(self) -> str: ...

    @property
    def points_each(self) -> float | None: ...


def status_text(code: str) -> str:
    """A criterion's reason code in words (the code itself if unknown)."""
    return CRITERION_STATUS.get(code, code)


def vote_result_text(passed: bool) -> str:
    return NOMINATION_RESULT["passed" if passed else "failed"]


def period_status_text(period: Mapping[str, Any]) -> str:
    """An assessment period's state: locked, open for data entry, or outside its entry window."""
    if period.get("locked"):
        return "Đã khóa (kết quả đã công bố)"
    return "Đang mở nhập số liệu" if period.get("entry_open") else "Ngoài thời hạn nhập"


def measure_text(value: float | int | str | None, unit: str = "") -> str:
    """A breakdown value with its unit: "85,5 %", "12 văn bản"; words ("Có", a date) as they are."""
    if value is None:
        return MISSING
    if isinstance(value, str):
        return value
    text = number_text(value)
    return f"{text}{NBSP}{unit.strip()}" if unit.strip() else text


def goal_text(c: Mapping[str, Any], rule: CriterionTerms | None) -> str:
    """What the unit had to reach, with "không quá" when lower is better."""
    target = measure_text(c["target"], c.get("unit") or "")
    if rule is not None and rule.direction == "lower" and not isinstance(c["target"], str):
        return f"không quá {target}"
    return target


def criterion_reason(c: Mapping[str, Any], rule: CriterionTerms | None = None) -> str:
    """Why a criterion earned what it did, in one sentence (its status word is shown apart)."""
    value, goal = measure_text(c["value"], c.get("unit") or ""), goal_text(c, rule)
    points, top = number_text(c["points"]), number_text(c["max_points"])
    status = c["status"]
    gate = "; đơn vị không được xét các mức xếp loại yêu cầu đạt đủ tiêu chí bắt buộc."
    if status == "not_applicable":
        return "Tiêu chí không áp dụng với đơn vị: không tính điểm và không tính vào điểm tối đa."
    if c["value"] is None:
        if status == "gate_failed":
            return f"Thiếu số liệu của tiêu chí bắt buộc: 0/{top} điểm{gate}"
        if rule is not None and rule.missing == "exclude":
            return "Chưa có số liệu: theo kế hoạch, tiêu chí này không tính vào điểm tối đa."
        return f"Chưa có số liệu nên được 0/{top} điểm. Hãy nhập số liệu và minh chứng."
    if status == "met":
        return f"Kết quả {value}, yêu cầu {goal}: được đủ {top} điểm."
    if status == "not_met":
        return f"Kết quả {value}, chưa tới mức được tính điểm (yêu cầu {goal}): 0/{top} điểm."
    if status == "partial":
        return f"Kết quả {value}, yêu cầu {goal}: được {points}/{top} điểm."
    return f"Tiêu chí bắt buộc chưa đạt đủ: kết quả {value}, yêu cầu {goal}, được {points}/{top} điểm{gate}"


def bonus_reason(item: Mapping[str, Any], rule: ItemTerms | None = None, unit: str = "") -> str:
    """Why a bonus added what it did."""
    top = number_text(item["max_points"])
    if item["value"] is None:
        return "Chưa có số liệu nên chưa được cộng điểm."
    value = measure_text(item["value"], unit)
    each = ""
    if rule is not None and rule.points_each:
        each = f", {number_text(rule.points_each)} điểm mỗi {unit or 'lần'}"
    if not item["points"]:
        return f"Kết quả {value}: chưa được cộng điểm (tối đa {top} điểm{each})."
    return f"Kết quả {value}: được cộng {number_text(item['points'])} điểm (tối đa {top} điểm{each})."


def deduction_reason(item: Mapping[str, Any], rule: ItemTerms | None = None, unit: str = "") -> str:
    """Why a deduction took what it did; a late report names its deadline (``MM-DD``)."""
    points, top = number_text(item["points"]), number_text(item["max_points"])
    deadline_code = getattr(rule, "deadline", None)
    if rule is not None and rule.method == "per_day_late" and deadline_code:
        month, day = str(deadline_code).split("-")
        deadline = f"hạn {day}/{month}"
        if item["value"] is None:
            return f"Chưa có ngày gửi ({deadline}); không bị trừ điểm cho tới khi có số liệu."
        if not item["points"]:
            return f"Gửi ngày {item['value']}, trong {deadline}: không bị trừ điểm."
        each = f"{number_text(rule.points_each)} điểm mỗi ngày chậm, tối đa {top}"
        return f"Gửi ngày {item['value']}, chậm so với {deadline}: bị trừ {points} điểm ({each})."
    if item["value"] is None:
        return "Không có số liệu về vi phạm nên không bị trừ điểm."
    value = measure_text(item["value"], unit)
    if not item["points"]:
        return f"Kết quả {value}: không bị trừ điểm."
    each = f"{number_text(rule.points_each)} điểm mỗi {unit or 'lần'}, " if rule is not None else ""
    return f"Kết quả {value}: bị trừ {points} điểm ({each}tối đa {top})."
