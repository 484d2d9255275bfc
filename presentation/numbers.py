"""Vietnamese numbers: ``1.234,5`` (dot groups thousands, comma marks decimals).

Two forms, one rule each:

- :func:`number_text` is what people read (pages, PDFs, the CLI, ``*_text`` fields): at most two
  decimals, trailing zeros dropped, nothing at all for a missing value.
- :func:`exact_number_text` echoes a value someone typed or a plan states (form fields, error
  messages, templates to fill in): every digit kept, so reading it back gives the same float.
"""

from __future__ import annotations

import math
from decimal import Decimal

NBSP = "\u00a0"  # keeps "85,5 %" on one line

Number = float | int | Decimal


def _missing(x: Number | None) -> bool:
    return x is None or (not isinstance(x, Decimal) and not math.isfinite(x)) or (
        isinstance(x, Decimal) and not x.is_finite())


def _grouped(whole: str) -> str:
    return f"{int(whole):,}".replace(",", ".")


def number_text(x: Number | None, decimals: int = 2) -> str:
    """12.5 → "12,5"; 1234.5 → "1.234,5"; 1000000 → "1.000.000"; None or NaN → ""."""
    if x is None or _missing(x):
        return ""
    whole, _, frac = f"{abs(x):.{decimals}f}".partition(".")
    frac = frac.rstrip("0")
    body = _grouped(whole) + ("," + frac if frac else "")
    negative = x < 0 and body.strip("0.,") != ""
    return ("-" if negative else "") + body


def percent_text(x: Number | None, decimals: int = 2) -> str:
    """85.5 → "85,5 %" (a non-breaking space before the sign); None → ""."""
    text = number_text(x, decimals)
    return f"{text}{NBSP}%" if text else ""


def points_text(points: Number | None, maximum: Number | None) -> str:
    """Points out of a maximum: 107.72, 100 → "107,72/100"."""
    return f"{number_text(points)}/{number_text(maximum)}"


def plain_decimal(x: float) -> str:
    """Shortest exact decimal for ``x`` with a dot and no exponent, ``1.0`` written ``1``."""
    text = format(Decimal(repr(float(x))), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def exact_number_text(x: float) -> str:
    """Every digit of ``x``, Vietnamese style: 1234.5678 → "1.234,5678"; refuses NaN and infinity."""
    if not math.isfinite(x):
        raise ValueError(f"«{x}» không phải là số hữu hạn")
    text = plain_decimal(x)
    sign = "-" if text.startswith("-") else ""
    whole, _, frac = text.lstrip("-").partition(".")
    return f"{sign}{_grouped(whole)},{frac}" if frac else f"{sign}{_grouped(whole)}"
