"""The unit registry of Tuyên Quang province for the Project 06 emulation movement, 2022–2025.

Districts and communes are the real pre-2025 administrative units (codes and names from
the ``vietnamadminunits`` legacy table). Provincial agencies use the standard 2022
structure. Individuals are synthetic officials drawn from a seeded generator, so the
registry is the same on every call and every machine.
"""

from __future__ import annotations

import random
import unicodedata
from datetime import date
from typing import Any

from vietnamadminunits.database import query

from scoring.core.units import Cluster, Registry, Unit

PROVINCE_CODE = "08"
PROVINCE_NAME = "Tỉnh Tuyên Quang"
# Start of this registry's coverage, well before the 2022–2025 plan; not the legal date on
# which each unit was created (e.g. Lâm Bình district only dates from 2011).
REGISTRY_START = date(2008, 1, 1)
# Resolution 202/2025/QH15: the district level ended and communes were merged on 1 Jul 2025.
LEGACY_END = date(2025, 6, 30)
INDIVIDUALS_START = date(2020, 1, 1)
SEED = 20221208  # fixed: the date of the provincial plan (seed document 004)

DISTRICT_KINDS = {"Huyện": "district.huyen", "Thành phố": "district.thanh_pho"}
COMMUNE_KINDS = {"Xã": "commune.xa", "Phường": "commune.phuong", "Thị trấn": "commune.thi_tran"}

AGENCY_CLUSTERS = (
    ("khoi.tong_hop", "Khối các cơ quan tổng hợp"),
    ("khoi.kinh_te", "Khối các cơ quan kinh tế"),
    ("khoi.van_hoa_xa_hoi", "Khối các cơ quan văn hóa - xã hội"),
    ("khoi.doan_the", "Khối Mặt trận và các đoàn thể"),
    ("khoi.nganh_doc", "Khối các cơ quan ngành dọc"),
)
# Tags read by a plan's ``applies_to``; a criterion that does not apply to a unit removes
# both its points and its maximum. Our judgement, from seed 004 §II.2.1.a:
# - tthc: receives administrative procedures at the provincial public service centre: every
#   Sở and the industrial-zones board, plus Bảo hiểm xã hội and Cục Thuế, which keep counters
#   there. Công an tỉnh receives its procedures (residence, ID cards) at its own offices.
# - co_so_kcb: answers for health-care facilities accepting chip ID cards for health
#   insurance: Sở Y tế (the facilities) and Bảo hiểm xã hội (the insurer). Not Công an.
# - co_so_luu_tru: oversees accommodation declaring guests via VNeID: Công an tỉnh (residence
#   management) and Sở Văn hóa, Thể thao và Du lịch (tourist accommodation).
# - dvc_thiet_yeu: owns at least one of the 25 essential online services of Project 06
#   (Decision 06/QĐ-TTg, Appendix I): the police (11 services), justice (civil status,
#   criminal records), labour (unemployment benefit), social insurance, transport (driving
#   licences), planning (business registration), tax, land, health (birth certificates),
#   education (national exam registration).
AGENCIES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("Văn phòng Ủy ban nhân dân tỉnh", "agency.so", "khoi.tong_hop", ()),
    ("Sở Nội vụ", "agency.so", "khoi.tong_hop", ("tthc",)),
    ("Sở Tư pháp", "agency.so", "khoi.tong_hop", ("tthc", "dvc_thiet_yeu")),
    ("Sở Kế hoạch và Đầu tư", "agency.so", "khoi.tong_hop", ("tthc", "dvc_thiet_yeu")),
    ("Sở Tài chính", "agency.so", "khoi.tong_hop", ("tthc",)),
    ("Sở Công Thương", "agency.so", "khoi.kinh_te", ("tthc",)),
    ("Sở Nông nghiệp và Phát triển nông thôn", "agency.so", "khoi.kinh_te", ("tthc",)),
    ("Sở Giao thông vận tải", "agency.so", "khoi.kinh_te", ("tthc", "dvc_thiet_yeu")),
    ("Sở Xây dựng", "agency.so", "khoi.kinh_te", ("tthc",)),
    ("Sở Tài nguyên và Môi trường", "agency.so", "khoi.kinh_te", ("tthc", "dvc_thiet_yeu")),
    ("Sở Thông tin và Truyền thông", "agency.so", "khoi.van_hoa_xa_hoi", ("tthc",)),
    (
        "Sở Lao động - Thương binh và Xã hội",
        "agency.so",
        "khoi.van_hoa_xa_hoi",
        ("tthc", "dvc_thiet_yeu"),
    ),
    (
        "Sở Văn hóa, Thể thao và Du lịch",
        "agency.so",
        "khoi.van_hoa_xa_hoi",
        ("tthc", "co_so_luu_tru"),
    ),
    ("Sở Khoa học và Công nghệ", "agency.so", "khoi.van_hoa_xa_hoi", ("tthc",)),
    ("Sở Giáo dục và Đào tạo", "agency.so", "khoi.van_hoa_xa_hoi", ("tthc", "dvc_thiet_yeu")),
    ("Sở Y tế", "agency.so", "khoi.van_hoa_xa_hoi", ("tthc", "co_so_kcb", "dvc_thiet_yeu")),
    ("Thanh tra tỉnh", "agency.so", "khoi.tong_hop", ()),
    ("Ban Dân tộc tỉnh", "agency.ban", "khoi.van_hoa_xa_hoi", ()),
    ("Ban Quản lý các khu công nghiệp tỉnh", "agency.ban", "khoi.kinh_te", ("tthc",)),
    ("Công an tỉnh", "agency.nganh_doc", "khoi.nganh_doc", ("co_so_luu_tru", "dvc_thiet_yeu")),
    (
        "Bảo hiểm xã hội tỉnh",
        "agency.nganh_doc",
        "khoi.nganh_doc",
        ("tthc", "co_so_kcb", "dvc_thiet_yeu"),
    ),
    ("Cục Thuế tỉnh", "agency.nganh_doc", "khoi.nganh_doc", ("tthc", "dvc_thiet_yeu")),
    ("Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "agency.doan_the", "khoi.doan_the", ()),
    ("Tỉnh đoàn", "agency.doan_the", "khoi.doan_the", ()),
    ("Hội Liên hiệp Phụ nữ tỉnh", "agency.doan_the", "khoi.doan_the", ()),
    ("Hội Nông dân tỉnh", "agency.doan_the", "khoi.doan_the", ()),
)

# Surnames common in Tuyên Quang, including Tày and Dao families (Ma, Nông, Triệu, Quan).
SURNAMES = (
    "Nguyễn", "Nguyễn", "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Hoàng", "Vũ", "Đỗ",
    "Bùi", "Đặng", "Ngô", "Dương", "Lý", "Ma", "Nông", "Triệu", "Hà", "Quan", "Lương",
    "Chu", "Phan", "Đinh", "Tạ", "Mai",
)  # fmt: skip
MALE_MIDDLE = ("Văn", "Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Mạnh", "Xuân", "Trung")
FEMALE_MIDDLE = ("Thị", "Thị", "Thị", "Thị Hồng", "Thị Thu", "Thị Minh", "Thu", "Ngọc", "Phương")
MALE_GIVEN = (
    "Minh", "Hùng", "Dũng", "Tuấn", "Hải", "Nam", "Long", "Cường", "Thắng", "Quân", "Sơn",
    "Hiếu", "Phong", "Tùng", "Hoàng", "Đạt", "Kiên", "Bình", "Thành", "Tiến", "Huy", "Khánh",
)  # fmt: skip
FEMALE_GIVEN = (
    "Nhung", "Hương", "Lan", "Hoa", "Mai", "Hà", "Thủy", "Hạnh", "Linh", "Trang", "Hằng",
    "Thảo", "Huyền", "Yến", "Loan", "Dung", "Phượng", "Nga", "Quỳnh", "Giang", "Oanh", "Vân",
)  # fmt: skip


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _legacy_rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = query(
        "SELECT districtCode, district, districtType, wardCode, ward, wardType "
        f"FROM admin_units_legacy WHERE provinceCode='{PROVINCE_CODE}' ORDER BY wardCode"
    )
    if not rows:
        raise RuntimeError(f"Gói vietnamadminunits không có dữ liệu của {PROVINCE_NAME}")
    return rows


def _person_name(rng: random.Random) -> tuple[str, str]:
    """A full name and the sex it implies; 'Thị' is only ever a woman's middle name."""
    sex = "nu" if rng.random() < 0.5 else "nam"
    middles, givens = (FEMALE_MIDDLE, FEMALE_GIVEN) if sex == "nu" else (MALE_MIDDLE, MALE_GIVEN)
    middle = rng.choice(middles)
    given = rng.choice([g for g in givens if g not in middle.split()])
    return _nfc(f"{rng.choice(SURNAMES)} {middle} {given}"), sex


def _commune_cluster_name(district: str, ward_types: set[str]) -> str:
    kinds = [t.lower() for t in ("Xã", "Phường", "Thị trấn") if t in ward_types]
    return _nfc(f"Cụm thi đua các {', '.join(kinds)} thuộc {district}")


def build_tuyen_quang_registry() -> Registry:
    """Province, 26 agencies, 7 districts, 137 communes and their officials, with clusters."""
    rows = _legacy_rows()
    districts = {r["districtCode"]: (r["district"], r["districtType"]) for r in rows}
    clusters = [Cluster(code, _nfc(name), "agency") for code, name in AGENCY_CLUSTERS]
    clusters.append(Cluster("cum.huyen", "Cụm thi đua các huyện, thành phố", "district"))
    for code, (name, _) in sorted(districts.items()):
        types = {r["wardType"] for r in rows if r["districtCode"] == code}
        clusters.append(Cluster(f"cum.xa.{code}", _commune_cluster_name(name, types), "commune"))
    clusters.append(Cluster("canhan.tinh", "Cá nhân khối cơ quan cấp tỉnh", "individual"))
    clusters.append(Cluster("canhan.huyen", "Cá nhân cấp huyện", "individual"))
    for code, (name, _) in sorted(districts.items()):
        clusters.append(
            Cluster(f"canhan.xa.{code}", _nfc(f"Cá nhân cấp xã thuộc {name}"), "individual")
        )

    province = Unit(
        PROVINCE_CODE, PROVINCE_NAME, "province", "province", None, None, REGISTRY_START
    )
    agencies = [
        Unit(f"CQ{i:02d}", _nfc(name), kind, "agency", PROVINCE_CODE, cluster, REGISTRY_START,
             tags=tags)
        for i, (name, kind, cluster, tags) in enumerate(AGENCIES, start=1)
    ]  # fmt: skip
    district_units = [
        Unit(code, _nfc(name), DISTRICT_KINDS[kind], "district", PROVINCE_CODE, "cum.huyen",
             REGISTRY_START, LEGACY_END)
        for code, (name, kind) in sorted(districts.items())
    ]  # fmt: skip
    communes = [
        Unit(r["wardCode"], _nfc(r["ward"]), COMMUNE_KINDS[r["wardType"]], "commune",
             r["districtCode"], f"cum.xa.{r['districtCode']}", REGISTRY_START, LEGACY_END)
        for r in rows
    ]  # fmt: skip

    rng = random.Random(SEED)
    individuals: list[Unit] = []
    staffing = (
        [(u, 3, "canhan.tinh") for u in agencies]
        + [(u, 3, "canhan.huyen") for u in district_units]
        + [(u, 2, f"canhan.xa.{u.parent}") for u in communes]
    )
    for unit, count, cluster in staffing:
        for _ in range(count):
            name, sex = _person_name(rng)
            individuals.append(
                Unit(f"CN{len(individuals) + 1:05d}", name, "individual.cbccvc", "individual",
                     unit.code, cluster, INDIVIDUALS_START, unit.valid_to, sex=sex)
            )  # fmt: skip

    units = (province, *agencies, *district_units, *communes, *individuals)
    return Registry(PROVINCE_CODE, PROVINCE_NAME, tuple(clusters), units)
