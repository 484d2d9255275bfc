"""Tuyên Quang from 1 Jul 2025: current communes and agencies, and their links to the legacy units."""

from __future__ import annotations

import unicodedata
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from vietnam_provinces import Province, ProvinceCode, Ward, WardCode
from vietnamadminunits.converter.converter_2025 import DICT_PROVINCE, convert_address_2025

import criteria
from criteria.loader import load_plan
from criteria.model import Plan
from demo.registry_2025 import (
    CURRENT_START,
    build_tuyen_quang_2025_registry,
    current_code,
    new_communes,
    official_code,
)
from demo.registry_tuyen_quang import LEGACY_END, build_tuyen_quang_registry
from scoring.core.pipeline import competing_units
from scoring.core.units import Registry, Unit, load_registry, registry_problems, save_registry
from scoring.registry.lineage import predecessors

PLANS = Path(criteria.__file__).parent / "plans"


@pytest.fixture(scope="module")
def registry() -> Registry:
    return build_tuyen_quang_2025_registry()


def current(registry: Registry, level: str) -> list[Unit]:
    return [u for u in registry.of_level(level) if u.valid_from == CURRENT_START]


def legacy(registry: Registry, level: str) -> list[Unit]:
    return [u for u in registry.of_level(level) if u.valid_from < CURRENT_START]


def test_ha_giang_merged_into_tuyen_quang_which_keeps_code_08() -> None:
    assert sorted(DICT_PROVINCE["tinhtuyenquang"]) == ["tinhhagiang", "tinhtuyenquang"]
    assert Province.from_code(ProvinceCode(8)).name == "Tuyên Quang"
    assert not [p for p in Province.iter_all() if p.name == "Hà Giang"], "Hà Giang không còn là tỉnh"


def test_the_combined_registry_is_valid(registry: Registry) -> None:
    assert registry_problems(registry.clusters, registry.units) == []
    assert len({u.code for u in registry.units}) == len(registry.units)
    assert registry.unit("08").valid_to is None, "tỉnh Tuyên Quang vẫn tồn tại sau sắp xếp"


def test_counts_before_and_after_1_july_2025(registry: Registry) -> None:
    assert (len(legacy(registry, "commune")), len(current(registry, "commune"))) == (137, 124)
    assert (len(legacy(registry, "agency")), len(current(registry, "agency"))) == (26, 21)
    assert all(u.valid_to == LEGACY_END for u in registry.of_level("district"))
    assert all(u.valid_to == LEGACY_END for level in ("agency", "commune") for u in legacy(registry, level))
    assert all(u.valid_to is None for level in ("agency", "commune") for u in current(registry, level))
    assert not current(registry, "district") and not current(registry, "individual")
    assert Counter(u.kind for u in current(registry, "commune")) == {"commune.xa": 117, "commune.phuong": 7}


def test_every_current_commune_has_its_official_name_and_code(registry: Registry) -> None:
    communes = current(registry, "commune")
    official = {f"{int(w.code):05d}": w for w in Ward.iter_by_province(ProvinceCode(8))}
    assert {official_code(u.code) for u in communes} == set(official)
    for unit in communes:
        assert unit.code == current_code(official_code(unit.code)) and unit.parent == "08"
        ward = Ward.from_code(WardCode(int(official_code(unit.code))))
        assert unit.name == unicodedata.normalize("NFC", ward.name)
        assert unit.kind == {"xã": "commune.xa", "phường": "commune.phuong"}[ward.division_type.value]


def test_the_legacy_registry_itself_is_unchanged(registry: Registry) -> None:
    before = build_tuyen_quang_registry()
    after = {u.code: u for u in registry.units}
    for unit in before.units:
        moved = after[unit.code]
        assert (moved.name, moved.kind, moved.parent, moved.cluster, moved.tags) == (
            unit.name, unit.kind, unit.parent, unit.cluster, unit.tags)


def test_every_legacy_commune_converts_as_vietnamadminunits_says(registry: Registry) -> None:
    """The library's own address converter (parser and polygons) agrees with our links."""
    for unit in legacy(registry, "commune"):
        district = registry.unit(unit.parent or "")
        new = convert_address_2025(f"{unit.name}, {district.name}, Tỉnh Tuyên Quang")
        assert new.ward_code in {official_code(s) for s in unit.successors}, (unit.code, unit.name)


@pytest.mark.parametrize(
    ("new", "name", "formed_from"),
    [
        ("02545", "Xã Tân Trào", {"02476", "02539", "02545"}),  # Kim Quan (Yên Sơn), Trung Yên, Tân Trào
        ("02266", "Xã Lâm Bình", {"02233", "02242", "02266"}),  # Phúc Yên, Xuân Lập, TT Lăng Can
        ("02221", "Xã Nà Hang", {"02221", "02281", "02284"}),  # TT Na Hang, Năng Khả, Thanh Tương
        ("02353", "Xã Hoà An", {"02344", "02353", "02362"}),  # Tân Thịnh, Hòa An, Nhân Lý
    ],
)
def test_known_mergers(registry: Registry, new: str, name: str, formed_from: set[str]) -> None:
    unit = registry.unit(current_code(new))
    assert unit.name == name
    assert {u.code for u in registry.units if unit.code in u.successors} == formed_from
    assert all(registry.unit(old).valid_to == LEGACY_END for old in formed_from)


def test_divided_communes_name_every_successor(registry: Registry) -> None:
    assert set(registry.unit("02494").successors) == {"02494-2025", "02212-2025"}  # Xã Thái Bình
    assert len(registry.unit("02497").successors) == 2  # Xã Kim Phú


def test_lineage_only_where_the_predecessor_is_in_the_registry(registry: Registry) -> None:
    linked = {s for u in legacy(registry, "commune") for s in u.successors}
    assert all(registry.unit(code).valid_from == CURRENT_START for code in linked)
    assert len(linked) == 51, "51 xã, phường mới hình thành từ xã cũ của Tuyên Quang"
    tuyen_quang = {u.code for u in legacy(registry, "commune")}
    ha_giang = [c for c in new_communes() if not tuyen_quang & set(c.predecessors)]
    assert len(ha_giang) == 73 and not {current_code(c.official) for c in ha_giang} & linked
    assert not any(u.successors for level in ("agency", "commune") for u in current(registry, level))


def test_commune_clusters_follow_former_districts(registry: Registry) -> None:
    clusters = [c for c in registry.clusters if c.code.startswith("cum.xa2025.")]
    assert len(clusters) == 18
    sizes = {c.code: len(registry.members(c.code)) for c in clusters}
    assert min(sizes.values()) >= 3, sizes
    assert registry.unit("02545-2025").cluster == "cum.xa2025.076"
    assert registry.cluster("cum.xa2025.076").name == "Cụm thi đua các xã trên địa bàn huyện Sơn Dương (cũ)"
    assert all(unicodedata.is_normalized("NFC", c.name) for c in clusters)


def test_agencies_merged_in_2025_and_their_officials(registry: Registry) -> None:
    successor = {u.code: u.successors for u in legacy(registry, "agency")}
    assert all(len(s) == 1 for s in successor.values())
    names = {u.code: u.name for u in current(registry, "agency")}
    assert names[successor["CQ04"][0]] == names[successor["CQ05"][0]] == "Sở Tài chính"
    assert names[successor["CQ07"][0]] == names[successor["CQ10"][0]] == "Sở Nông nghiệp và Môi trường"
    assert names[successor["CQ12"][0]] == "Sở Nội vụ" and names[successor["CQ22"][0]] == "Thuế tỉnh"
    officials = [u for u in registry.of_level("individual") if u.parent in successor]
    assert officials and all(u.valid_to == LEGACY_END for u in officials)
    assert {u.cluster for u in current(registry, "agency")} <= {c.code for c in registry.clusters}


@pytest.fixture(scope="module")
def plans() -> tuple[Plan, Plan]:
    return (load_plan(PLANS / "tuyen-quang-de-an-06-2022-2025.toml"),
            load_plan(PLANS / "tuyen-quang-de-an-06-2025.toml"))


def test_each_plan_scores_the_units_of_its_own_time(registry: Registry, plans: tuple[Plan, Plan]) -> None:
    old, new = plans
    counts = {level.id: len(competing_units(registry, old, level.id, 2024)) for level in old.levels}
    assert counts == {"agency": 26, "district": 7, "commune": 137, "individual": 373}
    counts = {level.id: len(competing_units(registry, new, level.id, 2025)) for level in new.levels}
    assert counts == {"agency": 21, "commune": 124}, "kỳ 2025 của kế hoạch mới không chấm xã cũ"


def test_file_round_trip_keeps_the_successors(registry: Registry, tmp_path: Path) -> None:
    path = tmp_path / "units.json"
    save_registry(registry, path)
    assert load_registry(path) == registry


def test_predecessors_are_followed_transitively_nearest_first() -> None:
    day = date(2020, 1, 1)
    units = (
        Unit("P", "Tỉnh", "province", "province", None, None, day),
        Unit("A", "Xã A", "commune.xa", "commune", "P", None, day, date(2021, 1, 1), successors=("B",)),
        Unit("B", "Xã B", "commune.xa", "commune", "P", None, day, date(2022, 1, 1), successors=("C",)),
        Unit("D", "Xã D", "commune.xa", "commune", "P", None, day, date(2022, 1, 1), successors=("C",)),
        Unit("C", "Xã C", "commune.xa", "commune", "P", None, day, successors=("A",)),  # a cycle
    )
    found = predecessors(Registry("P", "Tỉnh", (), units), "C")
    assert [(p.unit.code, p.successor, p.depth) for p in found] == [
        ("B", "C", 1), ("D", "C", 1), ("A", "B", 2)]
