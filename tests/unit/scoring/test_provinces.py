"""Provinces from real data: finding a province, and its starting registry (current communes
and wards, agencies, and the legacy units with their successors)."""

from __future__ import annotations

import unicodedata

import pytest

from scoring.core.units import registry_problems
from scoring.registry.provinces import (
    CURRENT_START,
    LEGACY_END,
    ProvinceInfo,
    ProvinceNotFound,
    build_province_registry,
    find_province,
    load_agencies,
    official_code,
    provinces,
)


def test_the_current_structure_has_34_provinces_with_two_digit_codes() -> None:
    every = provinces()
    assert len(every) == 34 and len({p.code for p in every}) == 34
    assert all(len(p.code) == 2 for p in every)
    names = {p.code: p.full_name for p in every}
    assert names["66"] == "Tỉnh Đắk Lắk" and names["01"] == "Thành phố Hà Nội"


@pytest.mark.parametrize("text", ["Đắk Lắk", "đắk lắk", "dak lak", "DAK LAK", "daklak", "66",
                                  "Tỉnh Đắk Lắk", "tinh dak lak", " 66 "])
def test_dak_lak_is_found_by_code_or_name_with_or_without_diacritics(text: str) -> None:
    assert find_province(text).code == "66"


@pytest.mark.parametrize(("text", "code"), [
    ("Tuyên Quang", "08"), ("tuyen quang", "08"), ("8", "08"), ("08", "08"),
    ("Hà Nội", "01"), ("ha noi", "01"), ("Thành phố Hồ Chí Minh", "79"), ("tp ho chi minh", "79"),
    ("Huế", "46"), ("hue", "46"), ("Hà Tĩnh", "42"), ("Cà Mau", "96"),
])
def test_other_provinces_are_found(text: str, code: str) -> None:
    assert find_province(text).code == code


def test_an_unknown_name_lists_close_matches_in_vietnamese() -> None:
    with pytest.raises(ProvinceNotFound) as exc:
        find_province("dak lac")
    assert "Không có tỉnh, thành phố nào ứng với «dak lac»" in str(exc.value)
    assert "Đắk Lắk (66)" in str(exc.value)
    with pytest.raises(ProvinceNotFound, match="«99»"):
        find_province("99")


def test_an_ambiguous_name_lists_every_match() -> None:
    with pytest.raises(ProvinceNotFound) as exc:
        find_province("quang")
    message = str(exc.value)
    assert "ứng với nhiều tỉnh, thành phố" in message
    for name in ("Tuyên Quang (08)", "Quảng Ninh (22)", "Quảng Trị (44)", "Quảng Ngãi (51)"):
        assert name in message


def test_dak_lak_has_102_current_communes_and_wards_and_the_agencies() -> None:
    setup = build_province_registry(find_province("Đắk Lắk"))
    registry = setup.registry
    communes = registry.of_level("commune")
    assert setup.communes == len(communes) == 102
    assert {u.kind for u in communes} == {"commune.xa", "commune.phuong"}
    assert all(u.valid_from == CURRENT_START and u.valid_to is None for u in communes)
    assert all(len(official_code(u.code)) == 5 and u.parent == "66" for u in communes)
    assert "Phường Buôn Ma Thuột" in {u.name for u in communes}
    _, agencies = load_agencies()
    assert setup.agencies == len(registry.of_level("agency")) == len(agencies) >= 20
    assert registry.of_level("district") == () and setup.legacy_units == 0
    assert registry_problems(registry.clusters, registry.units) == []


def test_special_zones_keep_their_kind() -> None:
    communes = build_province_registry(find_province("Quảng Ninh")).registry.of_level("commune")
    assert {u.name for u in communes if u.kind == "commune.dac_khu"} >= {"Đặc khu Vân Đồn", "Đặc khu Cô Tô"}


def test_agencies_file_has_unique_codes_and_known_blocks() -> None:
    blocks, agencies = load_agencies()
    codes = [code for code, *_ in agencies]
    assert len(codes) == len(set(codes)) and all(code.startswith("CQ") for code in codes)
    assert {block for *_, block in agencies} <= {b.code for b in blocks}
    assert "Sở Nông nghiệp và Môi trường" in {name for _, name, _, _ in agencies}


def test_every_current_commune_of_tuyen_quang_has_a_predecessor_with_legacy() -> None:
    """All 124 communes and wards of the merged province are linked from at least one former
    commune, of former Tuyên Quang (codes 070–076 districts) or former Hà Giang (024–034)."""
    setup = build_province_registry(find_province("tuyen quang"), legacy=True)
    registry = setup.registry
    current = [u for u in registry.of_level("commune") if u.valid_from == CURRENT_START]
    legacy = [u for u in registry.units if u.valid_to == LEGACY_END]
    assert len(current) == 124
    linked = {code for u in legacy for code in u.successors}
    assert linked == {u.code for u in current}
    assert setup.former_provinces == ("Tỉnh Hà Giang", "Tỉnh Tuyên Quang")
    districts = {u.code: u for u in registry.of_level("district")}
    sources = {registry.unit(u.parent).name for u in legacy if u.level == "commune" and u.successors
               and u.parent in districts}
    assert "Huyện Chiêm Hóa" in sources and "Huyện Đồng Văn" in sources  # Tuyên Quang, Hà Giang
    predecessors = {c: [u for u in legacy if c in u.successors] for c in linked}
    assert all(predecessors[u.code] for u in current)
    assert setup.successor_links == sum(len(u.successors) for u in legacy)
    assert all(u.valid_from < CURRENT_START for u in legacy)
    assert registry_problems(registry.clusters, registry.units) == []


def test_every_province_builds_a_valid_registry_with_legacy() -> None:
    for info in provinces():
        setup = build_province_registry(info, legacy=True)
        assert setup.communes > 0 and setup.legacy_units > setup.communes, info.name
        current = {u.code for u in setup.registry.of_level("commune") if u.valid_to is None}
        linked = {code for u in setup.registry.units for code in u.successors}
        assert current <= linked, info.name


def _plain(text: str) -> str:
    """What a user types without Vietnamese input: "Đắk Lắk" → "Dak Lak"."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


@pytest.mark.parametrize("info", provinces(), ids=lambda p: p.code)
def test_every_province_is_found_by_its_code_its_name_and_its_plain_name(info: ProvinceInfo) -> None:
    for text in (info.code, str(int(info.code)), info.name, info.full_name, info.name.upper(),
                 _plain(info.name).lower(), _plain(info.full_name)):
        assert find_province(text) == info, text
