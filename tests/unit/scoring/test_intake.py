"""Indicator data intake from real CSV and XLSX files."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from criteria.model import Criterion, Indicator, Level, Plan, PlanInfo
from scoring.core.units import Registry, Unit
from scoring.intake.reader import IndicatorData, IntakeError, IntakeIssue, read_indicator_files
from scoring.intake.sheets import decode_csv

PERIOD = 2024
DAY_15_01_2024 = float((date(2024, 1, 15) - date(1970, 1, 1)).days)
SINCE = date(2020, 1, 1)


def _level(level_id: str, name: str) -> Level:
    return Level(level_id, name, "collective", (level_id,), 100, 0, 100, "cluster")


@pytest.fixture
def plan() -> Plan:
    indicators = (
        Indicator("ty_le_so_hoa", "commune", "Tỷ lệ số hóa hồ sơ", "percent", "%"),
        Indicator("so_sang_kien", "commune", "Số sáng kiến", "count", "sáng kiến"),
        Indicator("co_mo_hinh", "commune", "Có mô hình điểm", "yes_no", ""),
        Indicator("ngay_nop", "commune", "Ngày nộp báo cáo", "date", ""),
        Indicator("kinh_phi", "commune", "Kinh phí", "number", "triệu đồng", min=0),
        Indicator("ty_le_giai_ngan", "agency", "Tỷ lệ giải ngân", "percent", "%"),
    )
    criterion = Criterion(
        "xa.so-hoa", "commune", "g", "Số hóa hồ sơ", "ty_le_so_hoa", "higher",
        "ratio_to_target", 100, False, (), "zero", "test", target=85.5,
    )  # fmt: skip
    info = PlanInfo("test", "2024.1", "Thử", "UBND", "test", date(2024, 1, 1), date(2025, 12, 31))
    levels = (_level("commune", "Cấp xã"), _level("agency", "Cấp sở"))
    return Plan(info, levels, indicators, (), (criterion,), (), (), (), (), "", "x")


@pytest.fixture
def registry() -> Registry:
    units = (
        Unit("00004", "Xã Tân Trào", "commune.xa", "commune", None, None, SINCE),
        Unit("00007", "Phường Minh Xuân", "commune.phuong", "commune", None, None, SINCE),
        Unit(
            "00010", "Xã Hồng Thái", "commune.xa", "commune", None, None, SINCE,
            valid_to=date(2023, 6, 30), successors=("00004",),
        ),
        Unit("SO_NV", "Sở Nội vụ", "agency.so", "agency", None, None, SINCE),
    )  # fmt: skip
    return Registry("08", "Tuyên Quang", (), units)


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[object]], formats: dict[str, str] | None = None) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for ref, number_format in (formats or {}).items():
        sheet[ref].number_format = number_format
    book.save(path)
    return path


def as_tuples(data: IndicatorData) -> list[tuple[str, str, float]]:
    return list(data.frame.itertuples(index=False, name=None))


def issues_of(exc: pytest.ExceptionInfo[IntakeError]) -> list[tuple[str, int | None, str | None]]:
    return [(i.file, i.row, i.column) for i in exc.value.issues]


def test_long_form_vietnamese_headers_semicolons_and_decimal_commas(
    tmp_path: Path, plan: Plan, registry: Registry
) -> None:
    path = write_csv(
        tmp_path / "xa.csv",
        "Mã đơn vị;Chỉ tiêu;Kỳ;Giá trị\n"
        "00004;ty_le_so_hoa;2024;85,5\n"
        "00004;kinh_phi;2024;1.234,5\n"
        "00007;ty_le_so_hoa;2024;90%\n"
        "00007;ty_le_so_hoa;2023;10\n"  # another period: ignored
        "00007;so_sang_kien;2024;\n",  # empty value: missing, no row
    )
    data = read_indicator_files([path], plan, registry, PERIOD)
    assert as_tuples(data) == [
        ("00004", "kinh_phi", 1234.5),
        ("00004", "ty_le_so_hoa", 85.5),
        ("00007", "ty_le_so_hoa", 90.0),
    ]
    assert list(data.frame.columns) == ["unit_code", "indicator", "value"]
    assert data.frame["value"].dtype == "float64"
    assert data.period == PERIOD


def test_long_form_english_headers_with_bom(tmp_path: Path, plan: Plan, registry: Registry) -> None:
    path = write_csv(
        tmp_path / "en.csv",
        "\ufeffunit_code,indicator,period,value\n00004,co_mo_hinh,2024,Có\n"
        '00004,ngay_nop,2024,15/01/2024\n00007,kinh_phi,2024,"1,5"\n',
    )
    data = read_indicator_files([path], plan, registry, PERIOD)
    assert as_tuples(data) == [
        ("00004", "co_mo_hinh", 1.0),
        ("00004", "ngay_nop", DAY_15_01_2024),
        ("00007", "kinh_phi", 1.5),
    ]


def test_long_form_machine_headers_without_period_column(
    tmp_path: Path, plan: Plan, registry: Registry
) -> None:
    path = write_csv(tmp_path / "m.csv", "ma_don_vi,chi_tieu,gia_tri\n00004,so_sang_kien,3\n")
    assert as_tuples(read_indicator_files([path], plan, registry, PERIOD)) == [("00004", "so_sang_kien", 3.0)]


def test_wide_csv_as_the_template_writes_it(tmp_path: Path, plan: Plan, registry: Registry) -> None:
    path = write_csv(
        tmp_path / "wide.csv",
        "Mã đơn vị;Tên đơn vị;Tỷ lệ số hóa hồ sơ (%) — chỉ tiêu: 85,5 [ty_le_so_hoa];so_sang_kien\n"
        "00004;Xã Tân Trào;85,5;2\n00007;Phường Minh Xuân;;0\n",
    )
    data = read_indicator_files([path], plan, registry, PERIOD)
    assert as_tuples(data) == [
        ("00004", "so_sang_kien", 2.0),
        ("00004", "ty_le_so_hoa", 85.5),
        ("00007", "so_sang_kien", 0.0),
    ]


def test_wide_xlsx_with_percent_date_and_yes_no_cells(tmp_path: Path, plan: Plan, registry: Registry) -> None:
    rows: list[list[object]] = [
        ["Danh sách số liệu năm 2024"],  # a title row above the header is tolerated
        ["Mã đơn vị", "Tên đơn vị", "Kỳ", "Tỷ lệ [ty_le_so_hoa]", "[co_mo_hinh]", "[ngay_nop]"],
        ["00004", "Xã Tân Trào", 2024, 0.855, "x", datetime(2024, 1, 15)],
        [7, "Phường Minh Xuân", 2024, 90, "Không", "15/01/2024"],  # Excel ate the zeros
    ]
    path = write_xlsx(tmp_path / "wide.xlsx", rows, {"D3": "0.0%", "F3": "dd/mm/yyyy"})
    data = read_indicator_files([path], plan, registry, PERIOD)
    assert as_tuples(data) == [
        ("00004", "co_mo_hinh", 1.0),
        ("00004", "ngay_nop", DAY_15_01_2024),
        ("00004", "ty_le_so_hoa", 85.5),
        ("00007", "co_mo_hinh", 0.0),
        ("00007", "ngay_nop", DAY_15_01_2024),
        ("00007", "ty_le_so_hoa", 90.0),
    ]


def _cp1258(text: str) -> bytes:
    """Encode as legacy Windows-1258: base letters precomposed, tone marks combining."""
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(p for p in parts if p not in tones))
        out.append(base + "".join(p for p in parts if p in tones))
    return "".join(out).encode("cp1258")


def test_windows_1258_csv_is_decoded_to_vietnamese(tmp_path: Path, plan: Plan, registry: Registry) -> None:
    text = "Mã đơn vị,Tên đơn vị,Có mô hình điểm [co_mo_hinh]\n00004,Xã Tân Trào,có\n"
    raw = _cp1258(text)
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert decode_csv(raw) == text
    name = "Tỷ lệ số hóa – Phường Hồng Thái"
    assert decode_csv(_cp1258(name)) == name
    path = tmp_path / "cu.csv"
    path.write_bytes(raw)
    assert as_tuples(read_indicator_files([path], plan, registry, PERIOD)) == [("00004", "co_mo_hinh", 1.0)]


def test_file_in_another_legacy_encoding_is_refused(tmp_path: Path, plan: Plan, registry: Registry) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("ma_don_vi,chi_tieu,gia_tri\nMüller,kinh_phi,1\n".encode("latin-1"))
    with pytest.raises(IntakeError, match=r"không phải UTF-8.*CSV UTF-8") as exc:
        read_indicator_files([path], plan, registry, PERIOD)
    assert issues_of(exc) == [("latin.csv", None, None)]


def test_utf16_text_export_from_excel_is_read(tmp_path: Path, plan: Plan, registry: Registry) -> None:
    path = write_csv(tmp_path / "u16.txt", "Mã đơn vị\tkinh_phi\n00004\t12,5\n", "utf-16")
    assert as_tuples(read_indicator_files([path], plan, registry, PERIOD)) == [("00004", "kinh_phi", 12.5)]


def test_every_bad_row_is_listed_and_nothing_is_accepted(
    tmp_path: Path, plan: Plan, registry: Registry
) -> None:
    path = write_csv(
        tmp_path / "sai.csv",
        "ma_don_vi,chi_tieu,ky,gia_tri\n"
        "00004,ty_le_so_hoa,2024,85\n"  # fine, still not accepted
        "99999,ty_le_so_hoa,2024,85\n"
        "00004,khong_co,2024,1\n"
        "00007,ty_le_so_hoa,2024,abc\n"
        '00004,so_sang_kien,2024,"2,5"\n'
        "SO_NV,kinh_phi,2024,1\n"
        "00004,kinh_phi,hai nghìn,1\n"
        ",kinh_phi,2024,1\n"
        "00007,ty_le_so_hoa,2024,120\n",
    )
    with pytest.raises(IntakeError) as exc:
        read_indicator_files([path], plan, registry, PERIOD)
    assert issues_of(exc) == [
        ("sai.csv", 3, "A (ma_don_vi)"),
        ("sai.csv", 4, "B (chi_tieu)"),
        ("sai.csv", 5, "D (gia_tri)"),
        ("sai.csv", 6, "D (gia_tri)"),
        ("sai.csv", 7, "A (ma_don_vi)"),
        ("sai.csv", 8, "C (ky)"),
        ("sai.csv", 9, "A (ma_don_vi)"),
        ("sai.csv", 10, "D (gia_tri)"),
        ("sai.csv", 10, "D (gia_tri)"),  # 120% is out of range, and 00007 is given twice
    ]
    reasons = [i.reason for i in exc.value.issues]
    assert "mã đơn vị «99999» không có trong danh mục đơn vị" in reasons
    assert "chỉ tiêu «khong_co» không có trong kế hoạch" in reasons
    assert "chỉ tiêu «ty_le_so_hoa»: «abc» không phải là số" in reasons
    assert any("số nguyên không âm" in r for r in reasons)
    assert any("Sở Nội vụ" in r and "cấp «Cấp sở» (agency)" in r for r in reasons)
    assert any("kỳ «hai nghìn» không phải là một năm" in r for r in reasons)
    assert "thiếu mã đơn vị" in reasons
    assert any("ngoài khoảng 0–100" in r for r in reasons)
    assert any("dòng 5" in r and "bị nhập hai lần" in r for r in reasons)
    message = str(exc.value)
    assert "có 9 lỗi" in message
    assert "tệp sai.csv, dòng 5, cột «D (gia_tri)»: chỉ tiêu «ty_le_so_hoa»:" in message


def test_duplicates_across_files_name_both_rows(tmp_path: Path, plan: Plan, registry: Registry) -> None:
    first = write_csv(tmp_path / "a.csv", "ma_don_vi,kinh_phi\n00007,1\n00004,2\n")
    second = write_xlsx(tmp_path / "b.xlsx", [["Mã đơn vị", "[kinh_phi]"], [None], ["00004", 3]])
    with pytest.raises(IntakeError) as exc:
        read_indicator_files([first, second], plan, registry, PERIOD)
    assert issues_of(exc) == [("b.xlsx", 3, "B (kinh_phi)")]
    assert "đã có giá trị ở tệp a.csv, dòng 3" in exc.value.issues[0].reason


def test_errors_from_all_files_are_collected(tmp_path: Path, plan: Plan, registry: Registry) -> None:
    empty = write_csv(tmp_path / "trong.csv", "")
    header_only = write_csv(tmp_path / "tieu_de.csv", "ma_don_vi,kinh_phi\n")
    no_unit = write_csv(tmp_path / "thieu_ma.csv", "ten,kinh_phi\nXã Tân Trào,1\n")
    no_value = write_csv(tmp_path / "thieu_gia_tri.csv", "ma_don_vi,chi_tieu\n00004,kinh_phi\n")
    old_excel = tmp_path / "cu.xls"
    old_excel.write_bytes(b"\xd0\xcf\x11\xe0" + bytes(100))
    bad_columns = write_csv(
        tmp_path / "cot.csv", "Mã đơn vị,Ghi chú,Tỷ lệ,[khong_co],kinh_phi,kinh_phi\n00004,,1,2,3,4\n"
    )
    paths = [empty, header_only, no_unit, no_value, old_excel, bad_columns, tmp_path / "mat.csv"]
    with pytest.raises(IntakeError) as exc:
        read_indicator_files(paths, plan, registry, PERIOD)
    expected = [
        ("trong.csv", None, None, "tệp trống: không có dòng tiêu"),
        ("tieu_de.csv", None, None, "tệp trống: chỉ có dòng tiêu đề"),
        ("thieu_ma.csv", 1, None, "không tìm thấy dòng tiêu đề có"),
        ("thieu_gia_tri.csv", 1, None, "thiếu cột «Giá trị» (gia_tri)"),
        ("cu.xls", None, None, "tệp Excel 97–2003 (.xls) bị hỏn"),
        ("cot.csv", 1, "C (Tỷ lệ)", "cột không phải là chỉ tiêu của "),
        ("cot.csv", 1, "D (khong_co)", "chỉ tiêu «khong_co» không có t"),
        ("cot.csv", 1, "F (kinh_phi)", "chỉ tiêu «kinh_phi» đã có ở cộ"),
        ("mat.csv", None, None, "không tìm thấy tệp"),
    ]
    got = [(i.file, i.row, i.column) for i in exc.value.issues]
    assert got == [e[:3] for e in expected]
    for issue, (*_, start) in zip(exc.value.issues, expected, strict=True):
        assert issue.reason.startswith(start.rstrip()), issue


def test_leading_zeros_dropped_by_excel_are_restored(tmp_path: Path, plan: Plan, registry: Registry) -> None:
    path = write_csv(tmp_path / "so.csv", "ma_don_vi,kinh_phi\n4,1\n7,2\n")
    assert as_tuples(read_indicator_files([path], plan, registry, PERIOD)) == [
        ("00004", "kinh_phi", 1.0),
        ("00007", "kinh_phi", 2.0),
    ]


def test_level_is_enforced(tmp_path: Path, plan: Plan, registry: Registry) -> None:
    path = write_csv(tmp_path / "cap.csv", "ma_don_vi,chi_tieu,gia_tri\nSO_NV,ty_le_giai_ngan,50\n")
    assert len(read_indicator_files([path], plan, registry, PERIOD).frame) == 1
    with pytest.raises(
        IntakeError, match=r"thuộc cấp «Cấp sở» \(agency\), không thuộc cấp «Cấp xã» \(commune\)"
    ):
        read_indicator_files([path], plan, registry, PERIOD, level="commune")
    with pytest.raises(ValueError, match="không có trong kế hoạch"):
        read_indicator_files([path], plan, registry, PERIOD, level="district")


def test_unit_without_effect_in_the_period_points_to_its_successor(
    tmp_path: Path, plan: Plan, registry: Registry
) -> None:
    path = write_csv(tmp_path / "cu.csv", "ma_don_vi,kinh_phi\n00010,1\n")
    assert len(read_indicator_files([path], plan, registry, 2023).frame) == 1
    with pytest.raises(IntakeError, match=r"không có hiệu lực trong kỳ 2024.*«00004»"):
        read_indicator_files([path], plan, registry, PERIOD)


def test_issue_reads_like_a_spreadsheet_location() -> None:
    issue = IntakeIssue("so_lieu.xlsx", 5, "C (ty_le)", "«abc» không phải là số")
    assert str(issue) == "tệp so_lieu.xlsx, dòng 5, cột «C (ty_le)»: «abc» không phải là số"
    assert str(IntakeIssue("a.csv", None, None, "tệp trống")) == "tệp a.csv: tệp trống"


def test_no_values_gives_an_empty_typed_frame(tmp_path: Path, plan: Plan, registry: Registry) -> None:
    path = write_csv(tmp_path / "rong.csv", "ma_don_vi,ten_don_vi,kinh_phi\n00004,Xã Tân Trào,\n")
    data = read_indicator_files([path], plan, registry, PERIOD)
    assert data.frame.empty
    assert list(data.frame.columns) == ["unit_code", "indicator", "value"]
    assert data.frame["value"].dtype == "float64"


def test_hash_ignores_order_and_format_but_not_values(tmp_path: Path, plan: Plan, registry: Registry) -> None:
    csv_path = write_csv(
        tmp_path / "a.csv",
        "ma_don_vi;chi_tieu;gia_tri\n00007;kinh_phi;2,5\n00004;ty_le_so_hoa;85,5\n",
    )
    reordered = write_csv(
        tmp_path / "b.csv",
        "chi_tieu,gia_tri,ma_don_vi\nty_le_so_hoa,85.5,00004\nkinh_phi,2.5,00007\n",
    )
    xlsx_path = write_xlsx(
        tmp_path / "c.xlsx",
        [["Mã đơn vị", "[ty_le_so_hoa]", "[kinh_phi]"], ["00004", 0.855, None], ["00007", None, 2.5]],
        {"B2": "0.0%"},
    )
    changed = write_csv(
        tmp_path / "d.csv", "ma_don_vi,chi_tieu,gia_tri\n00007,kinh_phi,2.5\n00004,ty_le_so_hoa,85.6\n"
    )
    a, b, c, d = (read_indicator_files([p], plan, registry, PERIOD) for p in (
        csv_path, reordered, xlsx_path, changed))  # fmt: skip
    assert a.sha256 == b.sha256 == c.sha256
    assert a == b == c
    assert len({a, b, c}) == 1
    assert d.sha256 != a.sha256
    assert len(a.sha256) == 64
    pd.testing.assert_frame_equal(a.frame, c.frame)


def test_the_issues_kept_are_the_first_in_reading_order_whatever_check_found_them() -> None:
    from hypothesis import given
    from hypothesis import strategies as st

    from scoring.intake.checks import MAX_ISSUES, Issues

    @given(st.lists(st.tuples(st.integers(0, 2), st.integers(2, 5000), st.sampled_from(["A", "B", "C"])),
                    min_size=0, max_size=3 * MAX_ISSUES))
    def check(found: list[tuple[int, int, str]]) -> None:
        issues = Issues()
        for index, row, column in found:  # in the order the checks found them, not reading order
            issues.add(index, f"tep-{index}.csv", row, column, "sai")
        kept = [(i.file, i.row, i.column) for i in issues.sorted()]
        wanted = sorted(found, key=lambda f: (f[0], f[1], "ABC".index(f[2])))[:MAX_ISSUES]
        assert kept == [(f"tep-{i}.csv", r, c) for i, r, c in wanted]
        assert issues.total == len(found)

    check()
