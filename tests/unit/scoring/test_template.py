"""The data-entry template and the long CSV read back to exactly what was written."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from criteria.model import Criterion, Indicator, Level, Plan, PlanInfo
from scoring.core.units import Registry, Unit
from scoring.intake.reader import read_indicator_files
from scoring.intake.template import write_long_csv, write_template

PERIOD = 2025
SINCE = date(2020, 1, 1)
EPOCH = date(1970, 1, 1)


def _criterion(cid: str, indicator: str, target: float | None) -> Criterion:
    return Criterion(
        cid, "commune", "g", cid, indicator, "higher", "threshold", 10, False, (), "zero", "t",
        target=target,
    )  # fmt: skip


@pytest.fixture
def plan() -> Plan:
    indicators = (
        Indicator("ty_le_so_hoa", "commune", "Tỷ lệ số hóa hồ sơ", "percent", "%"),
        Indicator("so_sang_kien", "commune", "Số sáng kiến", "count", "sáng kiến"),
        Indicator("co_mo_hinh", "commune", "Có mô hình điểm", "yes_no", ""),
        Indicator("ngay_nop", "commune", "Ngày nộp báo cáo", "date", ""),
        Indicator("kinh_phi", "commune", "Kinh phí", "number", "triệu đồng"),
        Indicator("ty_le_giai_ngan", "agency", "Tỷ lệ giải ngân", "percent", "%"),
    )
    criteria = (
        _criterion("a", "ty_le_so_hoa", 85.5),
        _criterion("b", "ty_le_so_hoa", 50),  # only the first criterion gives the target
        _criterion("c", "kinh_phi", 1500),
    )
    levels = tuple(
        Level(i, n, "collective", (i,), 100, 0, 100, "cluster")
        for i, n in (("commune", "Cấp xã"), ("agency", "Cấp sở"))
    )
    info = PlanInfo("t", "2025.1", "Kế hoạch thử", "UBND", "t", date(2025, 1, 1), date(2025, 12, 31))
    return Plan(info, levels, indicators, (), criteria, (), (), (), (), "", "x")


@pytest.fixture
def units() -> tuple[Unit, ...]:
    return (
        Unit("00004", "Xã Tân Trào", "commune.xa", "commune", None, None, SINCE),
        Unit("00007", "Phường Minh Xuân", "commune.phuong", "commune", None, None, SINCE),
    )


@pytest.fixture
def registry(units: tuple[Unit, ...]) -> Registry:
    agency = Unit("SO_NV", "Sở Nội vụ", "agency.so", "agency", None, None, SINCE)
    return Registry("08", "Tuyên Quang", (), (*units, agency))


def long(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["unit_code", "indicator", "value"])


def day(d: date) -> float:
    return float((d - EPOCH).days)


VALUES = [
    ("00004", "co_mo_hinh", 1.0),
    ("00004", "kinh_phi", 0.1 + 0.2),
    ("00004", "ngay_nop", day(date(2025, 1, 15))),
    ("00004", "so_sang_kien", 3.0),
    ("00004", "ty_le_so_hoa", 85.5),
    ("00007", "co_mo_hinh", 0.0),
    ("00007", "kinh_phi", 1.234),
    ("00007", "ty_le_so_hoa", 100.0),
]


def test_template_layout(tmp_path: Path, plan: Plan, units: tuple[Unit, ...]) -> None:
    path = tmp_path / "mau.xlsx"
    write_template(plan, "commune", units, path)
    book = openpyxl.load_workbook(path)
    sheet = book["Nhập liệu"]
    assert book.sheetnames[0] == "Nhập liệu"
    header = [c.value for c in sheet[1]]
    assert header == [
        "Mã đơn vị",
        "Tên đơn vị",
        "Tỷ lệ số hóa hồ sơ (%) — chỉ tiêu: 85,5 [ty_le_so_hoa]",
        "Số sáng kiến (sáng kiến) [so_sang_kien]",
        "Có mô hình điểm [co_mo_hinh]",
        "Ngày nộp báo cáo [ngay_nop]",
        "Kinh phí (triệu đồng) — chỉ tiêu: 1.500 [kinh_phi]",
    ]
    assert [(r[0].value, r[1].value) for r in sheet.iter_rows(min_row=2)] == [
        ("00004", "Xã Tân Trào"),
        ("00007", "Phường Minh Xuân"),
    ]
    assert all(c.font.bold and c.alignment.wrap_text for c in sheet[1])
    assert sheet.freeze_panes == "C2"
    assert sheet.column_dimensions["B"].width >= 30
    assert sheet["F2"].number_format == "dd/mm/yyyy"


def test_empty_template_reads_back_as_no_values(
    tmp_path: Path, plan: Plan, units: tuple[Unit, ...], registry: Registry
) -> None:
    path = tmp_path / "mau.xlsx"
    write_template(plan, "commune", units, path)
    data = read_indicator_files([path], plan, registry, PERIOD, level="commune")
    assert data.frame.empty


def test_filled_template_round_trips(
    tmp_path: Path, plan: Plan, units: tuple[Unit, ...], registry: Registry
) -> None:
    path = tmp_path / "mau.xlsx"
    others = [("SO_NV", "ty_le_giai_ngan", 50.0), ("99999", "kinh_phi", 1.0)]  # left out
    write_template(plan, "commune", units, path, values=long(VALUES + others))
    sheet = openpyxl.load_workbook(path)["Nhập liệu"]
    assert sheet["E2"].value == "Có"
    assert sheet["E3"].value == "Không"
    assert sheet["F2"].value == datetime(2025, 1, 15)
    data = read_indicator_files([path], plan, registry, PERIOD, level="commune")
    assert list(data.frame.itertuples(index=False, name=None)) == VALUES


def test_long_csv_round_trips_and_hashes_like_the_template(
    tmp_path: Path, plan: Plan, units: tuple[Unit, ...], registry: Registry
) -> None:
    csv_path, xlsx_path = tmp_path / "du_lieu.csv", tmp_path / "mau.xlsx"
    write_long_csv(long(VALUES[::-1]), PERIOD, csv_path, plan=plan)
    write_template(plan, "commune", units, xlsx_path, values=long(VALUES))
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfma_don_vi,chi_tieu,ky,gia_tri\r\n")
    assert b"00007,kinh_phi,2025,1.2340\r\n" in raw
    assert b"00004,ngay_nop,2025,15/01/2025\r\n" in raw
    from_csv = read_indicator_files([csv_path], plan, registry, PERIOD)
    from_xlsx = read_indicator_files([xlsx_path], plan, registry, PERIOD)
    assert list(from_csv.frame.itertuples(index=False, name=None)) == VALUES
    assert from_csv.sha256 == from_xlsx.sha256


def test_long_csv_without_plan_writes_plain_numbers(tmp_path: Path) -> None:
    path = tmp_path / "so.csv"
    write_long_csv(long([("00004", "ngay_nop", 20103.0)]), PERIOD, path)
    assert path.read_text(encoding="utf-8-sig").splitlines()[1] == "00004,ngay_nop,2025,20103"


def test_unknown_level_is_refused(tmp_path: Path, plan: Plan, units: tuple[Unit, ...]) -> None:
    with pytest.raises(KeyError):
        write_template(plan, "district", units, tmp_path / "x.xlsx")


numbers = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kinh_phi=st.lists(numbers, min_size=2, max_size=2), ty_le=st.floats(0, 100))
def test_any_number_survives_template_and_csv(
    tmp_path: Path,
    plan: Plan,
    units: tuple[Unit, ...],
    registry: Registry,
    kinh_phi: list[float],
    ty_le: float,
) -> None:
    rows = sorted(
        [
            ("00004", "kinh_phi", kinh_phi[0] + 0.0),
            ("00007", "kinh_phi", kinh_phi[1] + 0.0),
            ("00004", "ty_le_so_hoa", ty_le + 0.0),
        ]
    )
    write_template(plan, "commune", units, tmp_path / "m.xlsx", values=long(rows))
    write_long_csv(long(rows), PERIOD, tmp_path / "m.csv", plan=plan)
    for name in ("m.xlsx", "m.csv"):
        data = read_indicator_files([tmp_path / name], plan, registry, PERIOD)
        assert list(data.frame.itertuples(index=False, name=None)) == rows, name
