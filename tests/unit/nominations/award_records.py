"""Small builders for the nomination tests: run records in the report shape, rule set documents.

Records are plain dicts in the shape of ``scoring.core.report.unit_records``; nothing is mocked.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date
from typing import Any

from nominations.rules import RuleSet
from nominations.rules_loader import load_rule_set, rule_set_from_dict, shipped_rule_set_path

BAND_NAMES = {"htxs": "Hoàn thành xuất sắc nhiệm vụ", "httnv": "Hoàn thành tốt nhiệm vụ",
              "htnv": "Hoàn thành nhiệm vụ", "khong-ht": "Không hoàn thành nhiệm vụ"}
VOTE = {"threshold_percent": 80, "denominator": "members", "secret_ballot": True,
        "legal_basis": "khoản 7 Điều 30 Nghị định 98/2023/NĐ-CP"}


@functools.cache
def shipped() -> RuleSet:
    return load_rule_set(shipped_rule_set_path())


def criterion(cid: str, name: str, status: str = "met", mandatory: bool = True) -> dict[str, Any]:
    return {"id": cid, "group": "g", "name": name, "value": None, "unit": "%", "target": 100,
            "points": 10 if status == "met" else 0, "max_points": 10, "status": status,
            "mandatory": mandatory}


def record(code: str, *, total: float = 95.0, level: str = "agency", cluster: str | None = "cum.a",
           cluster_name: str | None = "Cụm thi đua A", band: str = "htxs", rank_in_cluster: int = 1,
           cluster_size: int = 3, rank_overall: int = 1, gate_failed: bool = False,
           criteria: Sequence[dict[str, Any]] = (), name: str | None = None) -> dict[str, Any]:
    """One unit's record; percent = total of 100."""
    return {
        "unit_code": code, "unit_name": name or f"Đơn vị {code}", "level": level,
        "cluster": cluster, "cluster_name": cluster_name, "total": total, "max": 100,
        "percent": total, "band": band, "band_name": BAND_NAMES.get(band, band),
        "rank_in_cluster": rank_in_cluster, "cluster_size": cluster_size,
        "rank_overall": rank_overall, "base_total": total, "bonus": 0, "deductions": 0,
        "gate_failed": gate_failed, "criteria": list(criteria), "bonus_items": [],
        "deduction_items": [],
    }


def version_doc(conditions: Sequence[dict[str, Any]], *, valid_from: date = date(2024, 1, 1),
                valid_to: date | None = None, quota: dict[str, Any] | None = None,
                vote: dict[str, Any] | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {"valid_from": valid_from, "legal_basis": "Điều 74 Luật 06/2022/QH15",
                           "vote": dict(vote or VOTE), "conditions": [dict(c) for c in conditions]}
    if valid_to is not None:
        doc["valid_to"] = valid_to
    if quota is not None:
        doc["quota"] = dict(quota)
    return doc


def award_doc(award_id: str, versions: Sequence[dict[str, Any]], *, recipient: str = "collective",
              levels: Sequence[str] = ("agency",), multiple: float = 3.0,
              title: str = "bang-khen-tinh") -> dict[str, Any]:
    return {"id": award_id, "name": f"Khen thưởng thử {award_id}", "short_name": award_id,
            "recipient": recipient, "levels": list(levels), "form": "Bằng khen", "kind": "thematic",
            "multiple": multiple, "title": title, "versions": list(versions)}


def rule_set_doc(*awards: dict[str, Any]) -> dict[str, Any]:
    return {
        "rule_set": {"id": "thu-nghiem", "name": "Bộ quy tắc thử nghiệm", "plan_id": "ke-hoach-thu"},
        "women_preference": {"citation": "Điều 4 Nghị định 152/2025/NĐ-CP",
                             "collective_share_percent": 70},
        "base_salaries": [
            {"valid_from": date(2023, 7, 1), "amount": 1_800_000, "legal_basis": "Nghị định 24/2023/NĐ-CP"},
            {"valid_from": date(2024, 7, 1), "amount": 2_340_000, "legal_basis": "Nghị định 73/2024/NĐ-CP"},
        ],
        "awards": list(awards),
    }


def one_award(conditions: Sequence[dict[str, Any]], *, quota: dict[str, Any] | None = None,
              **award: Any) -> RuleSet:
    """A rule set with a single award "thu" in force from 2024 under ``conditions``."""
    version = version_doc(conditions, quota=quota)
    return rule_set_from_dict(rule_set_doc(award_doc("thu", [version], **award)))
