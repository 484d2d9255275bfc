"""A plan back to the tables of its file: :func:`plan_to_dict` is the inverse of
:func:`criteria.loader.plan_from_dict` (the same plan, the same sha256), and :func:`plan_to_toml`
writes it as a plan file, e.g. for a plan that came as a workbook or from the editor."""

from __future__ import annotations

from typing import Any

import tomli_w

from criteria.model import Plan


def _kept(row: dict[str, Any]) -> dict[str, Any]:
    """Leave out what the file would not say: unset optional numbers, empty optional lists."""
    return {k: v for k, v in row.items() if v is not None and v != ()}


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    info = plan.info
    return {
        "plan": {"id": info.id, "version": info.version, "title": info.title, "issuer": info.issuer,
                 "source": info.source, "valid_from": info.valid_from, "valid_to": info.valid_to},
        "levels": [{"id": x.id, "name": x.name, "subject": x.subject, "unit_kinds": list(x.unit_kinds),
                    "max_points": x.max_points, "bonus_cap": x.bonus_cap,
                    "deduction_cap": x.deduction_cap, "ranking_scope": x.ranking_scope}
                   for x in plan.levels],
        # an indicator's scale comes from its points criterion; the file never states it
        "indicators": [_kept({"id": x.id, "level": x.level, "name": x.name, "kind": x.kind,
                              "unit": x.unit, "min": x.min, "max": x.max}) for x in plan.indicators],
        "groups": [{"id": x.id, "level": x.level, "name": x.name} for x in plan.groups],
        "criteria": [_kept({
            "id": x.id, "level": x.level, "group": x.group, "name": x.name, "indicator": x.indicator,
            "direction": x.direction, "method": x.method, "max_points": x.max_points,
            "mandatory": x.mandatory, "applies_to": list(x.applies_to) or None, "missing": x.missing,
            "source": x.source, "target": x.target, "floor": x.floor, "points_each": x.points_each,
            "bands": [list(pair) for pair in x.bands] or None, "scale": list(x.scale) or None,
        }) for x in plan.criteria],
        "bonuses": [_kept({"id": x.id, "level": x.level, "name": x.name, "indicator": x.indicator,
                           "method": x.method, "max_points": x.max_points, "source": x.source,
                           "points_each": x.points_each}) for x in plan.bonuses],
        "deductions": [_kept({"id": x.id, "level": x.level, "name": x.name, "indicator": x.indicator,
                              "method": x.method, "points_each": x.points_each,
                              "max_points": x.max_points, "source": x.source,
                              "grace_days": x.grace_days, "deadline": x.deadline})
                       for x in plan.deductions],
        "bands": [{"id": x.id, "level": x.level, "name": x.name, "min_percent": x.min_percent,
                   "criterion_floor": x.criterion_floor, "requires_mandatory": x.requires_mandatory}
                  for x in plan.bands],
        "ranking": {"order": list(plan.ranking_order)},
    }


def plan_to_toml(plan: Plan) -> str:
    """The plan as the text of a plan file (``docs/plan-format.md``)."""
    header = (f"# {plan.info.title}\n# Kế hoạch {plan.info.id}, phiên bản {plan.info.version}; "
              f"sha256 {plan.sha256}\n\n")
    return header + tomli_w.dumps(plan_to_dict(plan))
