"""Moments are stored in UTC and shown in Vietnam time (Asia/Ho_Chi_Minh, UTC+7, no daylight saving).

A naive ``datetime`` is taken as UTC, the storage convention; a ``date`` is a calendar day and is
shown as it is. :func:`parse_local_datetime` reads what staff type in a form (Vietnam time) back to
an aware UTC moment for storage.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DATE_FORMAT = "%d/%m/%Y"
TIME_FORMAT = "%H:%M"
_DMY = r"(\d{1,2})/(\d{1,2})/(\d{4})"
_HM = r"(\d{1,2})[:hg](\d{2})"
_FORMS = (  # (pattern, order of day, month, year, hour, minute in the groups)
    (re.compile(rf"^{_DMY}(?:\s+{_HM})?$"), (0, 1, 2, 3, 4)),
    (re.compile(rf"^{_HM}\s+(?:ngày\s+)?{_DMY}$"), (2, 3, 4, 0, 1)),
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?)?$"), (2, 1, 0, 3, 4)),
)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _moment(value: datetime | str) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return _aware(value)


def local(moment: datetime | str) -> datetime:
    """The same instant on a Vietnamese clock (naive means UTC; ISO text is read first)."""
    return _moment(moment).astimezone(VN_TZ)


def local_date(value: date | datetime | str) -> date:
    """The calendar day in Vietnam: a moment's local day, or the day itself."""
    if isinstance(value, datetime | str):
        return local(value).date()
    return value


def date_text(value: date | datetime | str | None) -> str:
    """dd/mm/yyyy (a moment: its day in Vietnam); "" for nothing."""
    return "" if value is None else local_date(value).strftime(DATE_FORMAT)


def time_text(moment: datetime | str | None) -> str:
    """HH:MM on a Vietnamese clock; "" for nothing."""
    return "" if moment is None else local(moment).strftime(TIME_FORMAT)


def datetime_text(value: date | datetime | str | None) -> str:
    """dd/mm/yyyy HH:MM in Vietnam time; a plain day as dd/mm/yyyy; "" for nothing."""
    if value is None:
        return ""
    if isinstance(value, date) and not isinstance(value, datetime):
        return date_text(value)
    return f"{date_text(value)} {time_text(value)}"


def local_day_start(day: date) -> datetime:
    """The UTC instant at which ``day`` begins in Vietnam."""
    return datetime.combine(day, time.min, VN_TZ).astimezone(UTC)


def parse_date(text: str) -> date:
    """A calendar day typed in a form as staff write it, "31/12/2024" (only this order: "2024-12-05"
    is refused rather than guessed); raises ``ValueError`` in Vietnamese."""
    dmy = re.match(rf"^{_DMY}$", " ".join(text.split()))
    try:
        if dmy:
            return date(int(dmy[3]), int(dmy[2]), int(dmy[1]))
    except ValueError:
        pass
    raise ValueError(f"Ngày «{text}» không đúng dạng ngày/tháng/năm (ví dụ 31/12/2024).")


def parse_local_datetime(text: str) -> datetime:
    """A moment typed in Vietnam time, as an aware UTC ``datetime`` for storage.

    Reads "02/04/2024 09:00", "09:00 02/04/2024", "02/04/2024" (midnight) and the value of an
    HTML ``datetime-local`` input ("2024-04-02T09:00"); raises ``ValueError`` in Vietnamese.
    """
    cleaned = " ".join(text.split())
    if cleaned.endswith(("Z", "+00:00")) or re.search(r"[+-]\d{2}:\d{2}$", cleaned):
        raise ValueError(f"«{cleaned}»: hãy ghi giờ Việt Nam, không kèm múi giờ")
    for pattern, order in _FORMS:
        found = pattern.match(cleaned)
        if found is None:
            continue
        groups = found.groups()
        day, month, year, hour, minute = (int(groups[i]) if groups[i] else 0 for i in order)
        try:
            moment = datetime(year, month, day, hour, minute, tzinfo=VN_TZ)
        except ValueError:
            raise ValueError(f"«{cleaned}» không phải là một ngày giờ có thật") from None
        return moment.astimezone(UTC)
    raise ValueError(f"«{cleaned}» không đúng dạng ngày/tháng/năm giờ:phút (ví dụ 10/12/2024 08:30)")
