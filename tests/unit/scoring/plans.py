"""Small plans built from dicts for the engine tests, and readers over a ScoreResult.

``hand_plan_dict()`` is one commune level ("xa", 100 points) that uses every criterion
method, in both directions where the format defines both, with bonuses, the three kinds of
deduction, a mandatory criterion, a ``missing = "exclude"`` criterion, an ``applies_to``
criterion and Nghệ An-style bands. Each indicator feeds exactly one item, so raising one
value moves exactly one criterion, bonus or deduction.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np

from criteria.loader import plan_from_dict
from criteria.model import Plan
from scoring.core.compile import CompiledLevel, applicability_mask
from scoring.core.engine import STATUS_NAMES, ScoreResult, score

LEVEL = "xa"
PERIOD = 2024
EPOCH = date(1970, 1, 1)

# indicator id → kind
INDICATORS: dict[str, str] = {
    "ty_le_so_hoa": "percent",  # c.ratio-hi
    "ngay_giai_quyet": "days",  # c.ratio-lo
    "ty_le_dvc": "percent",  # c.threshold-hi
    "so_ho_so_qua_han": "count",  # c.threshold-lo
    "ty_le_cccd": "percent",  # c.linear-hi (missing = exclude)
    "ngay_phan_hoi": "days",  # c.linear-lo
    "ty_le_thanh_toan": "percent",  # c.bands-hi
    "ngay_ton_dong": "days",  # c.bands-lo (applies_to commune.xa)
    "co_ke_hoach": "yes_no",  # c.yes-hi (mandatory)
    "co_su_co_attt": "yes_no",  # c.yes-lo
    "so_mo_hinh_so": "count",  # c.count-hi
    "so_mo_hinh": "count",  # bonus b.mo-hinh
    "co_sang_kien": "yes_no",  # bonus b.sang-kien
    "so_bao_cao_tre": "count",  # deduction d.bao-cao-thang
    "ngay_nop_bao_cao_nam": "date",  # deduction d.bao-cao-nam (deadline 12-16)
    "ngay_cham": "days",  # deduction d.cham-nhiem-vu
}


def _crit(cid: str, indicator: str, method: str, max_points: float, **extra: Any) -> dict[str, Any]:
    return {"id": cid, "level": LEVEL, "group": "g.chung", "name": f"Tiêu chí {cid}",
            "indicator": indicator, "method": method, "max_points": max_points,
            "source": "seeds/004 §II.2.1.c", **extra}


def hand_plan_dict() -> dict[str, Any]:
    """The plan as a dict (a fresh deep copy each call, safe to edit)."""
    criteria = [
        _crit("c.ratio-hi", "ty_le_so_hoa", "ratio_to_target", 25, target=60),
        _crit("c.ratio-lo", "ngay_giai_quyet", "ratio_to_target", 10, target=5, direction="lower"),
        _crit("c.threshold-hi", "ty_le_dvc", "threshold", 10, target=90),
        _crit("c.threshold-lo", "so_ho_so_qua_han", "threshold", 5, target=2, direction="lower"),
        _crit("c.linear-hi", "ty_le_cccd", "linear", 10, floor=50, target=100, missing="exclude"),
        _crit("c.linear-lo", "ngay_phan_hoi", "linear", 10, floor=10, target=2, direction="lower"),
        _crit("c.bands-hi", "ty_le_thanh_toan", "bands", 8, bands=[[50, 2], [70, 5], [90, 8]]),
        _crit("c.bands-lo", "ngay_ton_dong", "bands", 6, bands=[[10, 1], [5, 3], [2, 6]],
              direction="lower", applies_to=["commune.xa"]),
        _crit("c.yes-hi", "co_ke_hoach", "yes_no", 5, mandatory=True),
        _crit("c.yes-lo", "co_su_co_attt", "yes_no", 3, direction="lower"),
        _crit("c.count-hi", "so_mo_hinh_so", "count_cap", 8, points_each=2.5),
    ]
    plan: dict[str, Any] = {
        "plan": {"id": "thu-nghiem", "version": "1", "title": "Kế hoạch thử nghiệm",
                 "issuer": "UBND tỉnh", "source": "seeds/004",
                 "valid_from": date(2024, 1, 1), "valid_to": date(2025, 12, 31)},
        "levels": [{"id": LEVEL, "name": "Cấp xã", "subject": "collective",
                    "unit_kinds": ["commune"], "max_points": 100, "bonus_cap": 5,
                    "deduction_cap": 10}],
        "indicators": [{"id": i, "level": LEVEL, "name": f"Chỉ số {i}", "kind": k, "unit": "-"}
                       for i, k in INDICATORS.items()],
        "groups": [{"id": "g.chung", "level": LEVEL, "name": "Nhóm chung"}],
        "criteria": criteria,
        "bonuses": [
            {"id": "b.mo-hinh", "level": LEVEL, "name": "Mô hình hay", "indicator": "so_mo_hinh",
             "method": "count_cap", "points_each": 2, "max_points": 6, "source": "seeds/004"},
            {"id": "b.sang-kien", "level": LEVEL, "name": "Sáng kiến", "indicator": "co_sang_kien",
             "method": "yes_no", "max_points": 3, "source": "seeds/004"},
        ],
        "deductions": [
            {"id": "d.bao-cao-thang", "level": LEVEL, "name": "Báo cáo tháng trễ",
             "indicator": "so_bao_cao_tre", "method": "per_occurrence", "points_each": 1,
             "max_points": 5, "source": "seeds/003"},
            {"id": "d.bao-cao-nam", "level": LEVEL, "name": "Báo cáo năm trễ",
             "indicator": "ngay_nop_bao_cao_nam", "method": "per_day_late", "deadline": "12-16",
             "grace_days": 1, "points_each": 0.5, "max_points": 5, "source": "seeds/003"},
            {"id": "d.cham-nhiem-vu", "level": LEVEL, "name": "Chậm nhiệm vụ",
             "indicator": "ngay_cham", "method": "per_day_late", "grace_days": 2,
             "points_each": 0.2, "max_points": 4, "source": "seeds/003"},
        ],
        "bands": [
            {"id": "htxs", "level": LEVEL, "name": "Hoàn thành xuất sắc nhiệm vụ",
             "min_percent": 90, "criterion_floor": 0.85, "requires_mandatory": True},
            {"id": "httnv", "level": LEVEL, "name": "Hoàn thành tốt nhiệm vụ",
             "min_percent": 80, "criterion_floor": 0.8},
            {"id": "htnv", "level": LEVEL, "name": "Hoàn thành nhiệm vụ", "min_percent": 50},
            {"id": "khong-ht", "level": LEVEL, "name": "Không hoàn thành nhiệm vụ",
             "min_percent": 0},
        ],
        "ranking": {"order": ["percent", "final_total", "base_total", "deductions",
                              "mandatory_met"]},
    }
    return copy.deepcopy(plan)


def build(raw: dict[str, Any]) -> Plan:
    return plan_from_dict(raw, source="<thử nghiệm>")


def without_criterion(raw: dict[str, Any], criterion_id: str) -> dict[str, Any]:
    """The same plan without one criterion; the level's scale shrinks by its maximum."""
    out = copy.deepcopy(raw)
    (gone,) = [c for c in out["criteria"] if c["id"] == criterion_id]
    out["criteria"].remove(gone)
    out["levels"][0]["max_points"] -= gone["max_points"]
    out["ranking"]["order"] = [k for k in out["ranking"]["order"] if k != f"criterion:{criterion_id}"]
    return out


def day_number(d: date) -> float:
    """A ``date`` indicator value: days since 1970-01-01, as the intake stores it."""
    return float((d - EPOCH).days)


def perfect_row() -> dict[str, float]:
    """A unit that earns every criterion in full, no bonus, no deduction."""
    return {
        "ty_le_so_hoa": 100.0, "ngay_giai_quyet": 3.0, "ty_le_dvc": 95.0, "so_ho_so_qua_han": 0.0,
        "ty_le_cccd": 100.0, "ngay_phan_hoi": 1.0, "ty_le_thanh_toan": 95.0, "ngay_ton_dong": 1.0,
        "co_ke_hoach": 1.0, "co_su_co_attt": 0.0, "so_mo_hinh_so": 4.0, "so_mo_hinh": 0.0,
        "co_sang_kien": 0.0, "so_bao_cao_tre": 0.0,
        "ngay_nop_bao_cao_nam": day_number(date(PERIOD, 12, 10)), "ngay_cham": 0.0,
    }


def matrix(rows: list[dict[str, float]], indicator_ids: tuple[str, ...]) -> np.ndarray:
    """[units × indicators] in the compiled level's column order."""
    out = np.array([[r[i] for i in indicator_ids] for r in rows], dtype=np.float64)
    return out.reshape(len(rows), len(indicator_ids))


def score_rows(
    level: CompiledLevel, rows: list[dict[str, float]], kinds: Sequence[str] | None = None
) -> ScoreResult:
    """Score units given as {indicator: value}; ``kinds`` builds the applicability mask."""
    mask = None if kinds is None else applicability_mask(level, kinds, [()] * len(kinds))
    return score(level, matrix(rows, level.indicator_ids), mask)


def col(level: CompiledLevel, criterion_id: str) -> int:
    return [c.id for c in level.criteria].index(criterion_id)


def points_of(level: CompiledLevel, result: ScoreResult, unit: int) -> dict[str, float]:
    return {c.id: float(result.points[unit, j]) for j, c in enumerate(level.criteria)}


def statuses_of(level: CompiledLevel, result: ScoreResult, unit: int) -> dict[str, str]:
    return {c.id: STATUS_NAMES[result.status[unit, j]] for j, c in enumerate(level.criteria)}


def band_of(level: CompiledLevel, result: ScoreResult, unit: int) -> str:
    return level.bands[int(result.band[unit])].id


def totals_of(result: ScoreResult, unit: int) -> dict[str, float]:
    """The unit's totals as plain floats, in the order a score sheet shows them."""
    names = ("base_total", "bonus", "deductions", "final_total", "max_total", "percent")
    return {n: float(np.asarray(getattr(result, n))[unit]) for n in names}
