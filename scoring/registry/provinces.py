"""Any of the 34 provinces of the current structure as a starting registry, from real data.

- Provinces, communes and wards of today (from 1 Jul 2025): ``vietnam-provinces`` gives their
  official codes, names and kinds (xã, phường, đặc khu).
- Before 1 Jul 2025: ``vietnamadminunits`` gives the districts and communes of every former
  province, and its 2025 conversion table names, for each new commune, the former communes (or,
  for an island district without communes, the district) it was formed from; a former commune
  divided between new ones names all of them.
- Provincial agencies: a starter list in ``data/agencies.toml``, which the Department edits.

An official code of a new commune may reuse the code of a former commune, so the registry code
of a current commune is its official code followed by :data:`SUFFIX` ("26734-2025");
:func:`official_code` undoes it (the convention of the demo's Tuyên Quang registry). The two
libraries number a few new communes differently; a commune is matched in the conversion table by
its code, else by its name. Pure data building: no database.
"""

from __future__ import annotations

import difflib
import tomllib
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from vietnam_provinces import Province, ProvinceCode, VietNamDivisionType, Ward
from vietnamadminunits.converter.converter_2025 import (
    DICT_PROVINCE,
    DICT_PROVINCE_WARD_DIVIDED,
    DICT_PROVINCE_WARD_NO_DIVIDED,
)
from vietnamadminunits.database import query

from presentation.text import without_diacritics
from scoring.core.units import Cluster, Registry, Unit

AGENCIES_FILE = Path(__file__).resolve().parent / "data" / "agencies.toml"
CURRENT_START = date(2025, 7, 1)  # Resolution 202/2025/QH15: the new structure
LEGACY_END = date(2025, 6, 30)  # the district level ended and communes were merged
# Start of the legacy units' coverage in the registry (the plans of 2020–2025 and the
# multi-year conditions of awards); not the legal date on which each unit was created.
LEGACY_START = date(2020, 1, 1)
SUFFIX = "-2025"
WARD_KINDS = {
    VietNamDivisionType.XA: "commune.xa",
    VietNamDivisionType.PHUONG: "commune.phuong",
    VietNamDivisionType.DAC_KHU: "commune.dac_khu",
}
LEGACY_DISTRICT_KINDS = {"Huyện": "district.huyen", "Thành phố": "district.thanh_pho",
                         "Quận": "district.quan", "Thị xã": "district.thi_xa"}
LEGACY_COMMUNE_KINDS = {"Xã": "commune.xa", "Phường": "commune.phuong", "Thị trấn": "commune.thi_tran"}


class ProvinceNotFound(LookupError):
    """No province, or more than one, answers to what the user typed (message in Vietnamese)."""


@dataclass(frozen=True, slots=True)
class ProvinceInfo:
    code: str  # two digits, "66"
    name: str  # as the library gives it: "Đắk Lắk", "Thành phố Hà Nội"
    full_name: str  # "Tỉnh Đắk Lắk", "Thành phố Hà Nội"


@dataclass(frozen=True, slots=True)
class ProvinceSetup:
    """A province's starting registry and what it holds."""

    registry: Registry
    communes: int  # current communes, wards and special zones
    agencies: int
    legacy_units: int  # districts and communes before 1 Jul 2025
    legacy_districts: int
    successor_links: int  # links from a legacy unit to a current commune
    former_provinces: tuple[str, ...]  # names of the provinces merged into this one


def _nfc(text: str) -> str:
    """NFC, single spaces: the libraries have a few names with doubled spaces."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def fold(text: str) -> str:
    """Lower case without diacritics or spaces: "Đắk Lắk" → "daklak"."""
    return "".join(ch for ch in without_diacritics(text) if ch.isalnum()).lower()


def current_code(official: str) -> str:
    return f"{official}{SUFFIX}"


def official_code(code: str) -> str:
    return code.removesuffix(SUFFIX)


def _info(p: Province) -> ProvinceInfo:
    name = _nfc(p.name)
    full = name if p.division_type == VietNamDivisionType.THANH_PHO_TRUNG_UONG else f"Tỉnh {name}"
    return ProvinceInfo(f"{int(p.code):02d}", name, full)


def provinces() -> tuple[ProvinceInfo, ...]:
    """The 34 provinces and centrally-run cities of the current structure, by code."""
    return tuple(sorted((_info(p) for p in Province.iter_all()), key=lambda p: p.code))


def _short_fold(p: ProvinceInfo) -> str:
    return fold(p.name.removeprefix("Thành phố "))


def find_province(text: str) -> ProvinceInfo:
    """A province by code ("66", "8") or name, with or without diacritics, in any case
    ("Đắk Lắk", "dak lak", "TP Hồ Chí Minh"); raises :class:`ProvinceNotFound`."""
    wanted = text.strip()
    every = provinces()
    if wanted.isdigit():
        found = [p for p in every if int(p.code) == int(wanted)]
    else:
        key = fold(wanted)
        for prefix in ("thanhpho", "tinh", "tp"):
            if key.startswith(prefix) and len(key) > len(prefix):
                short = key.removeprefix(prefix)
                if any(_short_fold(p) == short for p in every):
                    key = short
                break
        found = [p for p in every if key in (_short_fold(p), fold(p.full_name))]
        if not found and len(key) >= 3:
            found = [p for p in every if key in _short_fold(p)]
    if len(found) == 1:
        return found[0]
    if found:
        names = ", ".join(f"{p.name} ({p.code})" for p in found)
        raise ProvinceNotFound(f"«{wanted}» ứng với nhiều tỉnh, thành phố: {names}; hãy ghi rõ hơn "
                               "hoặc dùng mã tỉnh.")
    by_fold = {_short_fold(p): p for p in every}
    close = [by_fold[k] for k in difflib.get_close_matches(fold(wanted), list(by_fold), n=4, cutoff=0.5)]
    hint = (" Có phải: " + ", ".join(f"{p.name} ({p.code})" for p in close) + "?") if close else ""
    raise ProvinceNotFound(f"Không có tỉnh, thành phố nào ứng với «{wanted}».{hint} "
                           "Xem danh sách bằng lệnh «thidua province list».")


# --- agencies --------------------------------------------------------------------------------


AgencyRow = tuple[str, str, str, str]  # code, name, kind, block


def load_agencies(path: Path = AGENCIES_FILE) -> tuple[tuple[Cluster, ...], tuple[AgencyRow, ...]]:
    """The agency blocks and the agencies (code, name, kind, block) of the data file."""
    with path.open("rb") as f:
        doc = tomllib.load(f)
    blocks = tuple(Cluster(b["code"], _nfc(b["name"]), "agency") for b in doc.get("khoi", []))
    agencies = tuple((a["code"], _nfc(a["name"]), a["kind"], a["khoi"]) for a in doc.get("agency", []))
    return blocks, agencies


# --- the conversion table ----------------------------------------------------------------------


def _province_key(code: str) -> str:
    rows = query(f"SELECT DISTINCT provinceKey FROM admin_units WHERE provinceCode='{code}'")
    if len(rows) != 1:
        raise RuntimeError(f"Gói vietnamadminunits không có dữ liệu của tỉnh mã {code}")
    return str(rows[0]["provinceKey"])


def _legacy_rows(key: str) -> list[dict[str, Any]]:
    """Districts and communes (a district without communes has one row, ward NULL) of the
    provinces merged into ``key``, in code order."""
    keys = ", ".join(f"'{k}'" for k in DICT_PROVINCE[key])
    return list(query(
        "SELECT province, provinceKey, districtKey, wardKey, districtCode, district, districtType, "
        f"wardCode, ward, wardType FROM admin_units_legacy WHERE provinceKey IN ({keys}) "
        "ORDER BY districtCode, wardCode"
    ))


def _legacy_key(row: dict[str, Any]) -> str:
    return f"{row['provinceKey']}_{row['districtKey']}_{row['wardKey'] or ''}"


def _predecessor_keys(key: str) -> dict[str, list[str]]:
    """Conversion key of each new commune → the conversion keys of its predecessors."""
    out = {new: list(old) for new, old in DICT_PROVINCE_WARD_NO_DIVIDED.get(key, {}).items()}
    for old, news in DICT_PROVINCE_WARD_DIVIDED.get(key, {}).items():
        for new in news:
            out.setdefault(new["newWardKey"], []).append(old)
    return out


def _conversion_keys(key: str) -> tuple[dict[str, str], dict[str, str]]:
    """New communes' conversion keys by official code and by folded name."""
    rows = query(f"SELECT wardCode, ward, wardKey FROM admin_units WHERE provinceKey='{key}'")
    return ({r["wardCode"]: r["wardKey"] for r in rows}, {fold(r["ward"]): r["wardKey"] for r in rows})


# --- building ----------------------------------------------------------------------------------


def _current_communes(info: ProvinceInfo) -> tuple[Unit, ...]:
    province = Province.from_code(ProvinceCode(int(info.code)))
    wards = sorted(Ward.iter_by_province(province.code), key=lambda w: int(w.code))
    return tuple(
        Unit(current_code(f"{int(w.code):05d}"), _nfc(w.name), WARD_KINDS[w.division_type], "commune",
             info.code, None, CURRENT_START)
        for w in wards
    )  # fmt: skip


def _successors(key: str, communes: tuple[Unit, ...],
                legacy: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    """Registry code of a legacy unit → registry codes of the current communes it went into."""
    by_code, by_name = _conversion_keys(key)
    before = _predecessor_keys(key)
    out: dict[str, list[str]] = {}
    for unit in communes:
        new_key = by_code.get(official_code(unit.code)) or by_name.get(fold(unit.name))
        for old in before.get(new_key or "", []):
            row = legacy.get(old)
            if row is None:
                continue
            code = row["wardCode"] if row["wardCode"] else row["districtCode"]
            out.setdefault(code, []).append(unit.code)
    return out


def _legacy_units(info: ProvinceInfo, rows: list[dict[str, Any]],
                  successors: dict[str, list[str]]) -> tuple[Unit, ...]:
    districts: list[Unit] = []
    communes: list[Unit] = []
    seen: set[str] = set()
    for r in rows:
        if r["districtCode"] not in seen:
            seen.add(r["districtCode"])
            districts.append(Unit(
                r["districtCode"], _nfc(r["district"]), LEGACY_DISTRICT_KINDS[r["districtType"]],
                "district", info.code, None, LEGACY_START, LEGACY_END,
                successors=tuple(successors.get(r["districtCode"], ()))))
        if r["wardCode"]:
            communes.append(Unit(
                r["wardCode"], _nfc(r["ward"]), LEGACY_COMMUNE_KINDS[r["wardType"]], "commune",
                r["districtCode"], None, LEGACY_START, LEGACY_END,
                successors=tuple(successors.get(r["wardCode"], ()))))
    return (*districts, *communes)


def build_province_registry(province: ProvinceInfo, legacy: bool = False,
                            agencies_file: Path = AGENCIES_FILE) -> ProvinceSetup:
    """The province (as the organiser), its agencies and current communes; with ``legacy``
    also the districts and communes of every former province merged into it, with successors."""
    blocks, agency_rows = load_agencies(agencies_file)
    start = LEGACY_START if legacy else CURRENT_START
    top = Unit(province.code, province.full_name, "province", "province", None, None, start)
    agencies = tuple(Unit(code, name, kind, "agency", province.code, block, CURRENT_START)
                     for code, name, kind, block in agency_rows)
    communes = _current_communes(province)
    old: tuple[Unit, ...] = ()
    former: tuple[str, ...] = ()
    if legacy:
        key = _province_key(province.code)
        rows = _legacy_rows(key)
        successors = _successors(key, communes, {_legacy_key(r): r for r in rows})
        old = _legacy_units(province, rows, successors)
        former = tuple(sorted({_nfc(r["province"]) for r in rows}))
    registry = Registry(province.code, province.full_name, blocks, (top, *agencies, *communes, *old))
    districts = sum(1 for u in old if u.level == "district")
    return ProvinceSetup(registry, len(communes), len(agencies), len(old), districts,
                         sum(len(u.successors) for u in old), former)

