"""What-if: one unit's values replaced in memory, its record before and after, nothing else touched."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from plans import LEVEL, PERIOD, build, day_number, hand_plan_dict, perfect_row

import criteria
from criteria.loader import load_plan
from criteria.model import Plan
from demo.indicators import demo_values
from demo.registry_tuyen_quang import build_tuyen_quang_registry
from presentation.numbers import exact_number_text
from scoring.core.pipeline import score_level
from scoring.core.report import unit_records
from scoring.core.units import Cluster, Registry, Unit
from scoring.core.whatif import OverrideError, WhatIfModel, frame_from_records
from scoring.services.runs import canonical

HAND = build(hand_plan_dict())
SHIPPED = load_plan(Path(criteria.__file__).parent / "plans" / "tuyen-quang-de-an-06-2022-2025.toml")


def commune(code: str, cluster: str) -> Unit:
    return Unit(code, f"Xã {code}", "commune.xa", "commune", None, cluster, date(2000, 1, 1))


REGISTRY = Registry("08", "Tỉnh thử", (Cluster("K1", "Cụm 1", "commune"), Cluster("K2", "Cụm 2", "commune")),
                    (commune("X01", "K1"), commune("X02", "K1"), commune("X03", "K1"), commune("X04", "K2")))


def long_form(rows: dict[str, dict[str, float]]) -> pd.DataFrame:
    return pd.DataFrame([(u, i, v) for u, row in rows.items() for i, v in row.items() if not math.isnan(v)],
                        columns=["unit_code", "indicator", "value"])


def hand_rows() -> dict[str, dict[str, float]]:
    """X01 is perfect; X02 digitised only 30 % (12,5 of 25 points); X03 half way on two criteria."""
    rows = {code: perfect_row() for code in ("X01", "X02", "X03", "X04")}
    rows["X02"]["ty_le_so_hoa"] = 30.0
    rows["X03"] |= {"ty_le_so_hoa": 45.0, "ty_le_dvc": 80.0}
    rows["X04"]["co_ke_hoach"] = 0.0
    return rows


@pytest.fixture(scope="module")
def model() -> WhatIfModel:
    return WhatIfModel.from_frame(HAND, REGISTRY, long_form(hand_rows()), LEVEL, PERIOD)


def stored(plan: Plan, registry: Registry, frame: pd.DataFrame, level: str,
           year: int = PERIOD) -> dict[str, str]:
    """What a run stores: each unit's record as canonical JSON."""
    records = unit_records(plan, registry, score_level(plan, registry, frame, level, year))
    return {r["unit_code"]: canonical(r) for r in records}


def test_no_change_gives_every_units_stored_record_byte_for_byte(model: WhatIfModel) -> None:
    run = stored(HAND, REGISTRY, long_form(hand_rows()), LEVEL)
    for code, text in run.items():
        answer = model.what_if(code, {})
        assert canonical(answer["before"]) == text == canonical(answer["after"]), code
        assert answer["differences"]["total"] == 0 and answer["differences"]["rank_overall"] == 0


def test_the_stored_values_written_as_people_write_them_change_nothing(model: WhatIfModel) -> None:
    same = {"ty_le_so_hoa": "30", "ty_le_dvc": "95,0", "co_ke_hoach": "Có", "co_su_co_attt": "Không",
            "ngay_nop_bao_cao_nam": "10/12/2024", "so_mo_hinh_so": 4}
    answer = model.what_if("X02", same)
    assert canonical(answer["after"]) == canonical(answer["before"])
    assert answer["values"]["co_ke_hoach"] == "Có"
    assert answer["values"]["ngay_nop_bao_cao_nam"] == "10/12/2024"


def test_raising_digitisation_to_45_percent_earns_6_25_points(model: WhatIfModel) -> None:
    answer = model.what_if("X02", {"ty_le_so_hoa": "45"})  # 25 × 45/60 = 18,75 instead of 25 × 30/60 = 12,5
    before, after, diff = answer["before"], answer["after"], answer["differences"]
    row = next(c for c in diff["criteria"] if c["id"] == "c.ratio-hi")
    assert (row["points_before"], row["points_after"], row["difference"]) == (12.5, 18.75, 6.25)
    assert row["status_before"] == row["status_after"] == "partial"
    assert all(c["difference"] == 0 for c in diff["criteria"] if c["id"] != "c.ratio-hi")
    assert (before["total"], after["total"], diff["total"]) == (87.5, 93.75, 6.25)
    # still second in K1, behind the perfect X01 (100) and ahead of X03 (100 − 6,25 − 10 = 83,75)
    assert (before["rank_in_cluster"], after["rank_in_cluster"], diff["rank_in_cluster"]) == (2, 2, 0)
    assert before["cluster_size"] == after["cluster_size"] == 3
    lower = model.what_if("X02", {"ty_le_so_hoa": "10"})["after"]
    assert lower["total"] == 79.17 and lower["rank_in_cluster"] == 3, "25 × 10/60 = 4,17: X03 passes X02"
    third = model.what_if("X03", {"ty_le_dvc": "90"})["after"]
    assert third["total"] == 93.75 and third["rank_in_cluster"] == 2, "X03 at 90 %: 93,75 passes X02 (87,5)"


def test_passing_the_mandatory_condition_lifts_the_band(model: WhatIfModel) -> None:
    answer = model.what_if("X04", {"co_ke_hoach": "x"})
    assert answer["before"]["gate_failed"] and not answer["after"]["gate_failed"]
    # before: 95 points but the gate failed and that criterion scored 0 (< 80 %): only «htnv»
    assert answer["differences"]["band"] == {"before": "htnv", "after": "htxs"}
    assert answer["differences"]["total"] == 5


def test_none_removes_a_value_and_nothing_in_the_model_changes(model: WhatIfModel) -> None:
    kept = model.scored.values.copy()
    answer = model.what_if("X01", {"ty_le_so_hoa": None})
    row = next(c for c in answer["after"]["criteria"] if c["id"] == "c.ratio-hi")
    assert (row["value"], row["points"], row["status"]) == (None, 0, "missing")
    assert answer["values"] == {"ty_le_so_hoa": None}
    np.testing.assert_array_equal(model.scored.values, kept)
    assert canonical(model.what_if("X01", {})["after"]) == canonical(answer["before"])


def test_bad_values_are_refused_naming_each_indicator(model: WhatIfModel) -> None:
    with pytest.raises(OverrideError) as caught:
        model.what_if("X01", {"khong_co": 1, "ty_le_so_hoa": "120%", "so_mo_hinh_so": "2,5",
                              "ngay_nop_bao_cao_nam": "31/02/2024", "ty_le_dvc": "abc"})
    issues = {i.indicator: i.message for i in caught.value.issues}
    assert set(issues) == {"khong_co", "ty_le_so_hoa", "so_mo_hinh_so", "ngay_nop_bao_cao_nam", "ty_le_dvc"}
    assert issues["khong_co"] == "Chỉ tiêu «khong_co» không có trong kế hoạch."
    assert "«Chỉ số ty_le_so_hoa» (ty_le_so_hoa)" in issues["ty_le_so_hoa"]
    assert "ngoài khoảng 0–100" in issues["ty_le_so_hoa"]
    assert "số nguyên không âm" in issues["so_mo_hinh_so"]
    assert "không tồn tại" in issues["ngay_nop_bao_cao_nam"]
    assert "không phải là số" in issues["ty_le_dvc"]
    with pytest.raises(KeyError):
        model.what_if("X99", {})


@pytest.fixture(scope="module")
def province() -> tuple[Registry, pd.DataFrame]:
    registry = build_tuyen_quang_registry()
    return registry, demo_values(SHIPPED, registry, 2024)


def test_an_indicator_of_another_level_is_refused(province: tuple[Registry, pd.DataFrame]) -> None:
    registry, frame = province
    model = WhatIfModel.from_frame(SHIPPED, registry, frame, "commune", 2024)
    district = SHIPPED.criteria_of("district")[0].indicator
    with pytest.raises(OverrideError) as caught:
        model.what_if(model.scored.units[0].code, {district: "50"})
    assert "thuộc cấp «Cấp huyện», không dùng để chấm cấp «Cấp xã»" in str(caught.value)


@pytest.mark.parametrize("level", ["agency", "commune", "individual"])
def test_a_what_if_is_what_scoring_the_changed_data_from_scratch_gives(
        province: tuple[Registry, pd.DataFrame], level: str) -> None:
    registry, frame = province
    model = WhatIfModel.from_frame(SHIPPED, registry, frame, level, 2024)
    rng = np.random.default_rng(6)
    percent = [i.id for i in SHIPPED.indicators_of(level) if i.kind == "percent"]
    for _ in range(5):
        unit = model.scored.units[int(rng.integers(len(model.scored.units)))].code
        tried = {str(i): round(float(rng.uniform(0, 100)), 1) for i in rng.choice(percent, 2, replace=False)}
        changed = frame[~((frame["unit_code"] == unit) & frame["indicator"].isin(list(tried)))]
        changed = pd.concat([changed, pd.DataFrame({"unit_code": unit, "indicator": list(tried),
                                                    "value": list(tried.values())})], ignore_index=True)
        written = {k: exact_number_text(v) for k, v in tried.items()}
        assert canonical(model.what_if(unit, written)["after"]) == stored(SHIPPED, registry, changed, level,
                                                                          2024)[unit]


def test_the_values_a_run_shows_read_back_score_the_same(province: tuple[Registry, pd.DataFrame]) -> None:
    registry, frame = province
    for level in ("agency", "district", "commune", "individual"):
        model = WhatIfModel.from_frame(SHIPPED, registry, frame, level, 2024)
        records = model.records()
        back = frame_from_records(SHIPPED, level, records)
        again = WhatIfModel.from_frame(SHIPPED, registry, back, level, 2024).records()
        assert [canonical(r) for r in again] == [canonical(r) for r in records], level


def test_read_back_dates_and_yes_no_are_day_numbers_and_ones() -> None:
    model = WhatIfModel.from_frame(HAND, REGISTRY, long_form(hand_rows()), LEVEL, PERIOD)
    back = frame_from_records(HAND, LEVEL, model.records()).set_index(["unit_code", "indicator"])["value"]
    assert back[("X01", "ngay_nop_bao_cao_nam")] == day_number(date(PERIOD, 12, 10))
    assert back[("X01", "co_ke_hoach")] == 1.0 and back[("X04", "co_ke_hoach")] == 0.0


def test_the_form_lists_every_indicator_with_the_value_the_run_used(model: WhatIfModel) -> None:
    fields = {f["indicator"]: f for f in model.inputs("X02")}
    assert list(fields) == list(model.scored.compiled.indicator_ids)
    assert fields["ty_le_so_hoa"]["value"] == "30" and fields["ty_le_so_hoa"]["kind"] == "percent"
    assert fields["co_ke_hoach"]["value"] == "Có" and fields["ngay_nop_bao_cao_nam"]["value"] == "10/12/2024"
    answer = model.what_if("X02", {f["indicator"]: f["value"] for f in fields.values()})
    assert canonical(answer["after"]) == canonical(answer["before"]), "gửi lại nguyên biểu mẫu không đổi gì"
