"""The award rule set loader: the shipped file, every mistake at once, dated versions."""

from __future__ import annotations

import copy
import hashlib
import os
import unicodedata
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from award_records import award_doc, one_award, rule_set_doc, shipped, version_doc

import criteria
from criteria.loader import load_plan
from nominations.rules_loader import (
    RuleSetError,
    cached_rule_set,
    load_rule_set,
    rule_set_from_dict,
    shipped_rule_set_path,
)

PLAN = Path(criteria.__file__).parent / "plans" / "tuyen-quang-de-an-06-2022-2025.toml"


def test_shipped_rule_set_loads_with_the_sha256_of_its_text() -> None:
    rules = shipped()
    text = shipped_rule_set_path().read_text(encoding="utf-8")
    assert rules.sha256 == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert rules.plan_id == "tuyen-quang-de-an-06-2022-2025"
    assert [a.id for a in rules.awards] == [
        "co-thi-dua-tinh", "bang-khen-tinh-tap-the", "bang-khen-tinh-ca-nhan", "giay-khen-tap-the",
        "cstdcs", "bang-khen-ttg-ca-nhan", "bang-khen-ttg-tap-the", "huan-chuong-ld3-ca-nhan",
    ]


def test_shipped_rule_set_matches_the_plan_levels_and_bands() -> None:
    plan = load_plan(PLAN)
    rules = shipped()
    assert rules.plan_id == plan.info.id
    for award in rules.awards:
        for level in award.levels:
            bands = {b.id for b in plan.bands_of(level)}
            assert bands, (award.id, level)
            for version in award.versions:
                wanted = {b for c in version.conditions for b in c.bands}
                wanted |= {b for c in version.conditions for sub in c.of for b in sub.bands}
                assert wanted <= bands, (award.id, level)


def test_every_shipped_award_has_the_three_legal_regimes() -> None:
    for award in shipped().awards:
        old, first, second = award.versions
        assert (old.valid_from, old.valid_to) == (date(2017, 10, 1), date(2023, 12, 31))
        assert "91/2017/NĐ-CP" in old.legal_basis and "vote" in old.unconfirmed
        assert (first.valid_from, first.valid_to) == (date(2024, 1, 1), date(2025, 6, 30))
        assert "98/2023/NĐ-CP" in first.legal_basis
        assert (second.valid_from, second.valid_to) == (date(2025, 7, 1), None)
        assert "152/2025/NĐ-CP" in second.legal_basis
        assert "Điều" in first.legal_basis
        if first.vote.threshold_percent >= 80:  # the thresholds Decree 98 Art. 30(7) sets
            assert first.vote.legal_basis == "khoản 7 Điều 30 Nghị định 98/2023/NĐ-CP"
        else:  # no percentage in the decree: the Department's choice, marked unconfirmed
            assert "vote" in first.unconfirmed


def test_shipped_facts_from_the_domain() -> None:
    rules = shipped()
    # Money multiples of DOMAIN §1.
    multiples = {a.id: a.multiple for a in rules.awards}
    assert multiples["co-thi-dua-tinh"] == Decimal("8.0")
    assert multiples["bang-khen-tinh-ca-nhan"] == Decimal("1.5")
    assert multiples["giay-khen-tap-the"] == Decimal("0.6")
    assert multiples["bang-khen-ttg-tap-the"] == Decimal("7.0")
    assert "multiple" in rules.award("huan-chuong-ld3-ca-nhan").unconfirmed
    # Vote thresholds of Decree 98 Art. 30(7), over the full membership.
    in_2024 = date(2024, 12, 31)
    assert rules.award("cstdcs").version_on(in_2024).vote.threshold_percent == 80  # type: ignore[union-attr]
    ttg = rules.award("bang-khen-ttg-ca-nhan").version_on(in_2024)
    assert ttg is not None and ttg.vote.threshold_percent == 90 and ttg.vote.denominator == "members"
    flag = rules.award("co-thi-dua-tinh").version_on(in_2024)
    assert flag is not None and flag.quota is not None and (flag.quota.scope, flag.quota.n) == ("cluster", 1)
    # Decree 152's thresholds are unconfirmed: kept as data and marked.
    later = rules.award("cstdcs").version_on(date(2025, 12, 31))
    assert later is not None and "vote" in later.unconfirmed
    thematic = "Khen thưởng theo phong trào thi đua (chuyên đề)"
    assert rules.award("bang-khen-tinh-ca-nhan").kind_name == thematic


def test_base_salary_is_dated() -> None:
    rules = shipped()
    assert rules.base_salary_on(date(2024, 6, 30)) == 1_800_000
    assert rules.base_salary_on(date(2024, 7, 1)) == 2_340_000
    with pytest.raises(ValueError, match="Chưa có mức lương cơ sở"):
        rules.base_salary_on(date(2019, 6, 30))
    assert rules.base_salary_on(date(2023, 6, 30)) == 1_490_000


def test_unknown_award_is_a_value_error_in_vietnamese() -> None:
    with pytest.raises(ValueError, match="không có hình thức khen thưởng «khong-co»"):
        shipped().award("khong-co")


def test_shipped_text_is_nfc() -> None:
    text = shipped_rule_set_path().read_text(encoding="utf-8")
    assert unicodedata.normalize("NFC", text) == text


def _issues(doc: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(RuleSetError) as caught:
        rule_set_from_dict(doc)
    return dict(caught.value.issues)


def test_several_mistakes_are_all_listed_with_their_key_paths() -> None:
    good = award_doc("thu", [version_doc([{"kind": "band_in", "bands": ["htxs"]}])])
    doc = rule_set_doc(good, copy.deepcopy(good))
    doc["rule_set"]["plan_id"] = "Kế hoạch"  # not an id
    doc["extra"] = {}
    award = doc["awards"][0]
    award["recipient"] = "nhom"
    award["multiple"] = -1
    award["title"] = "bang-khen-huyen"
    version = award["versions"][0]
    version["vote"]["threshold_percent"] = 120
    version["vote"]["denominator"] = "present"
    version["conditions"].append({"kind": "title_consecutive", "title": "cstdcs"})  # no years
    version["conditions"].append({"kind": "rating_consecutive", "ratings": ["xuat-sac"], "years": 3})
    version["conditions"].append({"kind": "bay", "x": 1})
    version["quota"] = {"scope": "parent", "n": 0, "source": "Sở Nội vụ"}
    issues = _issues(doc)
    expected = {
        "extra", "rule_set.plan_id", "awards[0].recipient", "awards[0].multiple", "awards[0].title",
        "awards[0].versions[0].vote.threshold_percent", "awards[0].versions[0].vote.denominator",
        "awards[0].versions[0].conditions[1].years", "awards[0].versions[0].conditions[2].ratings",
        "awards[0].versions[0].conditions[3].kind", "awards[0].versions[0].conditions[3].x",
        "awards[0].versions[0].quota.n", "awards[0].versions[0].quota.scope", "awards[1]",
    }
    assert expected <= set(issues), sorted(set(issues))
    assert "bị trùng" in issues["awards[1]"]
    assert "«xuat-sac» không hợp lệ" in issues["awards[0].versions[0].conditions[2].ratings"]


def test_missing_tables_are_reported() -> None:
    issues = _issues({})
    assert {"rule_set", "women_preference", "base_salaries", "awards"} <= set(issues)


def test_overlapping_version_dates_are_refused() -> None:
    cond = [{"kind": "band_in", "bands": ["htxs"]}]
    versions = [version_doc(cond, valid_from=date(2024, 1, 1), valid_to=date(2025, 6, 30)),
                version_doc(cond, valid_from=date(2025, 6, 30))]
    issues = _issues(rule_set_doc(award_doc("thu", versions)))
    assert "chồng lên versions[0]" in issues["awards[0].versions[1].valid_from"]
    # An open-ended version followed by another overlaps too.
    versions = [version_doc(cond, valid_from=date(2025, 7, 1)),
                version_doc(cond, valid_from=date(2024, 1, 1))]
    issues = _issues(rule_set_doc(award_doc("thu", versions)))
    assert "awards[0].versions[0].valid_from" in issues


def test_adjacent_versions_are_accepted_and_sorted() -> None:
    cond = [{"kind": "band_in", "bands": ["htxs"]}]
    versions = [version_doc(cond, valid_from=date(2025, 7, 1)),
                version_doc(cond, valid_from=date(2024, 1, 1), valid_to=date(2025, 6, 30))]
    award = rule_set_from_dict(rule_set_doc(award_doc("thu", versions))).award("thu")
    assert [v.valid_from for v in award.versions] == [date(2024, 1, 1), date(2025, 7, 1)]
    assert award.version_on(date(2025, 6, 30)) is award.versions[0]
    assert award.version_on(date(2025, 7, 1)) is award.versions[1]
    assert award.version_on(date(2023, 12, 31)) is None


def test_condition_defaults_and_any_of() -> None:
    rules = one_award([
        {"kind": "initiative"},
        {"kind": "no_discipline"},
        {"kind": "any_of", "of": [{"kind": "band_in", "bands": ["htxs"]},
                                  {"kind": "percent_min", "percent": 90}]},
    ])
    initiative, discipline, either = rules.award("thu").versions[0].conditions
    assert initiative.scopes == ("co-so", "tinh", "toan-quoc") and initiative.unused_only
    assert discipline.years == 1
    assert [c.kind for c in either.of] == ["band_in", "percent_min"]


def test_any_of_needs_two_and_count_fits_the_years() -> None:
    doc = rule_set_doc(award_doc("thu", [version_doc([
        {"kind": "any_of", "of": [{"kind": "band_in", "bands": ["htxs"]}]},
        {"kind": "title_count_within", "title": "cstdcs", "count": 4, "years": 3},
    ])]))
    issues = _issues(doc)
    assert "awards[0].versions[0].conditions[0].of" in issues
    assert "awards[0].versions[0].conditions[1].count" in issues


def test_a_missing_file_and_bad_toml_are_rule_set_errors(tmp_path: Path) -> None:
    with pytest.raises(RuleSetError) as caught:
        load_rule_set(tmp_path / "khong-co.toml")
    assert caught.value.issues == [("(tệp)", "không tìm thấy tệp")]
    bad = tmp_path / "hong.toml"
    bad.write_text("[rule_set\n", encoding="utf-8")
    with pytest.raises(RuleSetError) as caught:
        load_rule_set(bad)
    assert caught.value.issues[0][0] == "(cú pháp TOML)"


def test_a_rule_file_is_parsed_once_per_content(tmp_path: Path) -> None:
    path = tmp_path / "quy-dinh.toml"
    text = shipped_rule_set_path().read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    first = cached_rule_set(path)
    assert cached_rule_set(path) is first, "tệp không đổi thì không đọc lại"
    stamp = path.stat()
    edited = text.replace("threshold_percent = 50", "threshold_percent = 60", 1)
    assert len(edited) == len(text)
    path.write_text(edited, encoding="utf-8")
    # Same size and, here, the same modification time: only the content tells the edit apart.
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    second = cached_rule_set(path)
    assert second is not first and second.sha256 != first.sha256
    assert sorted(v.vote.threshold_percent for a in second.awards for v in a.versions).count(60) == 1
    assert cached_rule_set(path) is second
    path.write_text("[rule_set\n", encoding="utf-8")
    with pytest.raises(RuleSetError):
        cached_rule_set(path)
    with pytest.raises(RuleSetError) as caught:
        cached_rule_set(tmp_path / "khong-co.toml")
    assert caught.value.issues == [("(tệp)", "không tìm thấy tệp")]


def test_the_shipped_rules_also_judge_the_2025_plan_of_the_movement() -> None:
    rules = shipped()
    plan = load_plan(Path(__file__).resolve().parents[3] / "criteria/plans/tuyen-quang-de-an-06-2025.toml")
    assert rules.covers(plan.info.id) and rules.covers(rules.plan_id) and not rules.covers("ke-hoach-khac")
    bands = {b.id for b in plan.bands}
    for award in rules.awards:  # every band a rule names exists in the 2025 plan too
        for version in award.versions:
            for cond in version.conditions:
                assert set(cond.bands) <= bands, (award.id, cond.bands)
