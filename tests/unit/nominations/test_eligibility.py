"""Evaluating an award over a run: versions by date, near misses, quotas and the women preference."""

from __future__ import annotations

import json
from typing import Any

from award_records import criterion, one_award, record, shipped
from hypothesis import given, settings
from hypothesis import strategies as st

from nominations.eligibility import Person, candidate_dict, evaluate
from nominations.history import History
from nominations.rules import RuleSet

NOBODY = History([])
BAND_OK = {"kind": "band_in", "bands": ["htxs", "httnv", "htnv", "khong-ht"]}  # always met


def person(code: str, sex: str | None, parent: str | None = "CQ1", name: str | None = None) -> Person:
    return Person(code, name or f"Cá nhân {code}", "individual", sex, parent)


def official(code: str, total: float, rank: int, name: str) -> dict[str, Any]:
    return record(code, total=total, level="individual", cluster="canhan.tinh",
                  cluster_name="Cá nhân khối cơ quan cấp tỉnh", rank_overall=rank, name=name)


# --- the version in force ----------------------------------------------------------------


def leaders() -> list[dict[str, Any]]:
    return [record("CQ1", total=97, rank_overall=1),
            record("CQ2", total=92, rank_in_cluster=2, rank_overall=2),
            record("H1", total=96, level="district", cluster="cum.huyen", cluster_name="Cụm các huyện"),
            record("X1", total=99, level="commune", cluster="cum.xa", cluster_name="Cụm xã")]


def test_a_rule_applies_only_inside_its_effective_dates() -> None:
    rules = shipped()
    # 31/12/2024 falls in Decree 98's version (01/01/2024 – 30/06/2025).
    in_2024 = evaluate(rules, "co-thi-dua-tinh", leaders(), {}, NOBODY, 2024)
    assert in_2024.version is not None and "98/2023/NĐ-CP" in in_2024.version.legal_basis
    # The commune record is not of the award's levels (agency, district): never considered.
    assert [c.unit_code for c in in_2024.eligible] == ["CQ1", "H1"]
    assert [c.unit_code for c in in_2024.refused] == ["CQ2"]
    # 31/12/2025 falls in Decree 152's version (from 01/07/2025).
    in_2025 = evaluate(rules, "co-thi-dua-tinh", leaders(), {}, NOBODY, 2025)
    assert in_2025.version is not None and "152/2025/NĐ-CP" in in_2025.version.legal_basis
    # 31/12/2023 falls in the version of the 2003 Law and Decree 91/2017 (01/10/2017 – 31/12/2023).
    in_2023 = evaluate(rules, "co-thi-dua-tinh", leaders(), {}, NOBODY, 2023)
    assert in_2023.version is not None and "91/2017/NĐ-CP" in in_2023.version.legal_basis
    # 31/12/2016: no version in force; all 3 considered units refused, saying so.
    in_2016 = evaluate(rules, "co-thi-dua-tinh", leaders(), {}, NOBODY, 2016)
    assert in_2016.version is None and in_2016.eligible == () and in_2016.refused_count == 3
    assert in_2016.out_of_force_reason is not None
    assert in_2016.out_of_force_reason.startswith(
        "Không có quy định nào về «Cờ thi đua của Ủy ban nhân dân tỉnh» có hiệu lực vào ngày 31/12/2016")


def test_a_nominee_missing_one_mandatory_criterion_is_a_near_miss_naming_it() -> None:
    rules = one_award([{"kind": "band_in", "bands": ["htxs", "httnv"]}, {"kind": "all_mandatory_met"}])
    missing = [criterion("c1", "Số hóa hồ sơ"),
               criterion("c2", "Kết nối Cơ sở dữ liệu quốc gia về dân cư", "gate_failed")]
    records = [record("CQ1", total=93, band="htxs", criteria=[criterion("c1", "Số hóa hồ sơ")]),
               record("CQ2", total=85, band="httnv", gate_failed=True, criteria=missing, rank_overall=2),
               record("CQ3", total=60, band="khong-ht", gate_failed=True, criteria=missing, rank_overall=3)]
    ev = evaluate(rules, "thu", records, {}, NOBODY, 2024)
    assert [c.unit_code for c in ev.eligible] == ["CQ1"]
    # CQ2 fails only the mandatory criterion; CQ3 fails two conditions: refused, not a near miss.
    assert [c.unit_code for c in ev.near_misses] == ["CQ2"] and ev.refused_count == 2
    (reason,) = ev.near_misses[0].failed
    assert reason.kind == "all_mandatory_met"
    assert reason.found == "chưa đạt: «Kết nối Cơ sở dữ liệu quốc gia về dân cư»"


# --- quotas ------------------------------------------------------------------------------


def test_a_quota_keeps_n_and_the_women_preference_decides_a_tie() -> None:
    # Bằng khen tỉnh (cá nhân): quota 2 per parent body. Merit: 98 first; 95 and 95 tie and
    # the woman is preferred although the man comes first in the plan's order.
    records = [record("CQ1", name="Sở Nội vụ"),
               official("CN1", 98, 1, "Trần Văn An"), official("CN2", 95, 2, "Lê Văn Bình"),
               official("CN3", 95, 3, "Nguyễn Thị Chi"), official("CN4", 90, 4, "Phạm Thị Dung")]
    people = {"CN1": person("CN1", "nam"), "CN2": person("CN2", "nam"), "CN3": person("CN3", "nu"),
              "CN4": person("CN4", "nu")}
    ev = evaluate(shipped(), "bang-khen-tinh-ca-nhan", records, people, NOBODY, 2024)
    assert [c.unit_code for c in ev.eligible] == ["CN1", "CN3"]
    assert [c.unit_code for c in ev.cut] == ["CN2", "CN4"]
    man, lower = ev.cut
    assert man.cut_reason == ("Đơn vị Sở Nội vụ chỉ có 2 suất; bằng điểm với «Nguyễn Thị Chi» (95 điểm), "
                              "ưu tiên nữ theo Điều 4 Nghị định 152/2025/NĐ-CP")
    assert lower.cut_reason == ("Đơn vị Sở Nội vụ chỉ có 2 suất; 90 điểm, thấp hơn «Nguyễn Thị Chi» "
                                "(95 điểm), suất cuối cùng")
    assert all(c.cut_reason is None for c in ev.eligible)


def collective_tie(women_under_cq2: int) -> list[str]:
    rules = one_award([BAND_OK], quota={"scope": "cluster", "n": 1, "source": "Sở Nội vụ"})
    records = [record("CQ1", total=95, rank_overall=1), record("CQ2", total=95, rank_overall=2)]
    # Ten people work in CQ2, ``women_under_cq2`` of them women.
    people = {f"N{i}": person(f"N{i}", "nu" if i < women_under_cq2 else "nam", "CQ2") for i in range(10)}
    ev = evaluate(rules, "thu", records, people, NOBODY, 2024)
    assert len(ev.eligible) == 1
    return [ev.eligible[0].unit_code, ev.cut[0].cut_reason or ""]


def test_a_collective_with_70_percent_women_is_preferred_on_equal_totals() -> None:
    # 7/10 = 70 % ≥ 70 %: CQ2 is preferred over CQ1, first in the plan's order.
    kept, reason = collective_tie(7)
    assert kept == "CQ2" and reason.endswith("ưu tiên nữ theo Điều 4 Nghị định 152/2025/NĐ-CP")
    assert reason.startswith("Cụm thi đua A chỉ có 1 suất; bằng điểm với «Đơn vị CQ2» (95 điểm)")
    # 6/10 = 60 % < 70 %: no preference, the plan's order keeps CQ1.
    kept, reason = collective_tie(6)
    assert kept == "CQ1"
    assert reason.endswith("xếp sau theo thứ tự xếp hạng của kế hoạch (hạng chung 2, sau hạng 1)")


def test_each_cluster_has_its_own_quota() -> None:
    rules = one_award([BAND_OK], quota={"scope": "cluster", "n": 1, "source": "Sở Nội vụ"})
    records = [record("CQ1", total=90, rank_overall=3), record("CQ2", total=99, rank_overall=1),
               record("CQ3", total=97, cluster="cum.b", cluster_name="Cụm thi đua B", rank_overall=2)]
    ev = evaluate(rules, "thu", records, {}, NOBODY, 2024)
    assert [c.unit_code for c in ev.eligible] == ["CQ2", "CQ3"]  # merit order across clusters
    assert [c.unit_code for c in ev.cut] == ["CQ1"]
    assert ev.cut[0].cut_reason is not None and ev.cut[0].cut_reason.startswith("Cụm thi đua A chỉ có 1 suất")


def test_no_quota_keeps_every_eligible_unit_in_merit_order() -> None:
    records = [record("X1", total=82, level="commune", band="httnv", rank_overall=2),
               record("X2", total=91, level="commune", band="htxs", rank_overall=1),
               record("X3", total=75, level="commune", band="htnv", rank_overall=3)]
    ev = evaluate(shipped(), "giay-khen-tap-the", records, {}, NOBODY, 2024)
    assert [c.unit_code for c in ev.eligible] == ["X2", "X1"] and ev.cut == ()
    assert [c.unit_code for c in ev.near_misses] == ["X3"]


def test_candidate_dict_is_json_ready() -> None:
    ev = evaluate(shipped(), "co-thi-dua-tinh", leaders(), {}, NOBODY, 2024)
    data = candidate_dict(ev.refused[0])
    text = json.dumps(data, ensure_ascii=False)
    assert data["failed"][0] == {"kind": "rank_in_cluster_max", "met": False,
                                 "text": "Dẫn đầu cụm, khối thi đua (xếp hạng 1)",
                                 "found": "hạng 2/3 trong cụm"}
    assert "hạng 2/3 trong cụm" in text and data["cut_reason"] is None


# --- properties ----------------------------------------------------------------------------

QUOTA_RULES: dict[int, RuleSet] = {
    n: one_award([BAND_OK], quota={"scope": "parent", "n": n, "source": "Sở Nội vụ"},
                 recipient="individual", levels=("individual",))
    for n in (1, 2, 3)
}
ENTRY = st.tuples(st.sampled_from([90.0, 92.5, 95.0, 99.0]), st.sampled_from(["CQ1", "CQ2", "CQ3"]),
                  st.sampled_from(["nu", "nam", None]))


@settings(max_examples=150, deadline=None)
@given(entries=st.lists(ENTRY, max_size=16), n=st.sampled_from([1, 2, 3]))
def test_quota_keeps_min_n_per_group_and_never_a_lower_total_over_a_higher(
        entries: list[tuple[float, str, str | None]], n: int) -> None:
    records = [official(f"CN{i}", total, i + 1, f"Người {i}") for i, (total, _, _) in enumerate(entries)]
    people = {f"CN{i}": person(f"CN{i}", sex, parent) for i, (_, parent, sex) in enumerate(entries)}
    ev = evaluate(QUOTA_RULES[n], "thu", records, people, NOBODY, 2024)
    assert len(ev.eligible) + len(ev.cut) == len(entries)  # every condition always met
    for parent in ("CQ1", "CQ2", "CQ3"):
        size = sum(1 for _, p, _ in entries if p == parent)
        kept = [c for c in ev.eligible if c.parent == parent]
        cut = [c for c in ev.cut if c.parent == parent]
        assert len(kept) == min(n, size)
        assert all(k.total >= c.total for k in kept for c in cut)  # type: ignore[operator]
        assert all(c.cut_reason for c in cut)
