"""The Tuyên Quang registry: real districts and communes, agencies, clusters, officials."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from demo.registry_tuyen_quang import build_tuyen_quang_registry
from scoring.core.units import COMPETING_LEVELS, Registry, load_registry, save_registry

DISTRICTS = {
    "070": "Thành phố Tuyên Quang",
    "071": "Huyện Lâm Bình",
    "072": "Huyện Na Hang",
    "073": "Huyện Chiêm Hóa",
    "074": "Huyện Hàm Yên",
    "075": "Huyện Yên Sơn",
    "076": "Huyện Sơn Dương",
}


@pytest.fixture(scope="module")
def registry() -> Registry:
    return build_tuyen_quang_registry()


def test_seven_districts_with_their_real_names(registry: Registry) -> None:
    districts = {u.code: u.name for u in registry.of_level("district")}
    assert districts == DISTRICTS
    assert registry.unit("070").kind == "district.thanh_pho"
    assert all(registry.unit(code).kind == "district.huyen" for code in DISTRICTS if code != "070")
    assert all(registry.unit(code).parent == "08" for code in DISTRICTS)


def test_137_communes_each_under_one_of_the_districts(registry: Registry) -> None:
    communes = registry.of_level("commune")
    assert len(communes) == 137
    strays = [u.code for u in communes if u.parent not in DISTRICTS]
    assert not strays, f"các xã không thuộc huyện nào của tỉnh: {strays}"
    assert Counter(u.kind for u in communes) == {
        "commune.xa": 121,
        "commune.phuong": 10,
        "commune.thi_tran": 6,
    }


@pytest.mark.parametrize(
    ("code", "name", "district"),
    [
        ("02200", "Phường Phan Thiết", "070"),
        ("02209", "Xã Tràng Đà", "070"),
        ("02266", "Thị trấn Lăng Can", "071"),
        ("02221", "Thị trấn Na Hang", "072"),
        ("02287", "Thị trấn Vĩnh Lộc", "073"),
        ("02536", "Thị trấn Sơn Dương", "076"),
    ],
)
def test_known_communes_keep_their_official_codes(
    registry: Registry, code: str, name: str, district: str
) -> None:
    commune = registry.unit(code)
    assert (commune.name, commune.parent) == (name, district)


def test_commune_kind_agrees_with_its_name(registry: Registry) -> None:
    prefixes = {"commune.xa": "Xã ", "commune.phuong": "Phường ", "commune.thi_tran": "Thị trấn "}
    wrong = [u.name for u in registry.of_level("commune") if not u.name.startswith(prefixes[u.kind])]
    assert not wrong, f"loại đơn vị không khớp với tên: {wrong}"


def test_every_name_is_nfc(registry: Registry) -> None:
    names = [u.name for u in registry.units] + [c.name for c in registry.clusters]
    bad = [n for n in names if not unicodedata.is_normalized("NFC", n)]
    assert not bad, f"tên chưa chuẩn hóa Unicode NFC: {bad}"


def test_codes_are_unique(registry: Registry) -> None:
    assert len({u.code for u in registry.units}) == len(registry.units)
    assert len({c.code for c in registry.clusters}) == len(registry.clusters)


def test_every_competing_unit_is_in_a_cluster_of_its_level(registry: Registry) -> None:
    for level in COMPETING_LEVELS:
        for unit in registry.of_level(level):
            assert unit.cluster is not None, f"{unit.name} ({unit.code}) chưa thuộc khối/cụm nào"
            assert registry.cluster(unit.cluster).level == level
    assert registry.unit("08").cluster is None, "tỉnh là cơ quan tổ chức, không thi đua"


def test_every_cluster_has_at_least_three_members(registry: Registry) -> None:
    small = {c.name: len(registry.members(c.code)) for c in registry.clusters}
    assert all(n >= 3 for n in small.values()), f"khối/cụm có ít hơn 3 thành viên: {small}"


def test_commune_clusters_follow_district_boundaries(registry: Registry) -> None:
    for code, name in DISTRICTS.items():
        cluster = registry.cluster(f"cum.xa.{code}")
        assert cluster.name.endswith(f"thuộc {name}")
        assert {u.parent for u in registry.members(cluster.code)} == {code}
    assert registry.cluster("cum.xa.070").name == ("Cụm thi đua các xã, phường thuộc Thành phố Tuyên Quang")


def test_agencies_and_their_sector_blocks(registry: Registry) -> None:
    agencies = {u.name: u for u in registry.of_level("agency")}
    assert len(agencies) == 26
    assert [u.code for u in registry.of_level("agency")] == [f"CQ{i:02d}" for i in range(1, 27)]
    assert agencies["Sở Nội vụ"].cluster == "khoi.tong_hop"
    assert agencies["Sở Y tế"].cluster == "khoi.van_hoa_xa_hoi"
    assert agencies["Cục Thuế tỉnh"].kind == "agency.nganh_doc"
    assert agencies["Hội Nông dân tỉnh"].kind == "agency.doan_the"
    assert all(u.parent == "08" for u in agencies.values())


def test_agency_tags_used_by_plan_applicability(registry: Registry) -> None:
    tags = {u.name: set(u.tags) for u in registry.of_level("agency")}
    assert {"co_so_luu_tru", "dvc_thiet_yeu"} <= tags["Công an tỉnh"]
    assert "co_so_kcb" not in tags["Công an tỉnh"], "Công an tỉnh không quản lý cơ sở khám chữa bệnh"
    assert "co_so_kcb" in tags["Sở Y tế"]
    assert "co_so_kcb" in tags["Bảo hiểm xã hội tỉnh"]
    assert "co_so_luu_tru" in tags["Sở Văn hóa, Thể thao và Du lịch"]
    assert "tthc" in tags["Sở Tư pháp"]
    assert not tags["Hội Liên hiệp Phụ nữ tỉnh"], "đoàn thể không giải quyết thủ tục hành chính"


def test_officials_per_unit(registry: Registry) -> None:
    staff = Counter(u.parent for u in registry.of_level("individual"))
    assert all(staff[u.code] == 3 for u in registry.of_level("agency"))
    assert all(staff[u.code] == 3 for u in registry.of_level("district"))
    assert all(staff[u.code] == 2 for u in registry.of_level("commune"))
    codes = [u.code for u in registry.of_level("individual")]
    assert codes == [f"CN{i:05d}" for i in range(1, 374)]


def test_officials_sex_matches_their_names(registry: Registry) -> None:
    officials = registry.of_level("individual")
    for person in officials:
        words = person.name.split()
        assert len(words) >= 3 and all(w[0].isupper() for w in words), person.name
        if "Thị" in words[1:-1]:
            assert person.sex == "nu", f"{person.name} có tên đệm 'Thị' nhưng ghi giới tính nam"
        if "Văn" in words[1:-1]:
            assert person.sex == "nam", f"{person.name} có tên đệm 'Văn' nhưng ghi giới tính nữ"
    women = sum(p.sex == "nu" for p in officials) / len(officials)
    assert 0.4 <= women <= 0.6, f"tỷ lệ nữ {women:.0%} khác xa một nửa"


def test_no_districts_or_communes_after_1_july_2025(registry: Registry) -> None:
    after = date(2025, 7, 1)
    assert registry.of_level("district", on=after) == ()
    assert registry.of_level("commune", on=after) == ()
    assert len(registry.of_level("agency", on=after)) == 26
    officials = registry.of_level("individual", on=after)
    assert {registry.unit(str(p.parent)).level for p in officials} == {"agency"}
    assert len(registry.of_level("district", on=date(2025, 6, 30))) == 7


def test_building_twice_gives_the_same_registry(registry: Registry) -> None:
    assert build_tuyen_quang_registry() == registry


def test_save_then_load_round_trips(registry: Registry, tmp_path: Path) -> None:
    path = tmp_path / "tuyen_quang.json"
    save_registry(registry, path)
    assert load_registry(path) == registry
    again = tmp_path / "lan_2.json"
    save_registry(build_tuyen_quang_registry(), again)
    assert again.read_bytes() == path.read_bytes(), "tệp danh mục phải giống hệt nhau mỗi lần"


def test_moving_a_commune_to_an_unknown_cluster_is_refused(registry: Registry, tmp_path: Path) -> None:
    path = tmp_path / "tuyen_quang.json"
    save_registry(registry, path)
    document = json.loads(path.read_text(encoding="utf-8"))
    commune = next(u for u in document["units"] if u["code"] == "02200")
    commune["cluster"] = "cum.xa.999"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape("đơn vị '02200': khối/cụm thi đua 'cum.xa.999'")):
        load_registry(path)
