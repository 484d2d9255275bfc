"""History files (CSV and XLSX): codes and Vietnamese spellings, every problem named; the demo history."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from demo.history import GUARANTEED, demo_history, write_history_csv
from demo.registry_tuyen_quang import build_tuyen_quang_registry
from nominations.history import CODES, History, HistoryEntry
from nominations.history_codes import (
    COLLECTIVE_TITLES,
    INDIVIDUAL_TITLES,
    SHORT,
    label,
    parse_kind,
    parse_value,
    short_label,
)
from nominations.history_io import HistoryFileError, read_history_files
from scoring.core.units import Registry, Unit
from scoring.intake.reader import IntakeError

SINCE = date(2008, 1, 1)
HEADER = "ma_don_vi,nam,loai,gia_tri,chi_tiet,da_dung_cho"


@pytest.fixture
def registry() -> Registry:
    units = (
        Unit("08", "Tỉnh Tuyên Quang", "province", "province", None, None, SINCE),
        Unit("CQ01", "Sở Nội vụ", "agency.so", "agency", "08", None, SINCE),
        Unit("00004", "Xã Tân Trào", "commune.xa", "commune", "08", None, SINCE),
        Unit("CN00001", "Nguyễn Thị Lan", "individual.cbccvc", "individual", "CQ01", None, SINCE, sex="nu"),
        Unit("CN00002", "Ma Văn Hùng", "individual.cbccvc", "individual", "00004", None, SINCE, sex="nam"),
    )
    return Registry("08", "Tỉnh Tuyên Quang", (), units)


def write_csv(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def issues_of(paths: list[Path], registry: Registry) -> list[tuple[str, int | None, str | None, str]]:
    with pytest.raises(HistoryFileError) as refused:
        read_history_files(paths, registry)
    return [(i.file, i.row, i.column, i.reason) for i in refused.value.issues]


def test_codes_and_vietnamese_spellings_read_the_same(tmp_path: Path, registry: Registry) -> None:
    path = write_csv(
        tmp_path / "lich-su.csv",
        "Mã đơn vị,Họ và tên,Năm,Loại,Giá trị,Chi tiết,Đã dùng cho",
        "CN00001,Nguyễn Thị Lan,2022,xếp loại,Hoàn thành xuất sắc nhiệm vụ,,",
        "CN00001,Nguyễn Thị Lan,2022,Danh hiệu,LĐTT,QĐ 12/QĐ-SNV,",
        "CN00001,Nguyễn Thị Lan,2022,danh_hieu,Chiến sĩ thi đua cơ sở,QĐ 13/QĐ-SNV,",
        "CN00001,Nguyễn Thị Lan,2022,Sáng kiến,cấp tỉnh,Số hóa hồ sơ một cửa,CSTĐCS",
        "CN00002,Ma Văn Hùng,2023,ky_luat,Cảnh cáo,Quyết định 5/QĐ-KL,",
        "CQ01,Sở Nội vụ,2023,xep_loai,HTXSNV,,",
        "CQ01,Sở Nội vụ,2023,title,ttldxs,,",
        "CQ01,Sở Nội vụ,2023,Danh hiệu,Cờ thi đua của UBND tỉnh,,",
    )
    assert read_history_files([path], registry) == [
        HistoryEntry("CN00001", 2022, "rating", "htxs"),
        HistoryEntry("CN00001", 2022, "title", "ldtt", "QĐ 12/QĐ-SNV"),
        HistoryEntry("CN00001", 2022, "title", "cstdcs", "QĐ 13/QĐ-SNV"),
        HistoryEntry("CN00001", 2022, "initiative", "tinh", "Số hóa hồ sơ một cửa", "cstdcs"),
        HistoryEntry("CN00002", 2023, "discipline", "canh-cao", "Quyết định 5/QĐ-KL"),
        HistoryEntry("CQ01", 2023, "rating", "htxs"),
        HistoryEntry("CQ01", 2023, "title", "ttldxs"),
        HistoryEntry("CQ01", 2023, "title", "co-thi-dua-tinh"),
    ]


def test_every_code_reads_from_its_code_name_and_abbreviation() -> None:
    for kind, names in CODES.items():
        assert parse_kind(kind) == kind
        for value in names:
            for spelling in (value, label(kind, value), label(kind, value).upper(), short_label(kind, value)):
                assert parse_value(kind, spelling) == value, (kind, spelling)
    assert [parse_kind(k) for k in ("danh hiệu", "xep_loai", "Sáng kiến", "KỶ LUẬT", "khen")] == [
        "title", "rating", "initiative", "discipline", None]
    assert (label("title", "cstdcs"), short_label("title", "cstdcs")) == ("Chiến sĩ thi đua cơ sở", "CSTĐCS")
    assert label("rating", "htxs") == "Hoàn thành xuất sắc nhiệm vụ" and SHORT[("rating", "htxs")] == "HTXSNV"
    assert label("discipline", "canh-cao") == "Cảnh cáo"


def test_xlsx_reads_like_csv_and_excel_dropped_zeros_come_back(tmp_path: Path, registry: Registry) -> None:
    rows: list[list[object]] = [
        ["LỊCH SỬ THI ĐUA, KHEN THƯỞNG"],  # a title above the header: the header is searched for
        ["Mã đơn vị", "Năm", "Loại", "Giá trị", "Chi tiết"],
        [4, 2021, "xếp loại", "HTTNV", None],  # Excel turned "00004" into the number 4
        [4, 2021.0, "danh hiệu", "TTLĐTT", 123],
        ["CN00002", "2021", "rating", "htnv", None],
    ]
    xlsx = write_xlsx(tmp_path / "lich-su.xlsx", rows)
    csv = write_csv(tmp_path / "lich-su.csv", "Mã đơn vị;Năm;Loại;Giá trị;Chi tiết",
                    "4;2021;xếp loại;HTTNV;", "4;2021;danh hiệu;TTLĐTT;123", "CN00002;2021;rating;htnv;")
    expected = [
        HistoryEntry("00004", 2021, "rating", "httnv"),
        HistoryEntry("00004", 2021, "title", "ttldtt", "123"),
        HistoryEntry("CN00002", 2021, "rating", "htnv"),
    ]
    assert read_history_files([xlsx], registry) == expected
    assert read_history_files([csv], registry) == expected


def test_every_problem_is_named_with_file_row_column_and_reason(tmp_path: Path, registry: Registry) -> None:
    path = write_csv(
        tmp_path / "lich-su.csv",
        HEADER,
        "CN00001,2022,rating,httnv,,",  # row 2: fine
        "XX999,2022,rating,httnv,,",  # 3: unknown unit
        "CN00001,1999,title,ldtt,,",  # 4: year out of range
        "CN00001,năm ngoái,title,ldtt,,",  # 5: not a year
        "CN00001,2022,khen thưởng đột xuất,ldtt,,",  # 6: unknown kind
        "CN00001,2022,rating,xuất sắc,,",  # 7: not a rating
        "CN00001,2022,title,ldtt,,cstdcs",  # 8: used_for on a title
        "CN00001,2022,title,ldtt,,",  # 9: fine
        "CN00001,2022,Danh hiệu,LĐTT,,",  # 10: the same fact again
        "CN00001,2022,rating,htxs,,",  # 11: a second rating for 2022
        "CQ01,2022,title,cstdcs,,",  # 12: an individual title for a collective
        "CN00002,2022,title,ttldxs,,",  # 13: a collective title for a person
        ",2022,title,ldtt,,",  # 14: no unit
        "CN00002,2022,title,,,",  # 15: no value
    )
    issues = issues_of([path], registry)
    where = [(row, column) for _, row, column, _ in issues]
    assert where == [
        (3, "A (ma_don_vi)"), (4, "B (nam)"), (5, "B (nam)"), (6, "C (loai)"), (7, "D (gia_tri)"),
        (8, "F (da_dung_cho)"), (10, "D (gia_tri)"), (11, "D (gia_tri)"), (12, "D (gia_tri)"),
        (13, "D (gia_tri)"), (14, "A (ma_don_vi)"), (15, "D (gia_tri)"),
    ]
    reasons = {row: reason for _, row, _, reason in issues}
    assert "«XX999» không có trong danh mục" in reasons[3]
    assert "«1999»" in reasons[4] and "từ 2000 đến 2100" in reasons[4]
    assert "«năm ngoái»" in reasons[5]
    assert "loại «khen thưởng đột xuất» không hợp lệ" in reasons[6] and "title (danh hiệu" in reasons[6]
    assert "giá trị «xuất sắc» không hợp lệ cho loại «Xếp loại»" in reasons[7]
    assert "htxs (HTXSNV: Hoàn thành xuất sắc nhiệm vụ)" in reasons[7] and "khong-ht" in reasons[7]
    assert "chỉ ghi cho sáng kiến" in reasons[8]
    assert "dòng trùng" in reasons[10] and "dòng 9" in reasons[10]
    assert "hai xếp loại năm 2022" in reasons[11] and "dòng 2" in reasons[11]
    assert "«CSTĐCS» là danh hiệu cá nhân" in reasons[12] and "Sở Nội vụ" in reasons[12]
    assert "«TTLĐXS» là danh hiệu tập thể" in reasons[13] and "Ma Văn Hùng" in reasons[13]
    assert "thiếu mã đơn vị" in reasons[14] and "thiếu giá trị" in reasons[15]
    assert all(file == "lich-su.csv" for file, *_ in issues)


def test_layout_problems_and_several_files_are_all_reported(tmp_path: Path, registry: Registry) -> None:
    good = write_csv(tmp_path / "a-dung.csv", HEADER, "CN00001,2022,rating,httnv,,")
    no_header = write_csv(tmp_path / "b-khong-tieu-de.csv", "CN00001,2022,rating,httnv",
                          "CN00002,2022,rating,htnv")
    missing = write_csv(tmp_path / "c-thieu-cot.csv", "Mã đơn vị,Năm,Giá trị,Điểm", "CN00001,2022,htnv,5")
    empty = write_csv(tmp_path / "d-trong.csv", HEADER)
    bad_row = write_csv(tmp_path / "e.csv", HEADER, "CN00002,2022,rating,httnv,,",
                        "CN00009,2022,rating,htnv,,")
    issues = issues_of([good, no_header, missing, empty, bad_row], registry)
    assert [(f, r, c) for f, r, c, _ in issues] == [
        ("b-khong-tieu-de.csv", 1, None),
        ("c-thieu-cot.csv", 1, None),
        ("c-thieu-cot.csv", 1, "D (Điểm)"),
        ("d-trong.csv", None, None),
        ("e.csv", 3, "A (ma_don_vi)"),
    ]
    reasons = [reason for *_, reason in issues]
    assert "không tìm thấy dòng tiêu đề có cột «Mã đơn vị» (ma_don_vi)" in reasons[0]
    assert reasons[1] == "thiếu cột «Loại» (loai)"
    assert "cột không dùng cho lịch sử thi đua" in reasons[2] and "da_dung_cho" in reasons[2]
    assert "tệp trống" in reasons[3]
    with pytest.raises(IntakeError) as refused:  # callers catching the intake's error catch this too
        read_history_files([bad_row], registry)
    assert str(refused.value).startswith("Không nhận lịch sử thi đua, khen thưởng: có 1 lỗi")
    assert "tệp e.csv, dòng 3, cột «A (ma_don_vi)»: mã «CN00009»" in str(refused.value)


@pytest.fixture(scope="module")
def province() -> Registry:
    return build_tuyen_quang_registry()


@pytest.fixture(scope="module")
def demo(province: Registry) -> list[HistoryEntry]:
    return demo_history(province)


def test_the_demo_history_is_deterministic_and_reads_back_through_the_import(
    tmp_path: Path, province: Registry, demo: list[HistoryEntry]
) -> None:
    assert demo_history(province) == demo
    assert demo_history(province, seed=7) != demo
    path = write_history_csv(tmp_path / "lich-su-thi-dua.csv", demo)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf" + b"ma_don_vi,nam,loai,gia_tri,chi_tiet,da_dung_cho")
    assert read_history_files([path], province) == demo


def test_the_demo_history_is_plausible(province: Registry, demo: list[HistoryEntry]) -> None:
    people = {u.code for u in province.of_level("individual")}
    collectives = {u.code for u in province.units if u.level in ("agency", "district", "commune")}
    ratings = Counter((e.unit_code, e.year) for e in demo if e.kind == "rating")
    assert set(ratings) == {(c, y) for c in people | collectives for y in range(2019, 2025)}
    assert set(ratings.values()) == {1}
    rating_of = {(e.unit_code, e.year): e.value for e in demo if e.kind == "rating"}
    shares = Counter(v for (c, _), v in rating_of.items() if c in people)
    total = sum(shares.values())
    assert shares.most_common(1)[0][0] == "httnv"
    assert 0.18 < shares["htxs"] / total < 0.32 and 0 < shares["khong-ht"] < shares["htnv"] < shares["htxs"]
    facts = {(e.unit_code, e.year, e.kind, e.value) for e in demo}
    punished = {(e.unit_code, e.year) for e in demo if e.kind == "discipline"}
    initiative_years = {(e.unit_code, e.year) for e in demo if e.kind == "initiative"}
    for (code, year), rating in rating_of.items():
        if code in people:
            good = rating in ("htxs", "httnv") and (code, year) not in punished
            assert ((code, year, "title", "ldtt") in facts) == good, (code, year)
            if (code, year, "title", "cstdcs") in facts:
                assert good and (rating == "htxs" or (code, year) in initiative_years), (code, year)
    titles = [e for e in demo if e.kind == "title"]
    assert all(e.unit_code in people for e in titles if e.value in INDIVIDUAL_TITLES)
    assert all(e.unit_code in collectives for e in titles if e.value in COLLECTIVE_TITLES)
    assert 0.07 < len(initiative_years) / (len(people) * 6) < 0.13
    scopes = Counter(e.value for e in demo if e.kind == "initiative")
    assert scopes["co-so"] > scopes["tinh"] > scopes["toan-quoc"] > 0
    assert any(e.used_for for e in demo if e.kind == "initiative")
    kinds = Counter((e.kind, e.value) for e in demo)
    assert 1 <= kinds[("title", "bang-khen-ttg")] <= 2 and kinds[("title", "co-thi-dua-tinh")] >= 3
    assert [e.year for e in demo if e.value == "dang-xem-xet"] == [2024]
    punishments = kinds[("discipline", "khien-trach")] + kinds[("discipline", "canh-cao")]
    assert 0 < punishments < 0.02 * len(people) * 6


def test_the_demo_history_meets_multi_year_conditions_both_ways(province: Registry,
                                                                demo: list[HistoryEntry]) -> None:
    history = History(demo)
    people = [u.code for u in province.of_level("individual")]
    collectives = [u.code for u in province.units if u.level in ("agency", "district", "commune")]

    def cstdcs(code: str) -> set[int]:
        return history.years_with(code, "title", ["cstdcs"])

    def htxs(code: str) -> set[int]:
        return history.years_with(code, "rating", ["htxs"])

    three_in_a_row = [c for c in people if {2020, 2021, 2022} <= cstdcs(c)]
    gap = [c for c in people if {2020, 2022, 2023} <= cstdcs(c) and 2021 not in cstdcs(c)]
    assert len(three_in_a_row) >= GUARANTEED["cstdcs_3_consecutive"] >= 5
    assert len(gap) >= GUARANTEED["cstdcs_gap"] >= 5
    two_in_a_row = [c for c in collectives if {2021, 2022} <= htxs(c)]
    with_gap = [c for c in collectives if {2021, 2023} <= htxs(c) and 2022 not in htxs(c)]
    assert len(two_in_a_row) >= 5 and len(with_gap) >= 1
    ttg = [c for c in people
           if history.years_with(c, "title", ["bang-khen-tinh"]) & {2019, 2020, 2021}
           and set(range(2019, 2024)) <= history.years_with(c, "rating", ["htxs", "httnv"])
           and len(cstdcs(c) & set(range(2019, 2024))) >= 3
           and not history.all_of(c, "discipline")]
    assert len(ttg) >= 3
