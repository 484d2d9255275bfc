"""Reading an award rule set from TOML: every problem at once with its key path, or the rule set.

Rule files are parsed once per content (:func:`cached_rule_set`), so an edited file is read again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import tomllib
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from criteria.fields import Fields, PlanIssue
from nominations.history import INITIATIVE_SCOPE_NAMES, RATING_NAMES, TITLE_NAMES
from nominations.rules import (
    COMMENDATION_KINDS,
    CONDITION_KINDS,
    DENOMINATORS,
    ENDINGS,
    ID,
    QUOTA_SCOPES,
    RECIPIENTS,
    Award,
    AwardVersion,
    BaseSalary,
    Condition,
    Quota,
    RuleSet,
    VoteRule,
)
from presentation.times import date_text

T = TypeVar("T")


class RuleSetError(Exception):
    """A rule set file that cannot be used; ``issues`` lists (key path, message) for each."""

    def __init__(self, source: str, issues: list[tuple[str, str]]) -> None:
        self.source = source
        self.issues = issues
        lines = "\n".join(f"  - {path}: {message}" for path, message in issues)
        super().__init__(f"Bộ quy tắc khen thưởng {source} có {len(issues)} lỗi:\n{lines}")


def shipped_rule_set_path() -> Path:
    return Path(__file__).parent / "rules" / "tuyen-quang-de-an-06.toml"


def load_rule_set(path: str | Path) -> RuleSet:
    """Read and validate a rule set file; raises :class:`RuleSetError` listing all errors."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        doc = tomllib.loads(text)
    except FileNotFoundError:
        raise RuleSetError(str(path), [("(tệp)", "không tìm thấy tệp")]) from None
    except UnicodeDecodeError:
        raise RuleSetError(str(path), [("(tệp)", "tệp phải được lưu bằng UTF-8")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise RuleSetError(str(path), [("(cú pháp TOML)", str(exc))]) from None
    return rule_set_from_dict(doc, str(path), text=text)


_parsed: dict[Path, tuple[str, RuleSet]] = {}  # path → (sha256 of its bytes, the rule set)


def cached_rule_set(path: str | Path) -> RuleSet:
    """:func:`load_rule_set`, parsed once per content: the file is read and hashed on every
    call (microseconds) and parsed again only when its bytes changed, so an edit is seen at
    once (an mtime can stay the same within one clock tick). A bad file is not cached."""
    path = Path(path)
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        raise RuleSetError(str(path), [("(tệp)", "không tìm thấy tệp")]) from None
    key = path.resolve()
    found = _parsed.get(key)
    if found is not None and found[0] == digest:
        return found[1]
    rules = load_rule_set(path)
    _parsed[key] = (digest, rules)
    return rules


def rule_set_from_dict(doc: Mapping[str, Any], source: str = "<dict>", *,
                       text: str | None = None) -> RuleSet:
    """Validate a parsed document; sha256 is of ``text`` when given, else of sorted JSON."""
    issues: list[PlanIssue] = []
    root = _RuleFields(doc, "", issues)
    head, women = root.sub("rule_set"), root.sub("women_preference")
    salaries = tuple(root.rows("base_salaries", _read_salary))
    awards = tuple(root.rows("awards", _read_award))
    rule_set = RuleSet(
        id=head.text("id", pattern=ID), name=head.text("name"),
        plan_id=head.text("plan_id", pattern=ID), sha256="",
        awards=awards, base_salaries=tuple(sorted(salaries, key=lambda s: s.valid_from)),
        women_preference=women.text("citation"),
        women_share_percent=women.integer("collective_share_percent", maximum=100),
        source=source, also_plans=head.text_list("also_plans"),
    )
    for fields in (root, head, women):
        fields.unknown_keys()
    _check_unique(issues, "awards", [a.id for a in awards], "mã hình thức khen thưởng")
    _check_unique(issues, "base_salaries", [date_text(s.valid_from) for s in salaries],
                  "ngày áp dụng mức lương cơ sở")
    if issues:
        raise RuleSetError(source, [(i.path, i.message) for i in issues])
    if text is None:
        text = json.dumps(doc, sort_keys=True, ensure_ascii=False, default=str)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return dataclasses.replace(rule_set, sha256=digest)


class _RuleFields(Fields):
    """The plan loader's field readers, plus integers, optional dates and code lists."""

    def unknown_keys(self) -> None:
        for key in self.table:
            if key not in self.seen:
                self.error(key, "khóa không được hỗ trợ (xem docs/nominations.md)")

    def integer(self, key: str, *, minimum: int = 1, maximum: int | None = None,
                default: int | None = None) -> int:
        value = self._get(key, default is None)
        if value is None:
            return default or 0
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(key, f"phải là một số nguyên, không phải «{value}»")
            return default or 0
        if value < minimum or (maximum is not None and value > maximum):
            upper = f" đến {maximum}" if maximum is not None else " trở lên"
            self.error(key, f"phải từ {minimum}{upper} (đang là {value})")
        return value

    def optional_day(self, key: str) -> date | None:
        return self.day(key) if key in self.table else None

    def codes(self, key: str, allowed: Mapping[str, str] | None, *,
              default: tuple[str, ...] | None = None) -> tuple[str, ...]:
        if key not in self.table and default is not None:
            self.seen.add(key)
            return default
        values = self.text_list(key)
        if not values and key in self.table and isinstance(self.table[key], list):
            self.error(key, "không được để trống")
        elif key not in self.table:
            self.error(key, "thiếu khóa bắt buộc")
        for value in values:
            if allowed is not None and value not in allowed:
                options = ", ".join(f"«{o}»" for o in allowed)
                self.error(key, f"mã «{value}» không hợp lệ; chỉ chấp nhận {options}")
        return values

    def sub(self, key: str) -> _RuleFields:
        """The table under ``key`` (a problem when missing), read into the same issue list."""
        value = self._get(key, True)
        if value is not None and not isinstance(value, dict):
            self.error(key, "phải là một bảng")
        return _RuleFields(value if isinstance(value, dict) else {}, self.where(key), self.issues)

    def rows(self, key: str, reader: Callable[[_RuleFields], T]) -> list[T]:
        """A list of tables under ``key``, each read by ``reader``; problems at their index."""
        value = self._get(key, True)
        if value == []:
            self.error(key, "không được để trống")
        elif value is not None and not (isinstance(value, list) and all(isinstance(r, dict) for r in value)):
            self.error(key, "phải là danh sách các bảng")
        if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
            return []
        out = []
        for i, row in enumerate(value):
            fields = _RuleFields(row, f"{self.where(key)}[{i}]", self.issues)
            out.append(reader(fields))
            fields.unknown_keys()
        return out

    def unconfirmed(self, known: tuple[str, ...]) -> tuple[str, ...]:
        values = self.text_list("unconfirmed")
        for value in values:
            if value not in known:
                self.error("unconfirmed", f"«{value}» không phải một khóa của mục này")
        return values


def _check_unique(issues: list[PlanIssue], path: str, values: list[str], what: str) -> None:
    for i, value in enumerate(values):
        if value and value in values[:i]:
            issues.append(PlanIssue(f"{path}[{i}]", f"{what} «{value}» bị trùng"))


def _read_salary(f: _RuleFields) -> BaseSalary:
    return BaseSalary(valid_from=f.day("valid_from"), amount=f.integer("amount"),
                      legal_basis=f.text("legal_basis"))


def _read_award(f: _RuleFields) -> Award:
    recipient = f.choice("recipient", RECIPIENTS)
    multiple = f.number("multiple", positive=True)
    versions = tuple(f.rows("versions", _read_version))
    award = Award(
        id=f.text("id", pattern=ID), name=f.text("name"), short_name=f.text("short_name"),
        recipient=recipient, levels=f.codes("levels", None), form=f.text("form"),
        kind=f.choice("kind", tuple(COMMENDATION_KINDS)),
        multiple=Decimal(str(multiple or 0)), title=f.choice("title", tuple(TITLE_NAMES)),
        versions=tuple(sorted(versions, key=lambda v: v.valid_from)),
        unconfirmed=f.unconfirmed(("multiple", "levels", "title", "kind")),
    )
    for i, version in enumerate(versions):
        if version.quota is not None and version.quota.scope == "parent" and recipient != "individual":
            f.error(f"versions[{i}].quota.scope", "«parent» chỉ dùng cho khen thưởng cá nhân")
    _check_overlaps(f, versions)
    return award


def _check_overlaps(f: _RuleFields, versions: tuple[AwardVersion, ...]) -> None:
    order = sorted(range(len(versions)), key=lambda i: versions[i].valid_from)
    for before, after in itertools.pairwise(order):
        earlier, later = versions[before], versions[after]
        if earlier.valid_to is None or earlier.valid_to >= later.valid_from:
            f.error(f"versions[{after}].valid_from",
                    f"hiệu lực {later.period_text()} chồng lên versions[{before}] "
                    f"(hiệu lực {earlier.period_text()})")


def _read_version(f: _RuleFields) -> AwardVersion:
    valid_from, valid_to = f.day("valid_from"), f.optional_day("valid_to")
    if valid_to is not None and valid_to < valid_from:
        f.error("valid_to", "ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực")
    conditions = tuple(f.rows("conditions", _read_condition))
    vote = f.sub("vote")
    rule = VoteRule(threshold_percent=vote.integer("threshold_percent", maximum=100),
                    denominator=vote.choice("denominator", DENOMINATORS),
                    secret_ballot=vote.flag("secret_ballot"), legal_basis=vote.text("legal_basis"))
    vote.unknown_keys()
    quota: Quota | None = None
    if "quota" in f.table:
        q = f.sub("quota")
        quota = Quota(scope=q.choice("scope", QUOTA_SCOPES), n=q.integer("n"), source=q.text("source"))
        q.unknown_keys()
    return AwardVersion(valid_from=valid_from, valid_to=valid_to, legal_basis=f.text("legal_basis"),
                        conditions=conditions, vote=rule, quota=quota,
                        unconfirmed=f.unconfirmed(("vote", "quota", "conditions", "legal_basis")))


def _read_condition(f: _RuleFields) -> Condition:
    kind = f.choice("kind", tuple(CONDITION_KINDS))
    keys = CONDITION_KINDS.get(kind, ())
    values: dict[str, Any] = {"kind": kind}
    if "rank" in keys:
        values["rank"] = f.integer("rank")
    if "percent" in keys:
        values["percent"] = f.number("percent", minimum=0) or 0.0
    if "bands" in keys:
        values["bands"] = f.codes("bands", None)
    if "ratings" in keys:
        values["ratings"] = f.codes("ratings", RATING_NAMES)
    if "title" in keys:
        values["title"] = f.choice("title", tuple(TITLE_NAMES))
    if "years" in keys:
        values["years"] = f.integer("years", default=1 if kind == "no_discipline" else None)
    if "count" in keys:
        values["count"] = f.integer("count")
        if values["count"] > values["years"] > 0:
            f.error("count", f"không thể lớn hơn số năm xét ({values['years']})")
    if "ending" in keys:
        values["ending"] = f.choice("ending", ENDINGS, default="achievement_year")
    if "scopes" in keys:
        values["scopes"] = f.codes("scopes", INITIATIVE_SCOPE_NAMES, default=tuple(INITIATIVE_SCOPE_NAMES))
    if "unused_only" in keys:
        values["unused_only"] = f.flag("unused_only", default=True)
    if "of" in keys:
        values["of"] = tuple(f.rows("of", _read_condition))
        if len(values["of"]) == 1:
            f.error("of", "cần ít nhất hai điều kiện để chọn một")
    return Condition(**values)
