"""Award money: the base salary in force on the decision day × the multiple, rounded up."""

from __future__ import annotations

from datetime import date

import pytest
from award_records import award_doc, rule_set_doc, shipped, version_doc

from nominations.money import award_money
from nominations.rules_loader import rule_set_from_dict

JULY_2024 = date(2024, 7, 1)


def test_bang_khen_for_an_individual_needs_no_rounding() -> None:
    # 2,340,000 × 1.5 = 3,510,000, already a multiple of 10,000.
    assert award_money(shipped(), "bang-khen-tinh-ca-nhan", date(2024, 12, 20)) == 3_510_000


def test_giay_khen_is_rounded_up_to_ten_thousand() -> None:
    # 2,340,000 × 0.6 = 1,404,000 → up to 1,410,000 (never down to 1,400,000).
    assert award_money(shipped(), "giay-khen-tap-the", JULY_2024) == 1_410_000


def test_ldtt_multiple_point_three_is_rounded_up() -> None:
    # LĐTT is not in the shipped set: a rule set with its multiple 0.3.
    # 2,340,000 × 0.3 = 702,000 → 710,000.
    versions = [version_doc([{"kind": "band_in", "bands": ["htxs", "httnv"]}])]
    rules = rule_set_from_dict(rule_set_doc(award_doc("ldtt", versions, recipient="individual",
                                                      levels=("individual",), multiple=0.3, title="ldtt")))
    assert award_money(rules, "ldtt", JULY_2024) == 710_000


def test_a_decision_before_july_2024_uses_the_older_base_salary() -> None:
    # June 2024: 1,800,000 (Decree 24/2023). × 1.5 = 2,700,000; × 0.6 = 1,080,000; × 8 = 14,400,000.
    june = date(2024, 6, 28)
    assert award_money(shipped(), "bang-khen-tinh-ca-nhan", june) == 2_700_000
    assert award_money(shipped(), "giay-khen-tap-the", june) == 1_080_000
    assert award_money(shipped(), "co-thi-dua-tinh", june) == 14_400_000
    # From 1 July 2024: 2,340,000 × 8 = 18,720,000; × 3.5 = 8,190,000; × 7 = 16,380,000.
    assert award_money(shipped(), "co-thi-dua-tinh", JULY_2024) == 18_720_000
    assert award_money(shipped(), "bang-khen-ttg-ca-nhan", JULY_2024) == 8_190_000
    assert award_money(shipped(), "bang-khen-ttg-tap-the", JULY_2024) == 16_380_000


def test_a_day_before_any_base_salary_is_refused() -> None:
    with pytest.raises(ValueError, match="Chưa có mức lương cơ sở nào áp dụng cho ngày 30/06/2019"):
        award_money(shipped(), "cstdcs", date(2019, 6, 30))


