"""Reading indicator values the way Vietnamese staff and Excel write them."""

from __future__ import annotations

import math
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from criteria.model import Indicator
from presentation.numbers import exact_number_text
from scoring.core.reading import format_machine, parse_value

NUMBER = Indicator("kinh_phi", "commune", "Kinh phí", "number", "triệu đồng")
PERCENT = Indicator("ty_le", "commune", "Tỷ lệ", "percent", "%")
COUNT = Indicator("so_sang_kien", "commune", "Số sáng kiến", "count", "sáng kiến")
YES_NO = Indicator("co_mo_hinh", "commune", "Có mô hình", "yes_no", "")
DAYS = Indicator("so_ngay_tre", "commune", "Số ngày trễ", "days", "ngày")
DATE = Indicator("ngay_nop", "commune", "Ngày nộp báo cáo", "date", "")
BOUNDED = Indicator("diem", "commune", "Điểm", "number", "điểm", min=10, max=20)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("85,5", 85.5),
        ("1.234", 1234.0),
        ("1.234,5", 1234.5),
        ("1.234.567", 1234567.0),
        ("85.5", 85.5),
        ("0.855", 0.855),
        ("1,234.5", 1234.5),
        ("1,234,567", 1234567.0),
        ("-1.234,5", -1234.5),
        ("\u2212 3,5", -3.5),
        ("1 234,5", 1234.5),
        ("\u00a085,5\u00a0", 85.5),
        ("  42 ", 42.0),
        (",5", 0.5),
        ("1,5E+03", 1500.0),
        ("1e-05", 1e-05),
        (12, 12.0),
        (0.5, 0.5),
    ],
)
def test_vietnamese_and_excel_numbers_are_read(raw: object, expected: float) -> None:
    assert parse_value(raw, NUMBER) == expected


@pytest.mark.parametrize(("raw", "expected"), [("85,5%", 85.5), ("85,5 %", 85.5), ("100", 100)])
def test_percent_text_is_read(raw: str, expected: float) -> None:
    assert parse_value(raw, PERCENT) == expected


def test_excel_percent_cell_is_scaled_exactly() -> None:
    assert parse_value(0.855, PERCENT, percent_format=True) == 85.5
    assert parse_value(0.07, PERCENT, percent_format=True) == 7.0  # not 7.000000000000001
    assert parse_value(0.855, PERCENT) == 0.855


@pytest.mark.parametrize(
    ("raw", "indicator", "reason"),
    [
        ("abc", NUMBER, "«abc» không phải là số"),
        ("12,3,4", NUMBER, "không phải là số"),
        ("1.23.4", NUMBER, "không phải là số"),
        ("#DIV/0!", NUMBER, "lỗi công thức Excel"),
        ("", NUMBER, "ô trống"),
        (float("nan"), NUMBER, "hữu hạn"),
        (True, NUMBER, "không phải là số"),
        ("120", PERCENT, "ngoài khoảng 0–100"),
        ("-5", PERCENT, "ngoài khoảng 0–100"),
        ("85%", NUMBER, "dấu %"),
        ("2,5", COUNT, "số nguyên không âm"),
        ("-1", COUNT, "số nguyên không âm"),
        ("-3", DAYS, "không được âm"),
        ("5", BOUNDED, "nhỏ hơn mức tối thiểu 10"),
        ("20,5", BOUNDED, "lớn hơn mức tối đa 20"),
        ("có lẽ", YES_NO, "không phải là Có/Không"),
        (2, YES_NO, "không phải là Có/Không"),
        ("31/02/2024", DATE, "không tồn tại"),
        ("2024/01/15", DATE, "dd/mm/yyyy"),
        (45306, DATE, "dd/mm/yyyy"),
    ],
)
def test_refusals_explain_in_vietnamese(raw: object, indicator: Indicator, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_value(raw, indicator)


def test_dot_thousands_refusal_explains_how_the_dot_was_read() -> None:
    with pytest.raises(ValueError, match=r"được hiểu là 85500 .* dấu phẩy"):
        parse_value("85.500", PERCENT)


@pytest.mark.parametrize("raw", ["Có", "có", "CÓ", "x", "X", "1", 1, 1.0, True, "co"])
def test_yes(raw: object) -> None:
    assert parse_value(raw, YES_NO) == 1.0


@pytest.mark.parametrize("raw", ["Không", "không", "0", 0, False, "khong"])
def test_no(raw: object) -> None:
    assert parse_value(raw, YES_NO) == 0.0


@pytest.mark.parametrize(
    "raw",
    ["15/01/2024", "15/1/2024", " 15-01-2024 ", "2024-01-15", date(2024, 1, 15)],
)
def test_dates_become_days_since_1970(raw: object) -> None:
    assert parse_value(raw, DATE) == float((date(2024, 1, 15) - date(1970, 1, 1)).days)


def test_excel_datetime_cell_drops_the_time() -> None:
    assert parse_value(datetime(1970, 1, 2, 13, 30), DATE) == 1.0


def test_count_accepts_whole_numbers_written_as_floats() -> None:
    assert parse_value(3.0, COUNT) == 3.0
    assert parse_value("1.000", COUNT) == 1000.0


def test_text_is_nfc_normalised() -> None:
    assert parse_value("Kho\u0302ng", YES_NO) == 0.0  # "Không" with a combining circumflex


@pytest.mark.parametrize(
    ("x", "text"),
    [(85.5, "85,5"), (1234.5, "1.234,5"), (100.0, "100"), (-1234567.25, "-1.234.567,25")],
)
def test_exact_number_text(x: float, text: str) -> None:
    assert exact_number_text(x) == text


def test_format_machine_never_looks_like_thousands() -> None:
    assert format_machine(1.234) == "1.2340"
    assert format_machine(1234.0) == "1234"
    assert format_machine(1e-7) == "0.0000001"


finite = st.floats(allow_nan=False, allow_infinity=False)


@given(finite)
def test_vietnamese_format_round_trips(x: float) -> None:
    assert parse_value(exact_number_text(x), NUMBER) == x


@given(finite)
def test_machine_format_round_trips(x: float) -> None:
    assert parse_value(format_machine(x), NUMBER) == x


@given(st.floats(min_value=0, max_value=100))
def test_percent_round_trips(x: float) -> None:
    assert parse_value(exact_number_text(x) + "%", PERCENT) == x
    assert math.isclose(parse_value(x / 100, PERCENT, percent_format=True), x, rel_tol=1e-12, abs_tol=1e-300)
