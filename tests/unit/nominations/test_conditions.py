"""Condition kinds: what each one says, what it found, and when it holds."""

from __future__ import annotations

import pytest
from award_records import criterion, record

from nominations.conditions import Subject, check, describe
from nominations.history import History, HistoryEntry
from nominations.rules import Condition

YEAR = 2024


def titles(code: str, title: str, *years: int) -> list[HistoryEntry]:
    return [HistoryEntry(code, y, "title", title) for y in years]


def ratings(code: str, rating: str, *years: int) -> list[HistoryEntry]:
    return [HistoryEntry(code, y, "rating", rating) for y in years]


def subject(history: list[HistoryEntry], rec: dict[str, object] | None = None, code: str = "CN1",
            award_id: str = "cstdcs", lineage: dict[str, list[str]] | None = None) -> Subject:
    return Subject(code, YEAR, History(history, lineage), rec, award_id)


# --- run conditions --------------------------------------------------------------------


def test_rank_in_cluster_reports_the_rank_and_cluster_size() -> None:
    cond = Condition("rank_in_cluster_max", rank=1)
    result = check(cond, subject([], record("CQ1", rank_in_cluster=2, cluster_size=9)))
    assert (result.met, result.found) == (False, "hạng 2/9 trong cụm")
    assert result.text == "Dẫn đầu cụm, khối thi đua (xếp hạng 1)"
    assert check(cond, subject([], record("CQ1", rank_in_cluster=1))).met
    no_cluster = check(cond, subject([], record("CQ1", cluster=None, cluster_name=None)))
    assert (no_cluster.met, no_cluster.found) == (False, "không thuộc cụm, khối thi đua nào")
    assert check(Condition("rank_in_cluster_max", rank=3), subject([], record("CQ1", rank_in_cluster=3))).met


def test_percent_min_and_band_in() -> None:
    percent = Condition("percent_min", percent=90)
    at = check(percent, subject([], record("CQ1", total=90.0)))
    assert (at.met, at.found) == (True, "đạt 90\u00a0%")
    below = check(percent, subject([], record("CQ1", total=89.99)))
    assert (below.met, below.found) == (False, "đạt 89,99\u00a0%")
    band = Condition("band_in", bands=("htxs", "httnv"))
    result = check(band, subject([], record("CQ1", band="htnv")))
    assert (result.met, result.found) == (False, "Hoàn thành nhiệm vụ")
    assert result.text == "Xếp loại năm 2024: Hoàn thành xuất sắc nhiệm vụ hoặc Hoàn thành tốt nhiệm vụ"
    assert check(band, subject([], record("CQ1", band="httnv"))).met
    plan_words = Subject("CQ1", YEAR, History([], None), record("CQ1", band="htnv"), "x",
                         {"htxs": "Xuất sắc", "httnv": "Tốt"})
    assert check(band, plan_words).text == "Xếp loại năm 2024: Xuất sắc hoặc Tốt", "tên mức lấy từ kế hoạch"


def test_all_mandatory_met_names_the_failed_criteria() -> None:
    crits = [criterion("c1", "Số hóa hồ sơ"), criterion("c2", "Kết nối dữ liệu dân cư", "gate_failed"),
             criterion("c3", "Tiện ích", "not_met", mandatory=False),
             criterion("c4", "Lưu trú", "not_applicable")]
    cond = Condition("all_mandatory_met")
    result = check(cond, subject([], record("CQ1", criteria=crits)))
    assert (result.met, result.found) == (False, "chưa đạt: «Kết nối dữ liệu dân cư»")
    ok = check(cond, subject([], record("CQ1", criteria=[crits[0], crits[2], crits[3]])))
    assert (ok.met, ok.found) == (True, "đạt cả 2 tiêu chí bắt buộc")


def test_no_gate_failed_and_missing_record() -> None:
    cond = Condition("no_gate_failed")
    assert not check(cond, subject([], record("CQ1", gate_failed=True))).met
    assert check(cond, subject([], record("CQ1"))).met
    missing = check(cond, subject([]))
    assert (missing.met, missing.found) == (False, "không có kết quả chấm điểm")


# --- history conditions ----------------------------------------------------------------


def test_three_consecutive_holds_for_three_and_fails_for_a_gap_year() -> None:
    cond = Condition("title_consecutive", title="cstdcs", years=3)
    # Window 2022–2024 (ending at the achievement year): all three held.
    held = check(cond, subject(titles("CN1", "cstdcs", 2022, 2023, 2024)))
    assert (held.met, held.found) == (True, "2022, 2023, 2024")
    assert held.text == "«Chiến sĩ thi đua cơ sở» 3 năm liên tục (2022–2024)"
    # 2023 missing: four titles in five years are not three consecutive ending in 2024.
    gap = check(cond, subject(titles("CN1", "cstdcs", 2021, 2022, 2024)))
    assert (gap.met, gap.found) == (False, "2022, 2024: thiếu 2023")
    none = check(cond, subject([]))
    assert none.found == "không có năm nào: thiếu 2022, 2023, 2024"


def test_consecutive_window_may_end_the_year_before() -> None:
    cond = Condition("title_consecutive", title="cstdcs", years=3, ending="previous_year")
    # Window 2021–2023: the 2024 title is outside it.
    result = check(cond, subject(titles("CN1", "cstdcs", 2021, 2022, 2023)))
    assert result.met and result.text.endswith("(2021–2023)")
    assert not check(cond, subject(titles("CN1", "cstdcs", 2022, 2023, 2024))).met
    assert describe(cond) == "«Chiến sĩ thi đua cơ sở» 3 năm liên tục (tính đến năm trước năm xét)"


def test_rating_consecutive_takes_the_achievement_year_from_the_run() -> None:
    cond = Condition("rating_consecutive", ratings=("htxs", "httnv"), years=5)
    past = ratings("CN1", "httnv", 2020, 2021, 2022) + ratings("CN1", "htxs", 2023)
    # 2020–2023 from history, 2024 from the run's band.
    assert check(cond, subject(past, record("CN1", level="individual", band="httnv"), code="CN1")).met
    weak = check(cond, subject(past, record("CN1", level="individual", band="htnv"), code="CN1"))
    assert (weak.met, weak.found) == (False, "2020, 2021, 2022, 2023: thiếu 2024")
    # The run's band replaces a history rating of the same year.
    history = [*past, *ratings("CN1", "htxs", 2024)]
    assert not check(cond, subject(history, record("CN1", band="khong-ht"), code="CN1")).met
    # Without a run, history alone decides.
    assert check(cond, subject(history)).met


def test_title_and_rating_counts_within_years() -> None:
    cond = Condition("title_count_within", title="cstdcs", count=3, years=5)
    # Window 2020–2024; 2019 is outside.
    found = check(cond, subject(titles("CN1", "cstdcs", 2019, 2021, 2023)))
    assert (found.met, found.found) == (False, "2 lần (2021, 2023), cần 3")
    assert check(cond, subject(titles("CN1", "cstdcs", 2020, 2022, 2024))).met
    htxs = Condition("rating_count_within", ratings=("htxs",), count=1, years=5)
    assert check(htxs, subject([], record("CN1", band="htxs"))).met
    assert not check(htxs, subject(ratings("CN1", "httnv", 2020, 2021), record("CN1", band="httnv"))).met


def test_held_title_counts_only_earlier_years() -> None:
    cond = Condition("held_title", title="bang-khen-tinh")
    earlier = [HistoryEntry("CN1", 2021, "title", "bang-khen-tinh", detail="QĐ 12/QĐ-UBND")]
    result = check(cond, subject(earlier))
    assert (result.met, result.found) == (True, "năm 2021 (QĐ 12/QĐ-UBND)")
    assert result.text == "Đã được tặng «Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh» trước năm 2024"
    this_year = check(cond, subject(titles("CN1", "bang-khen-tinh", 2024)))
    assert (this_year.met, this_year.found) == (False, "chưa được tặng")


def test_an_initiative_counts_once() -> None:
    cond = Condition("initiative")
    fresh = HistoryEntry("CN1", 2024, "initiative", "co-so", detail="Số hóa sổ hộ tịch")
    used = HistoryEntry("CN1", 2024, "initiative", "co-so", detail="Số hóa sổ hộ tịch",
                        used_for="bang-khen-tinh-ca-nhan")
    result = check(cond, subject([fresh]))
    assert (result.met, result.found) == (True, "«Số hóa sổ hộ tịch» (cấp cơ sở)")
    refused = check(cond, subject([used]))
    assert not refused.met and "đã dùng cho «bang-khen-tinh-ca-nhan»" in refused.found
    # Already recorded for this very award (e.g. evaluated again): still counts.
    assert check(cond, subject([used], award_id="bang-khen-tinh-ca-nhan")).met
    assert check(Condition("initiative", unused_only=False), subject([used])).met
    last_year = HistoryEntry("CN1", 2023, "initiative", "co-so")
    assert not check(cond, subject([last_year])).met
    assert not check(Condition("initiative", scopes=("tinh",)), subject([fresh])).met


def test_no_discipline_and_a_pending_case_always_refuses() -> None:
    cond = Condition("no_discipline", years=1)
    assert check(cond, subject([])).found == "không"
    old = HistoryEntry("CN1", 2022, "discipline", "canh-cao")
    assert check(cond, subject([old])).met  # outside this year
    assert not check(Condition("no_discipline", years=3), subject([old])).met  # 2022–2024
    pending = HistoryEntry("CN1", 2021, "discipline", "dang-xem-xet")
    result = check(cond, subject([pending]))
    assert (result.met, result.found) == (False, "đang xem xét kỷ luật năm 2021")


def test_any_of_is_met_when_one_is() -> None:
    cond = Condition("any_of", of=(Condition("band_in", bands=("htxs",)), Condition("initiative")))
    initiative = HistoryEntry("CN1", 2024, "initiative", "tinh", detail="Sổ tay VNeID")
    result = check(cond, subject([initiative], record("CN1", band="httnv")))
    assert result.met and result.found == "đạt (2): «Sổ tay VNeID» (cấp tỉnh)"
    assert result.text.startswith("Đáp ứng một trong các điều kiện: (1) Xếp loại năm 2024")
    neither = check(cond, subject([], record("CN1", band="httnv")))
    assert neither.found == "(1) Hoàn thành tốt nhiệm vụ; (2) không có sáng kiến được công nhận năm 2024"


def test_history_follows_lineage_transitively_and_survives_cycles() -> None:
    entries = [*titles("XA-CU-1", "cstdcs", 2022), *titles("XA-CU-2", "cstdcs", 2023),
               *titles("XA-MOI", "cstdcs", 2024)]
    # XA-MOI ← XA-CU-2 ← XA-CU-1, and a careless cycle XA-CU-1 ← XA-MOI.
    lineage = {"XA-MOI": ["XA-CU-2"], "XA-CU-2": ["XA-CU-1"], "XA-CU-1": ["XA-MOI"]}
    history = History(entries, lineage)
    assert history.lineage_of("XA-MOI") == ("XA-MOI", "XA-CU-2", "XA-CU-1")
    assert [e.unit_code for e in history.of("XA-MOI", 2022, "title")] == ["XA-CU-1"]
    cond = Condition("title_consecutive", title="cstdcs", years=3)
    assert check(cond, subject(entries, code="XA-MOI", lineage=lineage)).met
    # A predecessor does not inherit its successor's titles without a lineage entry.
    assert not check(cond, subject(entries, code="XA-CU-2", lineage={"XA-CU-2": ["XA-CU-1"]})).met


def test_unknown_kind_cannot_be_described() -> None:
    with pytest.raises(ValueError, match="không được hỗ trợ"):
        describe(Condition("bay"))
