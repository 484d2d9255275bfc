"""The unit registry: lookups, validity dates, consistency checks and the JSON file."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.core.units import Cluster, Registry, Unit, load_registry, registry_to_dict, save_registry

START = date(2008, 1, 1)
DISTRICTS_END = date(2025, 6, 30)


def _small_units() -> tuple[Unit, ...]:
    return (
        Unit("08", "Tỉnh Tuyên Quang", "province", "province", None, None, START),
        Unit("CQ01", "Sở Nội vụ", "agency.so", "agency", "08", "khoi.th", START, tags=("tthc",)),
        Unit("CQ02", "Sở Tư pháp", "agency.so", "agency", "08", "khoi.th", START),
        Unit("CQ03", "Thanh tra tỉnh", "agency.so", "agency", "08", "khoi.th", START),
        Unit("073", "Huyện Chiêm Hóa", "district.huyen", "district", "08", "cum.huyen", START,
             DISTRICTS_END),
        Unit("02287", "Thị trấn Vĩnh Lộc", "commune.thi_tran", "commune", "073", "cum.xa",
             START, DISTRICTS_END, successors=("X1",)),
        Unit("CN00001", "Nguyễn Thị Hồng Nhung", "individual.cbccvc", "individual", "CQ01",
             "canhan", date(2020, 1, 1), sex="nu"),
    )  # fmt: skip


CLUSTERS = (
    Cluster("khoi.th", "Khối các cơ quan tổng hợp", "agency"),
    Cluster("cum.huyen", "Cụm thi đua các huyện, thành phố", "district"),
    Cluster("cum.xa", "Cụm thi đua các xã, thị trấn thuộc Huyện Chiêm Hóa", "commune"),
    Cluster("canhan", "Cá nhân khối cơ quan cấp tỉnh", "individual"),
)


@pytest.fixture
def small_registry() -> Registry:
    return Registry("08", "Tỉnh Tuyên Quang", CLUSTERS, _small_units())


@pytest.fixture
def small_document(small_registry: Registry) -> dict[str, Any]:
    return registry_to_dict(small_registry)


def _write(tmp_path: Path, document: Any) -> Path:
    path = tmp_path / "don_vi.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def test_lookups_by_code(small_registry: Registry) -> None:
    assert small_registry.unit("02287").name == "Thị trấn Vĩnh Lộc"
    assert small_registry.cluster("cum.huyen").level == "district"
    assert small_registry.has("CQ02")
    assert not small_registry.has("CQ99")
    assert [u.code for u in small_registry.members("khoi.th")] == ["CQ01", "CQ02", "CQ03"]


def test_unknown_codes_raise_key_error_in_vietnamese(small_registry: Registry) -> None:
    with pytest.raises(KeyError, match="Không có đơn vị mã 'CQ99'"):
        small_registry.unit("CQ99")
    with pytest.raises(KeyError, match=re.escape("Không có khối/cụm thi đua mã 'khoi.xyz'")):
        small_registry.cluster("khoi.xyz")


def test_district_level_ends_on_30_june_2025(small_registry: Registry) -> None:
    on_last_day = small_registry.of_level("district", on=date(2025, 6, 30))
    assert [u.code for u in on_last_day] == ["073"], "cấp huyện còn hiệu lực đến hết 30/6/2025"
    assert small_registry.of_level("district", on=date(2025, 7, 1)) == (), "từ 01/7/2025 không còn cấp huyện"
    assert small_registry.of_level("commune", on=date(2025, 7, 1)) == ()
    assert len(small_registry.of_level("agency", on=date(2025, 7, 1))) == 3


def test_of_level_without_date_keeps_history(small_registry: Registry) -> None:
    assert [u.code for u in small_registry.of_level("district")] == ["073"]


def test_individual_not_yet_appointed_is_not_listed(small_registry: Registry) -> None:
    assert small_registry.of_level("individual", on=date(2019, 12, 31)) == ()


def test_unknown_level_is_refused(small_registry: Registry) -> None:
    with pytest.raises(ValueError, match="Cấp 'ward' không hợp lệ"):
        small_registry.of_level("ward")


def test_save_then_load_round_trips_exactly(small_registry: Registry, tmp_path: Path) -> None:
    path = tmp_path / "don_vi.json"
    save_registry(small_registry, path)
    loaded = load_registry(path)
    assert loaded == small_registry
    assert loaded.units == small_registry.units
    assert loaded.unit("02287").successors == ("X1",)


def test_saved_file_is_readable_utf8_and_deterministic(small_registry: Registry, tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    save_registry(small_registry, first)
    save_registry(small_registry, second)
    assert first.read_bytes() == second.read_bytes()
    text = first.read_text(encoding="utf-8")
    assert "Thị trấn Vĩnh Lộc" in text, "tên tiếng Việt phải được ghi nguyên văn, không mã hóa \\u"


def test_unknown_cluster_is_reported_with_the_unit_code(
    small_document: dict[str, Any], tmp_path: Path
) -> None:
    small_document["units"][5]["cluster"] = "cum.khong_co"
    with pytest.raises(ValueError, match=r"đơn vị '02287': khối/cụm thi đua 'cum.khong_co'"):
        load_registry(_write(tmp_path, small_document))


def test_duplicate_unit_code_is_reported(small_document: dict[str, Any], tmp_path: Path) -> None:
    small_document["units"][3]["code"] = "CQ02"
    with pytest.raises(ValueError, match=r"mã đơn vị 'CQ02' bị trùng \(2 lần\)") as error:
        load_registry(_write(tmp_path, small_document))
    assert "don_vi.json" in str(error.value), "thông báo phải nêu tên tệp"


def test_duplicate_cluster_code_is_reported(small_document: dict[str, Any], tmp_path: Path) -> None:
    small_document["clusters"].append(dict(small_document["clusters"][0]))
    with pytest.raises(ValueError, match=r"mã khối/cụm thi đua 'khoi.th' bị trùng"):
        load_registry(_write(tmp_path, small_document))


def test_every_problem_is_reported_at_once(small_document: dict[str, Any], tmp_path: Path) -> None:
    small_document["units"][1]["valid_from"] = "2008-13-01"
    del small_document["units"][2]["name"]
    small_document["units"][3]["cluter"] = "khoi.th"
    with pytest.raises(ValueError) as error:
        load_registry(_write(tmp_path, small_document))
    message = str(error.value)
    assert "units[1] (mã 'CQ01'): ngày '2008-13-01'" in message
    assert "units[2] (mã 'CQ02'): thiếu trường 'name'" in message
    assert "units[3] (mã 'CQ03'): trường 'cluter' không được hỗ trợ" in message


def test_broken_json_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "hong.json"
    path.write_text('{"province": {"code": "08",}', encoding="utf-8")
    with pytest.raises(ValueError, match=r"hong.json: không đọc được JSON \(dòng 1"):
        load_registry(path)


def test_decomposed_unicode_is_normalised_on_load(small_document: dict[str, Any], tmp_path: Path) -> None:
    small_document["units"][5]["name"] = unicodedata.normalize("NFD", "Thị trấn Vĩnh Lộc")
    loaded = load_registry(_write(tmp_path, small_document))
    assert loaded.unit("02287").name == "Thị trấn Vĩnh Lộc"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "commune.xa"}, "loại 'commune.xa' thuộc cấp 'commune', không phải 'agency'"),
        ({"cluster": "cum.huyen"}, "không thể thuộc khối/cụm 'cum.huyen' của cấp 'district'"),
        ({"parent": "CQ77"}, "đơn vị cấp trên 'CQ77' không có trong danh mục"),
        ({"sex": "nu"}, "chỉ cá nhân mới có giới tính"),
        ({"valid_to": date(2000, 1, 1)}, "ngày hết hiệu lực trước ngày bắt đầu"),
        ({"name": unicodedata.normalize("NFD", "Sở Tư pháp")}, "chưa chuẩn hóa Unicode NFC"),
    ],
    ids=["kind-level", "cluster-level", "parent", "sex", "dates", "nfc"],
)
def test_inconsistent_agency_is_refused(change: dict[str, Any], message: str) -> None:
    units = list(_small_units())
    units[2] = replace(units[2], **change)
    with pytest.raises(ValueError, match=f"đơn vị 'CQ02'.*{re.escape(message)}"):
        Registry("08", "Tỉnh Tuyên Quang", CLUSTERS, tuple(units))


def test_official_cannot_outlive_the_commune(small_registry: Registry) -> None:
    official = Unit("CN00002", "Hoàng Văn Minh", "individual.cbccvc", "individual", "02287",
                    "canhan", date(2020, 1, 1), sex="nam")  # fmt: skip
    with pytest.raises(ValueError, match="vượt ra ngoài thời gian hiệu lực của đơn vị cấp trên"):
        Registry("08", "Tỉnh Tuyên Quang", CLUSTERS, (*small_registry.units, official))


vietnamese_names = st.text(
    alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợ"
    "ùúủũụừứửữựỳýỷỹỵ ĐĂÂÊÔƠƯ-,",
    min_size=1,
    max_size=40,
).filter(str.strip)


@settings(max_examples=40, deadline=None)
@given(names=st.lists(vietnamese_names, min_size=1, max_size=5))
def test_any_vietnamese_names_round_trip(names: list[str], tmp_path_factory: Any) -> None:
    clusters = (Cluster("k", "Khối", "agency"),)
    units = tuple(
        Unit(f"CQ{i:02d}", unicodedata.normalize("NFC", name), "agency.so", "agency", None, "k",
             START)
        for i, name in enumerate(names)
    )  # fmt: skip
    registry = Registry("08", "Tỉnh Tuyên Quang", clusters, units)
    path = tmp_path_factory.mktemp("vong") / "don_vi.json"
    save_registry(registry, path)
    assert load_registry(path) == registry
