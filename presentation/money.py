"""Money in whole đồng: 7020000 → "7.020.000 đ" (a non-breaking space before the sign)."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from presentation.numbers import NBSP, number_text

CURRENCY = "đ"


def money_text(amount: float | int | Decimal | None) -> str:
    """Whole đồng (half up), dot thousands, then "đ"; "" for no amount."""
    if amount is None or (isinstance(amount, float) and not math.isfinite(amount)):
        return ""
    whole = Decimal(str(amount)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return f"{number_text(int(whole), 0)}{NBSP}{CURRENCY}"
