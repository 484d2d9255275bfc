"""Each condition kind of a rule set, evaluated over a unit's run record and its history.

A :class:`~nominations.rules.Condition` is data; this module gives it words and a verdict.
``describe`` states the condition from its parameters (with the concrete years when the
achievement year is known); ``check`` returns a :class:`ConditionResult` whose ``found``
says what was found ("hạng 2/9 trong cụm", "2021, 2022, 2024: thiếu 2023"), so a refusal
always explains itself.

Run conditions read the published run's record (``scoring.core.report.unit_records`` shape);
history conditions read :class:`~nominations.history.History`, where the achievement year's
rating is the run's band when a record is given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from nominations.history import (
    DISCIPLINE_NAMES,
    INITIATIVE_SCOPE_NAMES,
    PENDING_DISCIPLINE,
    RATING_NAMES,
    TITLE_NAMES,
    History,
)
from nominations.rules import Condition
from presentation.numbers import percent_text

PASSING_STATUSES = ("met", "not_applicable")  # a mandatory criterion in any other status failed
NO_RECORD = "không có kết quả chấm điểm"


@dataclass(frozen=True, slots=True)
class ConditionResult:
    kind: str
    text: str  # the condition, in words
    met: bool
    found: str  # what was found


@dataclass(frozen=True, slots=True)
class Subject:
    """Who is judged: a unit or person, the achievement year, its record and history."""

    unit_code: str
    year: int
    history: History
    record: Mapping[str, Any] | None = None
    award_id: str = ""  # an initiative already used for this same award still counts
    band_names: Mapping[str, str] | None = None  # the plan's names of its bands (id → name)


def check(cond: Condition, subject: Subject) -> ConditionResult:
    met, found = _CHECKS[cond.kind](cond, subject)
    return ConditionResult(cond.kind, describe(cond, subject.year, subject.band_names), met, found)


def check_all(conditions: Iterable[Condition], subject: Subject) -> tuple[ConditionResult, ...]:
    return tuple(check(c, subject) for c in conditions)


# --- words -----------------------------------------------------------------------------


def _or(codes: Iterable[str], names: Mapping[str, str]) -> str:
    words = [names.get(c, c) for c in codes]
    return " hoặc ".join([", ".join(words[:-1]), words[-1]] if len(words) > 1 else words)


def _window(cond: Condition, year: int) -> range:
    end = year if cond.ending == "achievement_year" else year - 1
    return range(end - cond.years + 1, end + 1)


def _span(cond: Condition, year: int | None) -> str:
    if year is None:
        upto = "năm xét khen thưởng" if cond.ending == "achievement_year" else "năm trước năm xét"
        return f"tính đến {upto}"
    window = _window(cond, year)
    return f"{window[0]}–{window[-1]}" if len(window) > 1 else f"năm {window[0]}"


def _years(years: Iterable[int]) -> str:
    return ", ".join(str(y) for y in sorted(years))


# One template per kind, filled from the condition's parameters by ``describe``.
WORDS: Mapping[str, str] = {
    "rank_in_cluster_max": "{rank_words}",
    "percent_min": "Đạt từ {percent} tổng điểm tối đa trở lên",
    "band_in": "Xếp loại{in_year}: {bands}",
    "all_mandatory_met": "Đạt tất cả tiêu chí bắt buộc",
    "no_gate_failed": "Không có điều kiện bắt buộc (điểm liệt) chưa đạt",
    "title_consecutive": "{title} {years} năm liên tục ({span})",
    "rating_consecutive": "{years} năm liên tục xếp loại {ratings} ({span})",
    "title_count_within": "Ít nhất {count} lần {title} trong {years} năm ({span})",
    "rating_count_within": "Ít nhất {count} năm xếp loại {ratings} trong {years} năm ({span})",
    "held_title": "Đã được tặng {title} {before}",
    "initiative": "Có sáng kiến {scopes} được công nhận{in_year}{unused}",
    "no_discipline": "Không bị kỷ luật{discipline_span} và không đang bị xem xét kỷ luật",
    "any_of": "Đáp ứng một trong các điều kiện: {parts}",
}


def describe(cond: Condition, year: int | None = None, band_names: Mapping[str, str] | None = None) -> str:
    """The condition in Vietnamese, generated from its parameters; a band is named as the plan
    names it (``band_names``), a yearly rating as the law does."""
    template = WORDS.get(cond.kind)
    if template is None:
        raise ValueError(f"Loại điều kiện «{cond.kind}» không được hỗ trợ")
    in_year = f" năm {year}" if year is not None else ""
    span = _span(cond, year)
    return template.format(
        rank_words="Dẫn đầu cụm, khối thi đua (xếp hạng 1)" if cond.rank == 1
        else f"Xếp hạng từ 1 đến {cond.rank} trong cụm, khối thi đua",
        percent=percent_text(cond.percent), in_year=in_year, span=span,
        bands=_or(cond.bands, {**RATING_NAMES, **(band_names or {})}),
        ratings=_or(cond.ratings, RATING_NAMES),
        title=f"«{TITLE_NAMES.get(cond.title, cond.title)}»", years=cond.years, count=cond.count,
        before=f"trước năm {year}" if year is not None else "trong một năm trước",
        scopes=_or(cond.scopes, INITIATIVE_SCOPE_NAMES),
        unused=", chưa dùng để đề nghị khen thưởng khác" if cond.unused_only else "",
        discipline_span=in_year if cond.years == 1 else f" trong {cond.years} năm ({span})",
        parts="; ".join(f"({i}) {describe(c, year, band_names)}" for i, c in enumerate(cond.of, start=1)),
    )


# --- run conditions --------------------------------------------------------------------

Verdict = tuple[bool, str]


def _rank(cond: Condition, s: Subject) -> Verdict:
    if s.record is None:
        return False, NO_RECORD
    if not s.record.get("cluster"):
        return False, "không thuộc cụm, khối thi đua nào"
    rank, size = s.record["rank_in_cluster"], s.record["cluster_size"]
    return rank <= cond.rank, f"hạng {rank}/{size} trong cụm"


def _percent(cond: Condition, s: Subject) -> Verdict:
    if s.record is None:
        return False, NO_RECORD
    percent = s.record.get("percent")
    if percent is None:
        return False, "chưa có tỷ lệ điểm"
    return percent >= cond.percent, f"đạt {percent_text(percent)}"


def _band(cond: Condition, s: Subject) -> Verdict:
    if s.record is None:
        return False, NO_RECORD
    band = s.record["band"]
    shown = s.record.get("band_name") or (s.band_names or RATING_NAMES).get(band, band)
    return band in cond.bands, str(shown)


def _mandatory(cond: Condition, s: Subject) -> Verdict:
    if s.record is None:
        return False, NO_RECORD
    mandatory = [c for c in s.record.get("criteria", ()) if c.get("mandatory")]
    failed = [c for c in mandatory if c.get("status") not in PASSING_STATUSES]
    if failed:
        return False, "chưa đạt: " + "; ".join(f"«{c['name']}»" for c in failed)
    if not mandatory:
        return True, "không có tiêu chí bắt buộc"
    return True, f"đạt cả {len(mandatory)} tiêu chí bắt buộc"


def _gate(cond: Condition, s: Subject) -> Verdict:
    if s.record is None:
        return False, NO_RECORD
    if s.record.get("gate_failed"):
        return False, "có điều kiện bắt buộc (điểm liệt) chưa đạt"
    return True, "không có"


# --- history conditions ----------------------------------------------------------------


def _rating_years(cond: Condition, s: Subject) -> set[int]:
    years = s.history.years_with(s.unit_code, "rating", cond.ratings)
    if s.record is not None:  # the run's band is the achievement year's rating
        years.discard(s.year)
        if s.record.get("band") in cond.ratings:
            years.add(s.year)
    return years


def _consecutive(cond: Condition, s: Subject, held: set[int]) -> Verdict:
    window = _window(cond, s.year)
    have = [y for y in window if y in held]
    missing = [y for y in window if y not in held]
    found = _years(have) or "không có năm nào"
    return not missing, found + (f": thiếu {_years(missing)}" if missing else "")


def _count_within(cond: Condition, s: Subject, held: set[int]) -> Verdict:
    have = [y for y in _window(cond, s.year) if y in held]
    found = f"{len(have)} lần" + (f" ({_years(have)})" if have else "")
    ok = len(have) >= cond.count
    return ok, found if ok else f"{found}, cần {cond.count}"


def _title_years(cond: Condition, s: Subject) -> set[int]:
    return s.history.years_with(s.unit_code, "title", (cond.title,))


def _held(cond: Condition, s: Subject) -> Verdict:
    earlier = [e for e in s.history.all_of(s.unit_code, "title")
               if e.value == cond.title and e.year < s.year]
    if not earlier:
        return False, "chưa được tặng"
    return True, "; ".join(f"năm {e.year}" + (f" ({e.detail})" if e.detail else "") for e in earlier)


def _initiative(cond: Condition, s: Subject) -> Verdict:
    found = [e for e in s.history.of(s.unit_code, s.year, "initiative") if e.value in cond.scopes]
    usable = [e for e in found if not cond.unused_only or e.used_for in ("", s.award_id)]
    if usable:
        return True, "; ".join(_initiative_text(e.detail, e.value) for e in usable)
    if found:
        return False, "; ".join(f"{_initiative_text(e.detail, e.value)} đã dùng cho «{e.used_for}»"
                                for e in found)
    return False, f"không có sáng kiến được công nhận năm {s.year}"


def _initiative_text(name: str, scope: str) -> str:
    return f"«{name or 'sáng kiến'}» ({INITIATIVE_SCOPE_NAMES.get(scope, scope)})"


def _discipline(cond: Condition, s: Subject) -> Verdict:
    first = s.year - cond.years + 1
    hits = [e for e in s.history.all_of(s.unit_code, "discipline")
            if e.value == PENDING_DISCIPLINE or first <= e.year <= s.year]
    if not hits:
        return True, "không"
    return False, "; ".join(f"{DISCIPLINE_NAMES.get(e.value, e.value)} năm {e.year}" for e in hits)


def _any(cond: Condition, s: Subject) -> Verdict:
    results = [check(c, s) for c in cond.of]
    met = [i for i, r in enumerate(results, start=1) if r.met]
    if met:
        return True, "; ".join(f"đạt ({i}): {results[i - 1].found}" for i in met)
    return False, "; ".join(f"({i}) {r.found}" for i, r in enumerate(results, start=1))


_CHECKS: Mapping[str, Callable[[Condition, Subject], Verdict]] = {
    "rank_in_cluster_max": _rank,
    "percent_min": _percent,
    "band_in": _band,
    "all_mandatory_met": _mandatory,
    "no_gate_failed": _gate,
    "title_consecutive": lambda c, s: _consecutive(c, s, _title_years(c, s)),
    "rating_consecutive": lambda c, s: _consecutive(c, s, _rating_years(c, s)),
    "title_count_within": lambda c, s: _count_within(c, s, _title_years(c, s)),
    "rating_count_within": lambda c, s: _count_within(c, s, _rating_years(c, s)),
    "held_title": _held,
    "initiative": _initiative,
    "no_discipline": _discipline,
    "any_of": _any,
}
