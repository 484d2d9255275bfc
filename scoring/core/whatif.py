"""What-if: change some of one unit's values, re-score the level in memory, compare its record.

Nothing is written anywhere. A :class:`WhatIfModel` is built once per run (a run never changes):
the plan compiled, the level's value matrix, the applicability mask, the clusters and the
unit-code order are kept. Each question copies the matrix, replaces the unit's row, scores and
ranks the whole level with the engine (so ranks move exactly as a new run would move them) and
builds only that unit's record with :func:`scoring.core.report.unit_records`, the shape a run stores.
Given the values the run used, the answer is the run's stored record, byte for byte.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np
import pandas as pd

from criteria.model import Indicator, Plan
from presentation.numbers import exact_number_text
from scoring.core.compile import F64, applicability_mask
from scoring.core.engine import ScoreResult, score
from scoring.core.pipeline import LevelResult, score_level
from scoring.core.reading import parse_value
from scoring.core.report import plain_number, shown_value, unit_records
from scoring.core.rules import Ranking, rank, unit_code_order
from scoring.core.units import Registry

TOTALS = ("total", "percent", "base_total", "bonus", "deductions")
RANKS = ("rank_in_cluster", "rank_overall")


@dataclass(frozen=True)
class OverrideIssue:
    indicator: str
    message: str


class OverrideError(ValueError):
    """Some of the values to try were refused; ``issues`` names each indicator and why."""

    def __init__(self, issues: Iterable[OverrideIssue]) -> None:
        self.issues = tuple(issues)
        super().__init__(" ".join(i.message for i in self.issues))


def _rows(result: ScoreResult, rows: slice) -> ScoreResult:
    """The engine's result restricted to some units (every per-unit array sliced)."""
    per_unit = {f.name: getattr(result, f.name)[rows] for f in fields(result) if f.name != "exclude_missing"}
    return replace(result, **per_unit)


class WhatIfModel:
    """A scored level kept in memory to answer “what if this unit had reported these values”."""

    def __init__(self, plan: Plan, registry: Registry, scored: LevelResult) -> None:
        self.plan = plan
        self.registry = registry
        self.scored = scored
        c = scored.compiled
        self._row = {u.code: i for i, u in enumerate(scored.units)}
        self._col = {ind: j for j, ind in enumerate(c.indicator_ids)}
        self._indicators = {i.id: i for i in plan.indicators}
        self._mask = applicability_mask(c, [u.kind for u in scored.units], [u.tags for u in scored.units])
        _, clusters = np.unique(np.array([u.cluster or "" for u in scored.units], dtype=str),
                                return_inverse=True)
        self._clusters = clusters.astype(np.int64).reshape(-1)
        self._code_order = unit_code_order(np.array([u.code for u in scored.units], dtype=str))

    @classmethod
    def from_frame(cls, plan: Plan, registry: Registry, frame: pd.DataFrame, level: str,
                   year: int) -> WhatIfModel:
        """Score the level from long-form values (those of a run) and keep it."""
        return cls(plan, registry, score_level(plan, registry, frame, level, year))

    def has(self, unit_code: str) -> bool:
        return unit_code in self._row

    def records(self) -> list[dict[str, Any]]:
        """Every unit's record, as a run with these values stores them (best rank first)."""
        return unit_records(self.plan, self.registry, self.scored)

    def record(self, unit_code: str) -> dict[str, Any]:
        """The unit's record as scored (raises ``KeyError`` for a unit not in the level)."""
        s = self.scored
        return self._record(self._row[unit_code], s.values, s.result, s.ranking)

    def _record(self, i: int, values: F64, result: ScoreResult, ranking: Ranking) -> dict[str, Any]:
        one = slice(i, i + 1)
        sub = LevelResult(self.scored.compiled, (self.scored.units[i],), values[one], _rows(result, one),
                          Ranking(ranking.rank_overall[one], ranking.rank_in_cluster[one],
                                  ranking.cluster_size[one]))
        return unit_records(self.plan, self.registry, sub)[0]

    def inputs(self, unit_code: str) -> list[dict[str, Any]]:
        """Every indicator of the level with the unit's value as the run used it, written as people
        write it (``85,5``, ``Có``, ``15/12/2024``; None if missing): a what-if form, prefilled."""
        row = self.scored.values[self._row[unit_code]]
        fields = []
        for j, ind_id in enumerate(self.scored.compiled.indicator_ids):
            ind, value = self._indicators[ind_id], float(row[j])
            exact = not math.isnan(value) and ind.kind not in ("date", "yes_no")
            fields.append({"indicator": ind.id, "name": ind.name, "kind": ind.kind, "unit": ind.unit,
                           "value": exact_number_text(value) if exact else shown_value(value, ind)})
        return fields

    def parse(self, overrides: Mapping[str, object]) -> dict[str, float]:
        """Read each value as an upload would (``None`` removes it); every refusal is listed."""
        level = self.scored.compiled.level
        parsed: dict[str, float] = {}
        issues: list[OverrideIssue] = []
        for ind_id, raw in overrides.items():
            indicator = self._indicators.get(ind_id)
            if indicator is None:
                issues.append(OverrideIssue(ind_id, f"Chỉ tiêu «{ind_id}» không có trong kế hoạch."))
            elif ind_id not in self._col:
                other = self.plan.level(indicator.level).name
                issues.append(OverrideIssue(ind_id, f"Chỉ tiêu «{indicator.name}» ({ind_id}) thuộc cấp "
                                                    f"«{other}», không dùng để chấm cấp «{level.name}»."))
            elif raw is None:
                parsed[ind_id] = math.nan
            else:
                try:
                    parsed[ind_id] = parse_value(raw, indicator) + 0.0
                except ValueError as err:
                    issues.append(OverrideIssue(ind_id, f"Giá trị của chỉ tiêu «{indicator.name}» "
                                                        f"({ind_id}) không hợp lệ: {err}"))
        if issues:
            raise OverrideError(issues)
        return parsed

    def what_if(self, unit_code: str, overrides: Mapping[str, object]) -> dict[str, Any]:
        """The unit's record before and after its values are replaced by ``overrides``.

        Raises ``KeyError`` for a unit not in the level, :class:`OverrideError` for bad values.
        """
        i = self._row[unit_code]
        parsed = self.parse(overrides)
        s = self.scored
        values = s.values.copy(order="F")
        for ind_id, value in parsed.items():
            values[i, self._col[ind_id]] = value
        result = score(s.compiled, values, self._mask)
        ranking = rank(s.compiled, result, self._clusters, self._code_order)
        before = self.record(unit_code)
        after = self._record(i, values, result, ranking)
        return {
            "unit_code": unit_code,
            "values": {k: shown_value(v, self._indicators[k]) for k, v in parsed.items()},
            "before": before,
            "after": after,
            "differences": differences(before, after),
        }


def differences(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """After minus before: totals, ranks (negative = better) and the points of every criterion."""
    out: dict[str, Any] = {k: plain_number(after[k] - before[k]) for k in TOTALS}
    out.update({k: after[k] - before[k] for k in RANKS})
    out["band"] = {"before": before["band"], "after": after["band"]}
    out["criteria"] = [
        {"id": a["id"], "name": a["name"], "points_before": b["points"], "points_after": a["points"],
         "difference": plain_number(a["points"] - b["points"]), "status_before": b["status"],
         "status_after": a["status"]}
        for b, a in zip(before["criteria"], after["criteria"], strict=True)
    ]
    return out


def frame_from_records(plan: Plan, level: str, records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Read back the values a run's stored records show (criteria, bonuses, deductions).

    Shown numbers are rounded to hundredths, so the caller must check that re-scoring these
    values gives the run's records again before trusting them.
    """
    indicators = {i.id: i for i in plan.indicators}
    items: dict[str, dict[str, Indicator]] = {
        "criteria": {c.id: indicators[c.indicator] for c in plan.criteria_of(level)},
        "bonus_items": {b.id: indicators[b.indicator] for b in plan.bonuses_of(level)},
        "deduction_items": {d.id: indicators[d.indicator] for d in plan.deductions_of(level)},
    }
    rows: dict[tuple[str, str], float] = {}
    for record in records:
        for part, by_id in items.items():
            for item in record[part]:
                if item["value"] is not None:
                    ind = by_id[item["id"]]
                    rows[(record["unit_code"], ind.id)] = parse_value(item["value"], ind) + 0.0
    frame = pd.DataFrame([(u, i, v) for (u, i), v in rows.items()],
                         columns=["unit_code", "indicator", "value"])
    return frame.sort_values(["unit_code", "indicator"], kind="stable", ignore_index=True)
