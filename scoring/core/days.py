"""How a date is a number in the engine: whole days since 1 January 1970 (float, as every value).

The one definition of the epoch; intake, compile, report and the demo data all count from it.
"""

from __future__ import annotations

from datetime import date, timedelta

EPOCH = date(1970, 1, 1)


def day_number(day: date) -> float:
    """15/01/2025 → 20103.0."""
    return float((day - EPOCH).days)


def day_of(number: float) -> date:
    """The day a day number stands for (any fraction dropped)."""
    return EPOCH + timedelta(days=int(number))
