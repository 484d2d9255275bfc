"""Tuyên Quang from 1 Jul 2025: the merged province's communes and agencies, and their lineage.

Resolution 202/2025/QH15 merged Hà Giang into Tuyên Quang (province code 08 is kept) and ended
the district level. This module adds the current units to the legacy registry of
:mod:`demo.registry_tuyen_quang` and links each legacy unit to the units that replaced it:

- Communes: the 124 communes and wards of the merged province, names and official codes from
  ``vietnam-provinces``. An official code reuses the code of one former commune (the new Xã
  Lâm Bình is 02266, once Thị trấn Lăng Can), so the registry code of a current commune is its
  official code followed by :data:`SUFFIX` ("02266-2025"); :func:`official_code` undoes it.
- Lineage: ``vietnamadminunits``' 2025 conversion table names, for each new commune, the former
  communes it was formed from; a former commune divided between new ones names all of them.
  The legacy registry only holds former Tuyên Quang (137 communes), not former Hà Giang
  (193 communes): a link is stored only when its predecessor is in the registry, so the 73 new
  communes formed from Hà Giang communes alone have no predecessor here.
- Commune clusters: by the former district most predecessors belonged to (a tie goes to the
  lower district code): 18 clusters of 3 to 12 communes, 7 from Tuyên Quang, 11 from Hà Giang.
- Agencies: the legacy list, re-created as the merged province's agencies (code "CQnn-2025").
  The departments merged in early 2025 (footnotes 2–4 of seed 001) are folded in: Kế hoạch và
  Đầu tư into Tài chính, Giao thông vận tải into Xây dựng, Thông tin và Truyền thông into Khoa
  học và Công nghệ, Lao động - Thương binh và Xã hội into Nội vụ; Nông nghiệp và Phát triển
  nông thôn with Tài nguyên và Môi trường form Nông nghiệp và Môi trường (CQ27), Ban Dân tộc
  becomes Sở Dân tộc và Tôn giáo (CQ28), Cục Thuế tỉnh becomes Thuế tỉnh. For simplicity all
  of this is dated 1 Jul 2025, like the province merger (the departments really merged on
  1 Mar 2025), so each plan sees one consistent set of agencies. Every legacy agency (and its
  officials) ends on 30 Jun 2025 with the new agency as its successor.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from typing import Any

from vietnam_provinces import Province, ProvinceCode, VietNamDivisionType, Ward
from vietnamadminunits.converter.converter_2025 import (
    DICT_PROVINCE,
    DICT_PROVINCE_WARD_DIVIDED,
    DICT_PROVINCE_WARD_NO_DIVIDED,
)
from vietnamadminunits.database import query

from demo.registry_tuyen_quang import LEGACY_END, PROVINCE_CODE, build_tuyen_quang_registry
from scoring.core.units import Cluster, Registry, Unit

CURRENT_START = date(2025, 7, 1)
SUFFIX = "-2025"
PROVINCE_KEY = "tinhtuyenquang"  # vietnamadminunits' key of the merged province
WARD_KINDS = {VietNamDivisionType.XA: "commune.xa", VietNamDivisionType.PHUONG: "commune.phuong"}

# Provincial agencies of the merged province: (number, name, kind, cluster, legacy codes, tags).
# Tags, besides those of demo.registry_tuyen_quang (tthc, dvc_thiet_yeu, co_so_kcb,
# co_so_luu_tru), name who answers for a 2025 indicator of seed 001 §II.1:
# - an_sinh: social-assistance payments (1.7): Sở Y tế took social protection from Lao động -
#   Thương binh và Xã hội in 2025.
# - luong_huu: pensions paid through accounts (1.8): Bảo hiểm xã hội.
# - truong_hoc: school fees and e-school records (1.9, 1.10): Sở Giáo dục và Đào tạo.
# - xang_dau: petrol stations connected for e-invoices (1.11): Sở Công Thương and Thuế tỉnh.
# - ly_lich_tu_phap: criminal-record certificates on VNeID (1.13): Sở Tư pháp, Công an tỉnh.
# - nguoi_nuoc_ngoai: procedures of foreigners online (1.14): Công an tỉnh (residence of
#   foreigners) and Sở Nội vụ (work permits, from Lao động - Thương binh và Xã hội).
# - dat_dai: the land database (1.15): Sở Nông nghiệp và Môi trường.
AGENCIES_2025: tuple[tuple[int, str, str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    (1, "Văn phòng Ủy ban nhân dân tỉnh", "agency.so", "khoi.tong_hop", ("CQ01",), ()),
    (2, "Sở Nội vụ", "agency.so", "khoi.tong_hop", ("CQ02", "CQ12"),
     ("tthc", "dvc_thiet_yeu", "nguoi_nuoc_ngoai")),
    (3, "Sở Tư pháp", "agency.so", "khoi.tong_hop", ("CQ03",),
     ("tthc", "dvc_thiet_yeu", "ly_lich_tu_phap")),
    (5, "Sở Tài chính", "agency.so", "khoi.tong_hop", ("CQ05", "CQ04"), ("tthc", "dvc_thiet_yeu")),
    (6, "Sở Công Thương", "agency.so", "khoi.kinh_te", ("CQ06",), ("tthc", "xang_dau")),
    (27, "Sở Nông nghiệp và Môi trường", "agency.so", "khoi.kinh_te", ("CQ07", "CQ10"),
     ("tthc", "dvc_thiet_yeu", "dat_dai")),
    (9, "Sở Xây dựng", "agency.so", "khoi.kinh_te", ("CQ09", "CQ08"), ("tthc", "dvc_thiet_yeu")),
    (14, "Sở Khoa học và Công nghệ", "agency.so", "khoi.van_hoa_xa_hoi", ("CQ14", "CQ11"), ("tthc",)),
    (13, "Sở Văn hóa, Thể thao và Du lịch", "agency.so", "khoi.van_hoa_xa_hoi", ("CQ13",),
     ("tthc", "co_so_luu_tru")),
    (15, "Sở Giáo dục và Đào tạo", "agency.so", "khoi.van_hoa_xa_hoi", ("CQ15",),
     ("tthc", "dvc_thiet_yeu", "truong_hoc")),
    (16, "Sở Y tế", "agency.so", "khoi.van_hoa_xa_hoi", ("CQ16",),
     ("tthc", "co_so_kcb", "dvc_thiet_yeu", "an_sinh")),
    (28, "Sở Dân tộc và Tôn giáo", "agency.so", "khoi.van_hoa_xa_hoi", ("CQ18",), ("tthc",)),
    (17, "Thanh tra tỉnh", "agency.so", "khoi.tong_hop", ("CQ17",), ()),
    (19, "Ban Quản lý các khu công nghiệp tỉnh", "agency.ban", "khoi.kinh_te", ("CQ19",), ("tthc",)),
    (20, "Công an tỉnh", "agency.nganh_doc", "khoi.nganh_doc", ("CQ20",),
     ("co_so_luu_tru", "dvc_thiet_yeu", "ly_lich_tu_phap", "nguoi_nuoc_ngoai")),
    (21, "Bảo hiểm xã hội tỉnh", "agency.nganh_doc", "khoi.nganh_doc", ("CQ21",),
     ("tthc", "co_so_kcb", "dvc_thiet_yeu", "luong_huu")),
    (22, "Thuế tỉnh", "agency.nganh_doc", "khoi.nganh_doc", ("CQ22",),
     ("tthc", "dvc_thiet_yeu", "xang_dau")),
    (23, "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "agency.doan_the", "khoi.doan_the", ("CQ23",), ()),
    (24, "Tỉnh đoàn", "agency.doan_the", "khoi.doan_the", ("CQ24",), ()),
    (25, "Hội Liên hiệp Phụ nữ tỉnh", "agency.doan_the", "khoi.doan_the", ("CQ25",), ()),
    (26, "Hội Nông dân tỉnh", "agency.doan_the", "khoi.doan_the", ("CQ26",), ()),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class NewCommune:
    """A commune or ward of the merged province and the former communes it was formed from."""

    official: str  # the official five-digit code
    name: str
    kind: str
    predecessors: tuple[str, ...]  # official codes of the former communes (Tuyên Quang, Hà Giang), sorted
    district_code: str  # the former district most predecessors belonged to
    district_name: str


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def current_code(official: str) -> str:
    """The registry code of a current commune or agency."""
    return f"{official}{SUFFIX}"


def official_code(code: str) -> str:
    """The official code inside a registry code: "02266-2025" → "02266"."""
    return code.removesuffix(SUFFIX)


def merged_province() -> Province:
    return Province.from_code(ProvinceCode(int(PROVINCE_CODE)))


def _legacy_rows() -> dict[str, dict[str, Any]]:
    """Former communes of the provinces merged into Tuyên Quang, by conversion key."""
    sources = DICT_PROVINCE[PROVINCE_KEY]
    keys = ", ".join(f"'{key}'" for key in sources)
    rows = query(
        "SELECT provinceKey, districtKey, wardKey, wardCode, ward, districtCode, district "
        f"FROM admin_units_legacy WHERE provinceKey IN ({keys})"
    )
    return {f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey']}": r for r in rows}


def _new_ward_keys() -> dict[str, str]:
    """Official code of each new commune → its key in vietnamadminunits' conversion table."""
    rows = query(f"SELECT wardKey, wardCode FROM admin_units WHERE provinceKey='{PROVINCE_KEY}'")
    return {r["wardCode"]: r["wardKey"] for r in rows}


def _former_district(rows: list[dict[str, Any]]) -> tuple[str, str]:
    counts = Counter((r["districtCode"], r["district"]) for r in rows)
    return min(counts, key=lambda d: (-counts[d], d[0]))


@cache
def new_communes() -> tuple[NewCommune, ...]:
    """Every commune of the merged province, in official-code order, with its predecessors."""
    legacy = _legacy_rows()
    keys = _new_ward_keys()
    whole = DICT_PROVINCE_WARD_NO_DIVIDED[PROVINCE_KEY]
    divided = DICT_PROVINCE_WARD_DIVIDED.get(PROVINCE_KEY, {})
    out: list[NewCommune] = []
    for ward in sorted(Ward.iter_by_province(merged_province().code), key=lambda w: int(w.code)):
        official = f"{int(ward.code):05d}"
        key = keys[official]
        parts = [legacy[old] for old in whole[key]]
        split = [legacy[old] for old, new in divided.items() if any(n["newWardKey"] == key for n in new)]
        district = _former_district(parts or split)
        out.append(NewCommune(official, _nfc(ward.name), WARD_KINDS[ward.division_type],
                              tuple(sorted(r["wardCode"] for r in parts + split)), *district))
    return tuple(out)


def legacy_successors() -> dict[str, tuple[str, ...]]:
    """Official code of a former commune (Tuyên Quang or Hà Giang) → registry codes of the new
    communes it became (more than one when it was divided)."""
    out: dict[str, list[str]] = {}
    for commune in new_communes():
        for old in commune.predecessors:
            out.setdefault(old, []).append(current_code(commune.official))
    return {old: tuple(new) for old, new in out.items()}


def _cluster_name(district: str, kinds: set[str]) -> str:
    sorts = [word for kind, word in (("commune.xa", "xã"), ("commune.phuong", "phường")) if kind in kinds]
    for sort in ("Huyện ", "Thành phố "):  # "Huyện Na Hang" reads "huyện Na Hang" mid-sentence
        if district.startswith(sort):
            district = sort.lower() + district.removeprefix(sort)
    return _nfc(f"Cụm thi đua các {', '.join(sorts)} trên địa bàn {district} (cũ)")


def current_clusters() -> tuple[Cluster, ...]:
    """One commune cluster per former district (the agency blocks are the legacy ones)."""
    by_district: dict[tuple[str, str], set[str]] = {}
    for commune in new_communes():
        by_district.setdefault((commune.district_code, commune.district_name), set()).add(commune.kind)
    return tuple(Cluster(f"cum.xa2025.{code}", _cluster_name(name, kinds), "commune")
                 for (code, name), kinds in sorted(by_district.items()))


def current_units() -> tuple[Unit, ...]:
    """The merged province's agencies and communes, valid from 1 Jul 2025."""
    agencies = tuple(
        Unit(current_code(f"CQ{number:02d}"), _nfc(name), kind, "agency", PROVINCE_CODE, cluster,
             CURRENT_START, tags=tags)
        for number, name, kind, cluster, _, tags in AGENCIES_2025
    )  # fmt: skip
    communes = tuple(
        Unit(current_code(c.official), c.name, c.kind, "commune", PROVINCE_CODE,
             f"cum.xa2025.{c.district_code}", CURRENT_START)
        for c in new_communes()
    )  # fmt: skip
    return agencies + communes


def _agency_successors() -> dict[str, str]:
    return {old: current_code(f"CQ{row[0]:02d}") for row in AGENCIES_2025 for old in row[4]}


def with_successors(legacy: Registry) -> tuple[Unit, ...]:
    """The legacy units, with successors on agencies and communes and agencies (and their
    officials) ending on :data:`LEGACY_END`; a commune's successors are in registry order."""
    communes = legacy_successors()
    agencies = _agency_successors()
    out: list[Unit] = []
    for unit in legacy.units:
        if unit.level == "agency":
            unit = replace(unit, valid_to=LEGACY_END, successors=(agencies[unit.code],))
        elif unit.level == "commune":
            unit = replace(unit, successors=communes.get(unit.code, ()))
        elif unit.level == "individual" and unit.parent in agencies:
            unit = replace(unit, valid_to=LEGACY_END)
        out.append(unit)
    return tuple(out)


def build_tuyen_quang_2025_registry(legacy: Registry | None = None) -> Registry:
    """The legacy registry (units ending 30 Jun 2025, with successors) and the current units."""
    legacy = legacy or build_tuyen_quang_registry()
    return Registry(
        legacy.province_code,
        legacy.province_name,
        legacy.clusters + current_clusters(),
        with_successors(legacy) + current_units(),
    )
