"""The award rule set as immutable data (its TOML loader: :mod:`nominations.rules_loader`).

A rule set names, for one emulation plan, every award a council may propose: who receives
it, the plan levels it draws from, its money multiple, and dated versions (each with its
legal basis, conditions, vote rule and quota). A nomination is judged by the version in
force on 31 December of the achievement year. The loader, like :mod:`criteria.loader`,
reports every problem at once with its key path. File syntax:
``nominations/rules/tuyen-quang-de-an-06.toml`` is the commented example.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from nominations.history import INITIATIVE_SCOPE_NAMES
from presentation.times import date_text

ID = r"[a-z0-9][a-z0-9.\-]*"
RECIPIENTS = ("collective", "individual")
DENOMINATORS = ("members", "members_minus_recused")
QUOTA_SCOPES = ("cluster", "parent", "level")
ENDINGS = ("achievement_year", "previous_year")
COMMENDATION_KINDS = {  # Law 06/2022/QH15 Art. 8
    "regular": "Khen thưởng theo công trạng và thành tích đạt được",
    "thematic": "Khen thưởng theo phong trào thi đua (chuyên đề)",
    "ad_hoc": "Khen thưởng đột xuất",
    "career": "Khen thưởng quá trình cống hiến",
    "seniority": "Khen thưởng theo niên hạn",
    "foreign": "Khen thưởng đối ngoại",
}
# Each condition kind and the keys it takes (beyond ``kind``); nominations.conditions
# evaluates them. ``ending``, ``scopes``, ``unused_only`` and no_discipline's ``years`` have
# defaults.
CONDITION_KINDS: Mapping[str, tuple[str, ...]] = {
    "rank_in_cluster_max": ("rank",),
    "percent_min": ("percent",),
    "band_in": ("bands",),
    "all_mandatory_met": (),
    "no_gate_failed": (),
    "title_consecutive": ("title", "years", "ending"),
    "rating_consecutive": ("ratings", "years", "ending"),
    "title_count_within": ("title", "count", "years", "ending"),
    "rating_count_within": ("ratings", "count", "years", "ending"),
    "held_title": ("title",),
    "initiative": ("scopes", "unused_only"),
    "no_discipline": ("years",),
    "any_of": ("of",),
}


@dataclass(frozen=True, slots=True)
class Condition:
    kind: str
    rank: int = 0  # rank_in_cluster_max
    percent: float = 0.0  # percent_min
    bands: tuple[str, ...] = ()  # band_in
    ratings: tuple[str, ...] = ()  # rating_*
    title: str = ""  # title_*, held_title
    years: int = 1  # length of the window (no_discipline: this year and years-1 before)
    count: int = 0  # *_count_within
    ending: str = "achievement_year"  # the window ends at the achievement year or the one before
    scopes: tuple[str, ...] = tuple(INITIATIVE_SCOPE_NAMES)  # initiative
    unused_only: bool = True  # initiative: one initiative counts once
    of: tuple[Condition, ...] = ()  # any_of


@dataclass(frozen=True, slots=True)
class VoteRule:
    threshold_percent: int
    denominator: str  # "members" | "members_minus_recused"
    secret_ballot: bool
    legal_basis: str


@dataclass(frozen=True, slots=True)
class Quota:
    scope: str  # "cluster" | "parent" | "level"
    n: int
    source: str


@dataclass(frozen=True, slots=True)
class AwardVersion:
    valid_from: date
    valid_to: date | None  # inclusive; None: open-ended
    legal_basis: str
    conditions: tuple[Condition, ...]
    vote: VoteRule
    quota: Quota | None
    unconfirmed: tuple[str, ...] = ()  # keys whose value the sources did not confirm

    def in_force(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def period_text(self) -> str:
        start = f"từ {date_text(self.valid_from)}"
        return start if self.valid_to is None else f"{start} đến {date_text(self.valid_to)}"


@dataclass(frozen=True, slots=True)
class Award:
    id: str
    name: str
    short_name: str
    recipient: str  # "collective" | "individual"
    levels: tuple[str, ...]
    form: str
    kind: str
    multiple: Decimal
    title: str  # the title code it confers
    versions: tuple[AwardVersion, ...]
    unconfirmed: tuple[str, ...] = ()

    @property
    def kind_name(self) -> str:
        return COMMENDATION_KINDS.get(self.kind, self.kind)

    def version_on(self, day: date) -> AwardVersion | None:
        return next((v for v in self.versions if v.in_force(day)), None)


@dataclass(frozen=True, slots=True)
class BaseSalary:
    valid_from: date
    amount: int  # VND per month
    legal_basis: str


@dataclass(frozen=True, slots=True)
class RuleSet:
    id: str
    name: str
    plan_id: str
    sha256: str
    awards: tuple[Award, ...]
    base_salaries: tuple[BaseSalary, ...]  # oldest first
    women_preference: str  # the citation, e.g. "Điều 4 Nghị định 152/2025/NĐ-CP"
    women_share_percent: int  # a collective with at least this share of women is preferred
    source: str = ""
    also_plans: tuple[str, ...] = ()  # later plans of the same movement judged by these rules

    def covers(self, plan_id: str) -> bool:
        return plan_id == self.plan_id or plan_id in self.also_plans

    def award(self, award_id: str) -> Award:
        for award in self.awards:
            if award.id == award_id:
                return award
        known = ", ".join(a.id for a in self.awards)
        raise ValueError(f"Bộ quy tắc {self.id} không có hình thức khen thưởng «{award_id}» "
                         f"(có: {known})")

    def base_salary_on(self, day: date) -> int:
        found = [s for s in self.base_salaries if s.valid_from <= day]
        if not found:
            first = date_text(self.base_salaries[0].valid_from) if self.base_salaries else "?"
            raise ValueError(f"Chưa có mức lương cơ sở nào áp dụng cho ngày {date_text(day)} "
                             f"(mức sớm nhất trong bộ quy tắc áp dụng từ {first})")
        return found[-1].amount
