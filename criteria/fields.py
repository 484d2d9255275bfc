"""Typed field readers that record problems instead of raising.

The plan validator walks the whole TOML tree and must report every mistake at once, so
each reader returns a usable fallback and appends a :class:`PlanIssue` when the value is
wrong. Messages are Vietnamese because staff read them.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from presentation.numbers import exact_number_text


@dataclass(frozen=True, slots=True)
class PlanIssue:
    """One validation error: where in the file, and what is wrong."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class Fields:
    """Reads one TOML table, recording issues under a key path prefix."""

    def __init__(self, table: Mapping[str, Any], path: str, issues: list[PlanIssue]) -> None:
        self.table = table
        self.path = path
        self.issues = issues
        self.seen: set[str] = set()

    def where(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def error(self, key: str, message: str) -> None:
        self.issues.append(PlanIssue(self.where(key), message))

    def _get(self, key: str, required: bool) -> Any:
        self.seen.add(key)
        if key not in self.table:
            if required:
                self.error(key, "thiếu khóa bắt buộc")
            return None
        return self.table[key]

    def text(
        self, key: str, *, required: bool = True, pattern: str | None = None, hint: str = ""
    ) -> str:
        value = self._get(key, required)
        if value is None:
            return ""
        if not isinstance(value, str) or not value.strip():
            self.error(key, "phải là một chuỗi ký tự không rỗng")
            return ""
        value = unicodedata.normalize("NFC", value.strip())
        if pattern and not re.fullmatch(pattern, value):
            self.error(key, f"«{value}» không đúng dạng ({hint or _pattern_hint(pattern)})")
        return value

    def choice(self, key: str, options: Sequence[str], *, default: str | None = None) -> str:
        value = self._get(key, default is None)
        if value is None:
            return default or ""
        if value not in options:
            allowed = ", ".join(f"«{o}»" for o in options)
            self.error(key, f"giá trị «{value}» không hợp lệ; chỉ chấp nhận {allowed}")
            return str(value)  # kept as given so later checks can tell it was wrong
        return str(value)

    def number(
        self,
        key: str,
        *,
        required: bool = True,
        default: float | None = None,
        minimum: float | None = None,
        positive: bool = False,
    ) -> float | None:
        value = self._get(key, required and default is None)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.error(key, f"phải là một số, không phải «{value}»")
            return default
        number = float(value)
        if not math.isfinite(number):
            self.error(key, f"phải là một số hữu hạn, không phải «{value}»")
            return default
        if positive and number <= 0:
            self.error(key, f"phải lớn hơn 0 (đang là {exact_number_text(number)})")
        elif minimum is not None and number < minimum:
            least, shown = exact_number_text(minimum), exact_number_text(number)
            self.error(key, f"không được nhỏ hơn {least} (đang là {shown})")
        return number

    def flag(self, key: str, *, default: bool = False) -> bool:
        value = self._get(key, False)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error(key, "phải là true hoặc false")
            return default
        return value

    def day(self, key: str) -> date:
        value = self._get(key, True)
        if isinstance(value, date):
            return value
        if value is not None:
            self.error(key, "phải là một ngày dạng YYYY-MM-DD")
        return date(1970, 1, 1)

    def text_list(self, key: str) -> tuple[str, ...]:
        value = self._get(key, False)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.error(key, "phải là một danh sách chuỗi ký tự")
            return ()
        return tuple(unicodedata.normalize("NFC", v) for v in value)

    def unknown_keys(self) -> None:
        for key in self.table:
            if key not in self.seen:
                self.error(key, "khóa không được hỗ trợ (xem docs/plan-format.md)")


def _pattern_hint(pattern: str) -> str:
    marks = "dấu chấm, gạch ngang" if "." in pattern else "dấu gạch dưới"
    return f"chỉ dùng chữ thường không dấu, chữ số, {marks}"


