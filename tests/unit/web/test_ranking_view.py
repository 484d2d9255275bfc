"""The public ranking's helpers: a search that ignores case and diacritics, anchors, and the note
where a unit ranked higher has a lower band than one ranked after it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scoring"))
from plans import build, hand_plan_dict  # the scoring tests' hand plan

from web.ranking_view import annotate, search


def levels() -> list[dict[str, Any]]:
    rows = [  # rank order; htxs is the best band, then httnv, htnv, khong-ht
        {"unit_code": "00001", "unit_name": "Xã Đông Thọ", "rank_in_cluster": 1, "band": "httnv"},
        {"unit_code": "00002", "unit_name": "Phường Phan Thiết", "rank_in_cluster": 2, "band": "htxs"},
        {"unit_code": "00003", "unit_name": "Xã Kim Phú", "rank_in_cluster": 3, "band": "htnv"},
    ]
    return [{"level": "xa", "level_name": "Cấp xã", "clusters": [{"name": "Cụm 1", "rows": rows}]}]


def test_a_higher_rank_with_a_lower_band_is_noted() -> None:
    shown = levels()
    annotate(shown, build(hand_plan_dict()))
    cluster = shown[0]["clusters"][0]
    assert [r["band_note"] for r in cluster["rows"]] == [True, False, False]
    assert cluster["band_note"] and cluster["anchor"] == "cum-xa-1"


def test_the_note_follows_the_rank_whatever_order_the_rows_are_shown_in() -> None:
    shown = levels()
    rows = shown[0]["clusters"][0]["rows"]
    rows.reverse()  # e.g. sorted by improvement: the last rank first
    annotate(shown, build(hand_plan_dict()))
    assert {r["unit_code"]: r["band_note"] for r in rows} == {"00001": True, "00002": False, "00003": False}


def test_the_search_ignores_case_and_diacritics_and_matches_codes() -> None:
    shown = levels()
    assert [f["row"]["unit_code"] for f in search(shown, "dong tho")] == ["00001"]
    assert [f["row"]["unit_code"] for f in search(shown, "XÃ")] == ["00001", "00003"]
    assert [f["row"]["unit_code"] for f in search(shown, "00002")] == ["00002"]
    assert search(shown, "   ") == [] and search(shown, "khong co") == []
