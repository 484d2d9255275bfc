"""Moments stored in UTC, shown and typed in Vietnam time (UTC+7)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from presentation.times import (
    VN_TZ,
    date_text,
    datetime_text,
    local,
    local_date,
    local_day_start,
    parse_date,
    parse_local_datetime,
    time_text,
)

CLOSED = datetime(2024, 4, 2, 3, 30, tzinfo=UTC)


def test_a_utc_moment_is_shown_in_vietnam_time() -> None:
    assert local(CLOSED) == datetime(2024, 4, 2, 10, 30, tzinfo=VN_TZ)
    assert (time_text(CLOSED), date_text(CLOSED), datetime_text(CLOSED)) == ("10:30", "02/04/2024",
                                                                             "02/04/2024 10:30")
    assert datetime_text("2024-04-02T03:30:00Z") == "02/04/2024 10:30"  # ISO text, as JSON carries it
    assert datetime_text(datetime(2024, 4, 2, 3, 30)) == "02/04/2024 10:30", "naive means UTC"


def test_the_day_is_the_day_in_vietnam() -> None:
    late = datetime(2024, 4, 1, 18, 0, tzinfo=UTC)  # 01:00 on 2 April in Vietnam
    assert local_date(late) == date(2024, 4, 2) and date_text(late) == "02/04/2024"
    assert date_text(date(2024, 4, 2)) == "02/04/2024" and datetime_text(date(2024, 4, 2)) == "02/04/2024"
    assert local_day_start(date(2024, 4, 2)) == datetime(2024, 4, 1, 17, 0, tzinfo=UTC)
    assert date_text(None) == time_text(None) == datetime_text(None) == ""


@pytest.mark.parametrize("typed", ["02/04/2024 09:00", "2/4/2024 9:00", "09:00 02/04/2024",
                                   "09h00 ngày 02/04/2024", "2024-04-02T09:00", " 02/04/2024   09:00 "])
def test_a_meeting_typed_at_nine_is_stored_at_two_utc(typed: str) -> None:
    stored = parse_local_datetime(typed)
    assert stored == datetime(2024, 4, 2, 2, 0, tzinfo=UTC) and stored.tzinfo is UTC
    assert time_text(stored) == "09:00", "giờ họp nhập 09:00 phải hiện lại 09:00"


def test_the_0830_meeting_prints_0830_not_0130() -> None:
    assert time_text(parse_local_datetime("10/12/2024 08:30")) == "08:30"


@pytest.mark.parametrize(("typed", "reason"), [
    ("31/02/2024 09:00", "không phải là một ngày giờ có thật"), ("25:00 02/04/2024", "có thật"),
    ("ngày mai", "không đúng dạng"), ("2024-04-02T09:00+07:00", "không kèm múi giờ"), ("", "không đúng dạng"),
])  # fmt: skip
def test_bad_input_is_refused_in_vietnamese(typed: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_local_datetime(typed)


@given(st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1)))
def test_what_is_shown_reads_back_to_the_minute(moment: datetime) -> None:
    stored = moment.replace(tzinfo=UTC)
    back = parse_local_datetime(datetime_text(stored))
    assert back == stored.replace(second=0, microsecond=0)
    assert timedelta(0) <= stored - back < timedelta(minutes=1)


def test_a_day_typed_in_a_form() -> None:
    for typed in ("31/12/2024", " 31/12/2024 "):
        assert parse_date(typed) == date(2024, 12, 31)
    assert parse_date("1/2/2025") == date(2025, 2, 1)
    for bad in ("31/02/2024", "2024-12-31", "2024/12/31", "hôm qua", ""):
        with pytest.raises(ValueError, match="không đúng dạng ngày/tháng/năm"):
            parse_date(bad)
