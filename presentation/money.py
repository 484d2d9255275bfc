"""Money in whole đồng: 7020000 → "7.020.000 đ".

A plain space before the sign, as people type it and search for it; tables that must keep an
amount on one line say so in their CSS (``white-space: nowrap``).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from presentation.numbers import number_text

CURRENCY = "đ"


def money_text(amount: float | int | Decimal | None) -> str:
    """Whole đồng (half up), dot thousands, then "đ"; "" for no amount."""
    if amount is None or (isinstance(amount, float) and not math.isfinite(amount)):
        return ""
    whole = Decimal(str(amount)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return f"{number_text(int(whole), 0)} {CURRENCY}"
