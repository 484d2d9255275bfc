"""Reading one indicator value the way Vietnamese staff write it.

Pure: no I/O. ``parse_value`` turns a cell (text from a CSV, or what openpyxl returns from an
XLSX cell) into the float the engine uses, and explains in Vietnamese why a cell is refused.
Vietnamese writes ``1.234,5`` (dot groups thousands, comma marks decimals); Excel set to an
English locale writes ``1,234.5``; machines write ``1234.5``. All three are read.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal

from criteria.model import Indicator
from presentation.numbers import exact_number_text, plain_decimal
from presentation.times import date_text
from scoring.core.days import day_number, day_of

YES_WORDS = frozenset({"có", "co", "x", "1", "yes", "y", "true", "đạt"})
NO_WORDS = frozenset({"không", "khong", "0", "no", "n", "false", "không đạt"})
_SPACES = re.compile(r"[\s\u00a0\u202f\u2007\u2009\ufeff]+")
_SPACE_GROUPS = re.compile(r"^\d{1,3}(?: \d{3})+(?:,\d+)?$")
_PLAIN = re.compile(r"^\d+$")
_DOT_DECIMAL = re.compile(r"^\d*\.\d+$")
_DOT_THOUSANDS = re.compile(r"^[1-9]\d{0,2}(?:\.\d{3})+$")
_COMMA_DECIMAL = re.compile(r"^\d*,\d+$")
_COMMA_THOUSANDS = re.compile(r"^[1-9]\d{0,2}(?:,\d{3}){2,}$")
_VI_FULL = re.compile(r"^[1-9]\d{0,2}(?:\.\d{3})+,\d+$")
_EN_FULL = re.compile(r"^[1-9]\d{0,2}(?:,\d{3})+\.\d+$")
_EXPONENT = re.compile(r"^\d*[.,]?\d+[eE][+\-]?\d+$")
_EXCEL_ERROR = re.compile(r"^#(?:[A-Z0-9/]+[!?]|N/A)$")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def clean_text(raw: str) -> str:
    """NFC-normalise, collapse runs of spaces (non-breaking too) and strip both ends."""
    if raw.isascii():
        return " ".join(raw.split())
    return _SPACES.sub(" ", unicodedata.normalize("NFC", raw)).strip()


def format_machine(x: float) -> str:
    """Write a number with a dot decimal that :func:`parse_value` cannot mistake for thousands.

    ``1.234`` would read back as one thousand two hundred and thirty-four, so such a value
    is written ``1.2340``; whole numbers are written without a decimal part.
    """
    text = plain_decimal(x)
    if _DOT_THOUSANDS.match(text.lstrip("-")):
        text += "0"
    return text


def parse_value(raw: object, indicator: Indicator, *, percent_format: bool = False) -> float:
    """Read one cell for ``indicator``; raise ``ValueError`` with a Vietnamese reason."""
    if indicator.kind == "yes_no":
        value = _parse_yes_no(raw)
    elif indicator.kind == "date":
        value = _parse_date(raw)
    else:
        value, hint = _parse_number(raw, indicator, percent_format)
        try:
            _check_kind(value, indicator)
        except ValueError as err:
            raise ValueError(f"{err}{hint}") from None
    _check_bounds(value, indicator)
    if indicator.scale and value not in indicator.scale:
        allowed = "; ".join(exact_number_text(x) for x in indicator.scale)
        raise ValueError(f"điểm {exact_number_text(value)} không thuộc các mức được chấm: {allowed}")
    return value


def _show(raw: object) -> str:
    return clean_text(raw) if isinstance(raw, str) else str(raw)


def _parse_yes_no(raw: object) -> float:
    if isinstance(raw, bool):
        return 1.0 if raw else 0.0
    if isinstance(raw, int | float) and raw in (0, 1):
        return float(raw)
    word = clean_text(raw).casefold() if isinstance(raw, str) else ""
    if word in YES_WORDS:
        return 1.0
    if word in NO_WORDS:
        return 0.0
    raise ValueError(f"«{_show(raw)}» không phải là Có/Không (ghi «Có», «x» hoặc 1; «Không» hoặc 0)")


def _parse_date(raw: object) -> float:
    if isinstance(raw, datetime):
        return day_number(raw.date())
    if isinstance(raw, date):
        return day_number(raw)
    text = clean_text(raw) if isinstance(raw, str) else ""
    dmy = _DMY.match(text)
    iso = _ISO.match(text)
    if dmy:
        day, month, year = (int(g) for g in dmy.groups())
    elif iso:
        year, month, day = (int(g) for g in iso.groups())
    else:
        raise ValueError(f"«{_show(raw)}» không phải là ngày (ghi theo dạng dd/mm/yyyy, ví dụ 15/01/2025)")
    try:
        return day_number(date(year, month, day))
    except ValueError:
        raise ValueError(f"ngày «{text}» không tồn tại") from None


def _parse_number(raw: object, indicator: Indicator, percent_format: bool) -> tuple[float, str]:
    """Return the number and a hint to append if it is later refused."""
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise ValueError(f"«{_show(raw)}» không phải là số")
    if not isinstance(raw, str):
        value = float(raw)
        if not math.isfinite(value):
            raise ValueError(f"«{raw}» không phải là số hữu hạn")
        if percent_format:
            value = float(Decimal(repr(value)) * 100)
        return value, ""
    text = clean_text(raw)
    if not text:
        raise ValueError("ô trống")
    body = text
    if body.endswith("%"):
        if indicator.kind != "percent" and indicator.unit.strip() != "%":
            raise ValueError(f"«{text}»: dấu % chỉ dùng cho chỉ tiêu tính theo tỷ lệ phần trăm")
        body = body[:-1].rstrip()
    sign = body[0] if body[:1] in ("+", "-", "\u2212") else ""
    body = body[len(sign) :].lstrip()
    body, hint = _machine_digits(body, text)
    value = float(body)
    return (-value if sign in ("-", "\u2212") else value), hint


def _machine_digits(body: str, text: str) -> tuple[str, str]:
    """An unsigned number as people write it → as ``float`` reads it, and a hint for a refusal."""
    if _SPACE_GROUPS.match(body):
        body = body.replace(" ", "")
    if _DOT_THOUSANDS.match(body):
        return body.replace(".", ""), (
            f" («{text}» được hiểu là {body.replace('.', '')} vì dấu chấm phân cách hàng"
            " nghìn; số thập phân ghi bằng dấu phẩy, ví dụ 85,5)"
        )
    if _PLAIN.match(body) or _DOT_DECIMAL.match(body):
        return body, ""
    if _COMMA_DECIMAL.match(body) or _EXPONENT.match(body):
        return body.replace(",", "."), ""
    if _VI_FULL.match(body):
        return body.replace(".", "").replace(",", "."), ""
    if _EN_FULL.match(body) or _COMMA_THOUSANDS.match(body):
        return body.replace(",", ""), ""
    if _EXCEL_ERROR.match(body):
        raise ValueError(f"ô có lỗi công thức Excel «{text}»; hãy sửa công thức hoặc nhập số")
    raise ValueError(f"«{text}» không phải là số")


def _check_kind(value: float, indicator: Indicator) -> None:
    if indicator.kind == "percent" and not 0 <= value <= 100:
        raise ValueError(f"tỷ lệ {exact_number_text(value)}% ngoài khoảng 0–100")
    if indicator.kind == "count" and (value < 0 or value != math.floor(value)):
        raise ValueError(
            f"«{exact_number_text(value)}» không phải là số nguyên không âm (số lượng phải là 0, 1, 2, …)"
        )
    if indicator.kind == "days" and value < 0:
        raise ValueError(f"số ngày {exact_number_text(value)} không được âm")



def _check_bounds(value: float, indicator: Indicator) -> None:
    low, high = indicator.min, indicator.max
    if (low is None or value >= low) and (high is None or value <= high):
        return
    show = _as_date if indicator.kind == "date" else exact_number_text
    if low is not None and value < low:
        raise ValueError(f"giá trị {show(value)} nhỏ hơn mức tối thiểu {show(low)} của chỉ tiêu")
    if high is not None:
        raise ValueError(f"giá trị {show(value)} lớn hơn mức tối đa {show(high)} của chỉ tiêu")


def _as_date(number: float) -> str:
    return date_text(day_of(number))
