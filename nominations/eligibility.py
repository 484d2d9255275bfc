"""Evaluate one award over a published run: who is eligible, who the quota cuts, near misses.

Only records of the award's levels are considered, under the award version in force on
31 December of the achievement year. A unit meeting every condition is eligible; the quota
then keeps, within each scope group (cluster, parent body or level), the first N by merit:

1. total, higher first (equal totals are equal merit);
2. on equal merit, the women preference (Decree 152/2025 Art. 4): a woman, or a collective
   with at least the rule set's share of women among the people whose parent it is;
3. then the plan's own order (``rank_overall``, lower first).

Every cut carries its reason in Vietnamese, naming the group and the quota, and saying when
the women preference decided it. A near miss failed exactly one condition.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from nominations.conditions import ConditionResult, Subject, check_all
from nominations.history import History
from nominations.rules import Award, AwardVersion, RuleSet
from presentation.numbers import number_text
from presentation.times import date_text

WOMAN = "nu"


@dataclass(frozen=True, slots=True)
class Person:
    code: str
    name: str
    level: str
    sex: str | None  # "nu" | "nam" | None
    parent: str | None  # the collective's unit code


@dataclass(frozen=True, slots=True)
class Candidate:
    unit_code: str
    unit_name: str
    level: str
    cluster: str | None
    cluster_name: str | None
    parent: str | None
    total: float | None
    percent: float | None
    band: str
    rank_in_cluster: int
    cluster_size: int
    rank_overall: int
    conditions: tuple[ConditionResult, ...]
    failed: tuple[ConditionResult, ...]
    women_preferred: bool
    cut_reason: str | None = None  # None when kept


@dataclass(frozen=True, slots=True)
class AwardEvaluation:
    award: Award
    version: AwardVersion | None
    year: int
    eligible: tuple[Candidate, ...]  # kept after the quota, merit order
    cut: tuple[Candidate, ...]  # met every condition, cut by the quota (cut_reason says why)
    near_misses: tuple[Candidate, ...]  # exactly one condition failed, merit order
    refused: tuple[Candidate, ...]  # every candidate failing a condition, merit order
    refused_count: int
    out_of_force_reason: str | None = None


def evaluate(rule_set: RuleSet, award_id: str, records: Sequence[Mapping[str, Any]],
             people: Mapping[str, Person], history: History, year: int,
             level_names: Mapping[str, str] | None = None,
             band_names: Mapping[str, str] | None = None) -> AwardEvaluation:
    """``level_names``, ``band_names``: the plan's names of its levels and bands (id → name), used
    in the quota's reasons and the conditions' words."""
    award = rule_set.award(award_id)
    day = date(year, 12, 31)
    version = award.version_on(day)
    considered = [r for r in records if r["level"] in award.levels]
    if version is None:
        periods = ", ".join(f"{v.period_text()} ({v.legal_basis})" for v in award.versions)
        reason = (f"Không có quy định nào về «{award.name}» có hiệu lực vào ngày {date_text(day)} "
                  f"(ngày tính thành tích năm {year}); các quy định hiện có: {periods}")
        return AwardEvaluation(award, None, year, (), (), (), (), len(considered), reason)
    women = _women_collectives(people, rule_set.women_share_percent)
    candidates = [_candidate(r, version, award, people, women, history, year, band_names)
                  for r in considered]
    passing = [c for c in candidates if not c.failed]
    refused = sorted((c for c in candidates if c.failed), key=merit_key)
    kept, cut = _apply_quota(passing, version, rule_set, records, level_names or {})
    return AwardEvaluation(
        award=award, version=version, year=year, eligible=tuple(kept), cut=tuple(cut),
        near_misses=tuple(c for c in refused if len(c.failed) == 1), refused=tuple(refused),
        refused_count=len(refused),
    )


def merit_key(c: Candidate) -> tuple[float, bool, int]:
    """Sort key, best first: total desc, then the women preference, then the plan's order."""
    total = float("-inf") if c.total is None else float(c.total)
    return (-total, not c.women_preferred, c.rank_overall)


def _women_collectives(people: Mapping[str, Person], share: int) -> set[str]:
    members: dict[str, list[Person]] = {}
    for person in people.values():
        if person.parent:
            members.setdefault(person.parent, []).append(person)
    return {code for code, group in members.items()
            if sum(p.sex == WOMAN for p in group) * 100 >= share * len(group)}


def _candidate(record: Mapping[str, Any], version: AwardVersion, award: Award,
               people: Mapping[str, Person], women: set[str], history: History,
               year: int, band_names: Mapping[str, str] | None = None) -> Candidate:
    code = record["unit_code"]
    person = people.get(code)
    if award.recipient == "individual":
        preferred = person is not None and person.sex == WOMAN
    else:
        preferred = code in women
    results = check_all(version.conditions, Subject(code, year, history, record, award.id, band_names))
    return Candidate(
        unit_code=code, unit_name=record["unit_name"], level=record["level"],
        cluster=record.get("cluster"), cluster_name=record.get("cluster_name"),
        parent=person.parent if person else None, total=record.get("total"),
        percent=record.get("percent"), band=record["band"],
        rank_in_cluster=record["rank_in_cluster"], cluster_size=record["cluster_size"],
        rank_overall=record["rank_overall"], conditions=results,
        failed=tuple(r for r in results if not r.met), women_preferred=preferred,
    )


def _apply_quota(passing: list[Candidate], version: AwardVersion, rule_set: RuleSet,
                 records: Iterable[Mapping[str, Any]],
                 level_names: Mapping[str, str]) -> tuple[list[Candidate], list[Candidate]]:
    ordered = sorted(passing, key=merit_key)
    quota = version.quota
    if quota is None:
        return ordered, []
    names = {r["unit_code"]: r["unit_name"] for r in records}
    groups: dict[str | None, list[Candidate]] = {}
    for c in ordered:
        key = {"cluster": c.cluster, "parent": c.parent, "level": c.level}[quota.scope]
        groups.setdefault(key, []).append(c)
    kept: list[Candidate] = []
    cut: list[Candidate] = []
    for key, group in groups.items():
        scope = _scope_name(quota.scope, key, group[0], names, level_names)
        kept.extend(group[:quota.n])
        for c in group[quota.n:]:
            reason = _cut_reason(c, group[:quota.n], scope, quota.n, rule_set.women_preference)
            cut.append(dataclasses.replace(c, cut_reason=reason))
    return sorted(kept, key=merit_key), sorted(cut, key=merit_key)


def _scope_name(scope: str, key: str | None, first: Candidate, names: Mapping[str, str],
                level_names: Mapping[str, str]) -> str:
    if scope == "cluster":
        return first.cluster_name or key or "Nhóm các đơn vị không thuộc cụm, khối thi đua"
    if scope == "parent":
        return f"Đơn vị {names.get(key, key)}" if key else "Nhóm cá nhân chưa rõ đơn vị công tác"
    return level_names.get(first.level, f"Cấp «{first.level}»")


def _points(c: Candidate) -> str:
    return "chưa có điểm" if c.total is None else f"{number_text(c.total)} điểm"


def _cut_reason(c: Candidate, kept: list[Candidate], scope: str, n: int, citation: str) -> str:
    head = f"{scope} chỉ có {n} suất"
    tied = [k for k in kept if k.total == c.total]
    if not tied:
        last = kept[-1]
        return f"{head}; {_points(c)}, thấp hơn «{last.unit_name}» ({_points(last)}), suất cuối cùng"
    names = ", ".join(f"«{k.unit_name}»" for k in tied)
    if any(k.women_preferred for k in tied) and not c.women_preferred:
        return f"{head}; bằng điểm với {names} ({_points(c)}), ưu tiên nữ theo {citation}"
    ranks = ", ".join(str(k.rank_overall) for k in tied)
    return (f"{head}; bằng điểm với {names} ({_points(c)}), xếp sau theo thứ tự xếp hạng của "
            f"kế hoạch (hạng chung {c.rank_overall}, sau hạng {ranks})")


def candidate_dict(c: Candidate) -> dict[str, Any]:
    """The candidate as plain JSON-ready data."""
    out = {f.name: getattr(c, f.name) for f in dataclasses.fields(c)}
    out["conditions"] = [_result_dict(r) for r in c.conditions]
    out["failed"] = [_result_dict(r) for r in c.failed]
    return out


def _result_dict(r: ConditionResult) -> dict[str, Any]:
    return {"kind": r.kind, "text": r.text, "met": r.met, "found": r.found}
