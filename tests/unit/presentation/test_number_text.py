"""Numbers and money the Vietnamese way: one writer for pages, PDFs, the CLI and the API."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from criteria.model import Indicator
from presentation.money import money_text
from presentation.numbers import exact_number_text, number_text, percent_text, points_text
from scoring.core.reading import parse_value

NUMBER = Indicator(id="so", level="commune", name="Một số", kind="number", unit="")


@pytest.mark.parametrize(("x", "shown"), [
    (1234.5, "1.234,5"), (85.5, "85,5"), (1_000_000, "1.000.000"), (1e6, "1.000.000"), (100.0, "100"),
    (0, "0"), (93.333, "93,33"), (0.005, "0,01"), (0.001, "0"), (-0.001, "0"), (-2.25, "-2,25"),
    (-1234567.25, "-1.234.567,25"), (Decimal("80.00"), "80"), (Decimal("66.67"), "66,67"),
    (None, ""), (math.nan, ""), (math.inf, ""),
])  # fmt: skip
def test_number_text(x: float | Decimal | None, shown: str) -> None:
    assert number_text(x) == shown, f"{x!r} phải viết là «{shown}»"


def test_fewer_decimals_when_asked() -> None:
    assert number_text(2.345, 1) == "2,3" and number_text(1234.5, 0) == "1.234"  # half to even


def test_percent_and_points() -> None:
    assert percent_text(85.5) == "85,5\u00a0%"
    assert percent_text(None) == ""
    assert points_text(107.72, 100) == "107,72/100"
    assert points_text(1234.5, 2000) == "1.234,5/2.000"


@pytest.mark.parametrize(("amount", "shown"), [
    (7_020_000, "7.020.000 đ"), (7_020_000.4, "7.020.000 đ"), (2_340_000.5, "2.340.001 đ"),
    (0, "0 đ"), (Decimal("1500"), "1.500 đ"), (None, ""), (math.nan, ""),
])  # fmt: skip
def test_money_text_in_whole_dong(amount: float | Decimal | None, shown: str) -> None:
    assert money_text(amount) == shown


finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12)


@given(finite)
def test_shown_numbers_read_back_to_two_decimals(x: float) -> None:
    """What a page shows, typed back into the entry form, is the value rounded to hundredths."""
    shown = number_text(x)
    back = parse_value(shown, NUMBER)
    assert math.isclose(back, round(x, 2), rel_tol=0, abs_tol=1e-9 * max(1.0, abs(x))), (x, shown, back)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_exact_numbers_read_back_exactly(x: float) -> None:
    assert parse_value(exact_number_text(x), NUMBER) == x


@given(st.integers(min_value=0, max_value=10**12))
def test_money_groups_every_three_digits(amount: int) -> None:
    digits, sign = money_text(amount).split(" ")
    assert sign == "đ" and int(digits.replace(".", "")) == amount
    assert all(len(group) == 3 for group in digits.split(".")[1:])
