"""Yearly history of people and units: titles, ratings, initiatives and discipline.

Pure and in memory. Multi-year conditions ("3 consecutive years", "held a provincial Bằng
khen") read it through :meth:`History.of`, which follows a unit's lineage: when units merge
(the 2025 restructuring), what a predecessor held counts for its successor. The codes below
are those of docs/nominations.md; their Vietnamese names are what users read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

KINDS = ("title", "rating", "initiative", "discipline")

RATING_NAMES = {
    "htxs": "Hoàn thành xuất sắc nhiệm vụ",
    "httnv": "Hoàn thành tốt nhiệm vụ",
    "htnv": "Hoàn thành nhiệm vụ",
    "khong-ht": "Không hoàn thành nhiệm vụ",
}
TITLE_NAMES = {
    "ldtt": "Lao động tiên tiến",
    "cstdcs": "Chiến sĩ thi đua cơ sở",
    "cstd-tinh": "Chiến sĩ thi đua cấp tỉnh",
    "ttldtt": "Tập thể lao động tiên tiến",
    "ttldxs": "Tập thể lao động xuất sắc",
    "co-thi-dua-tinh": "Cờ thi đua của Ủy ban nhân dân tỉnh",
    "bang-khen-tinh": "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh",
    "giay-khen": "Giấy khen",
    "bang-khen-ttg": "Bằng khen của Thủ tướng Chính phủ",
    "huan-chuong-ld3": "Huân chương Lao động hạng Ba",
}
INITIATIVE_SCOPE_NAMES = {
    "co-so": "cấp cơ sở",
    "tinh": "cấp tỉnh",
    "toan-quoc": "toàn quốc",
}
DISCIPLINE_NAMES = {
    "khien-trach": "khiển trách",
    "canh-cao": "cảnh cáo",
    "ha-bac-luong": "hạ bậc lương",
    "giang-chuc": "giáng chức",
    "cach-chuc": "cách chức",
    "buoc-thoi-viec": "buộc thôi việc",
    "dang-xem-xet": "đang xem xét kỷ luật",
}
PENDING_DISCIPLINE = "dang-xem-xet"
CODES: Mapping[str, Mapping[str, str]] = {
    "title": TITLE_NAMES,
    "rating": RATING_NAMES,
    "initiative": INITIATIVE_SCOPE_NAMES,
    "discipline": DISCIPLINE_NAMES,
}


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    unit_code: str  # a person's code (CN…) or a unit's code
    year: int
    kind: str  # "title" | "rating" | "initiative" | "discipline"
    value: str  # a code from the lists above
    detail: str = ""  # decision number, initiative name, reason …
    used_for: str = ""  # initiatives only: the award id it already earned, empty if unused


class History:
    """Entries indexed by unit and kind; lookups include the unit's predecessors."""

    def __init__(self, entries: Iterable[HistoryEntry],
                 lineage: Mapping[str, Sequence[str]] | None = None) -> None:
        self._by_unit: dict[tuple[str, str], list[HistoryEntry]] = defaultdict(list)
        for entry in entries:
            self._by_unit[(entry.unit_code, entry.kind)].append(entry)
        for found in self._by_unit.values():
            found.sort(key=lambda e: e.year)
        self._predecessors = {code: tuple(before) for code, before in (lineage or {}).items()}
        self._closure: dict[str, tuple[str, ...]] = {}

    def lineage_of(self, unit_code: str) -> tuple[str, ...]:
        """The unit itself, then its predecessors, followed transitively; each code once."""
        cached = self._closure.get(unit_code)
        if cached is not None:
            return cached
        seen = [unit_code]
        todo = [unit_code]
        while todo:
            for before in self._predecessors.get(todo.pop(), ()):
                if before not in seen:  # a cycle in the lineage stops here
                    seen.append(before)
                    todo.append(before)
        self._closure[unit_code] = result = tuple(seen)
        return result

    def of(self, unit_code: str, year: int, kind: str) -> list[HistoryEntry]:
        """Entries of one kind in one year, the unit's own and its predecessors'."""
        return [e for e in self.all_of(unit_code, kind) if e.year == year]

    def all_of(self, unit_code: str, kind: str) -> list[HistoryEntry]:
        """Entries of one kind in every year, over the lineage, oldest year first."""
        found: list[HistoryEntry] = []
        for code in self.lineage_of(unit_code):
            found.extend(self._by_unit.get((code, kind), ()))
        found.sort(key=lambda e: e.year)
        return found

    def years_with(self, unit_code: str, kind: str, values: Iterable[str]) -> set[int]:
        """Years in which the lineage holds one of ``values`` of this kind."""
        wanted = set(values)
        return {e.year for e in self.all_of(unit_code, kind) if e.value in wanted}
