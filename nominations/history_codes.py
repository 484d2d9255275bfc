"""How the codes of a history record are written and read: labels, abbreviations, spellings.

The codes and their Vietnamese names are those of :mod:`nominations.history` (one table);
this module adds the abbreviations officials write ("CSTĐCS", "HTXSNV"), the other spellings
an import accepts, and the names of the kinds. Spellings are compared folded (case, diacritics
and punctuation ignored, as file headers are), so "Chiến sĩ thi đua cơ sở", "CSTĐCS" and
"cstdcs" all read as ``cstdcs``.
"""

from __future__ import annotations

from collections.abc import Mapping

from nominations.history import CODES, KINDS
from scoring.intake.reader import header_key

KIND_ORDER = ("rating", "title", "initiative", "discipline")  # as a unit's history is shown
KIND_LABELS: Mapping[str, str] = {
    "rating": "Xếp loại",
    "title": "Danh hiệu, khen thưởng",
    "initiative": "Sáng kiến",
    "discipline": "Kỷ luật",
}
KIND_ALIASES: Mapping[str, tuple[str, ...]] = {
    "rating": ("xếp loại", "xếp loại nhiệm vụ", "đánh giá", "mức hoàn thành nhiệm vụ"),
    "title": ("danh hiệu", "khen thưởng", "danh hiệu thi đua", "hình thức khen thưởng"),
    "initiative": ("sáng kiến",),
    "discipline": ("kỷ luật",),
}
# (kind, code) → the abbreviation written in reports, where officials use one.
SHORT: Mapping[tuple[str, str], str] = {
    ("rating", "htxs"): "HTXSNV",
    ("rating", "httnv"): "HTTNV",
    ("rating", "htnv"): "HTNV",
    ("rating", "khong-ht"): "KHTNV",
    ("title", "ldtt"): "LĐTT",
    ("title", "cstdcs"): "CSTĐCS",
    ("title", "cstd-tinh"): "CSTĐ tỉnh",
    ("title", "ttldtt"): "TTLĐTT",
    ("title", "ttldxs"): "TTLĐXS",
    ("title", "co-thi-dua-tinh"): "Cờ thi đua tỉnh",
    ("title", "bang-khen-tinh"): "Bằng khen tỉnh",
    ("title", "bang-khen-ttg"): "Bằng khen Thủ tướng",
    ("title", "huan-chuong-ld3"): "HCLĐ hạng Ba",
}
# (kind, code) → further spellings accepted on import.
ALIASES: Mapping[tuple[str, str], tuple[str, ...]] = {
    ("rating", "htxs"): ("HTXS",),
    ("rating", "khong-ht"): ("KHT", "không hoàn thành"),
    ("title", "cstd-tinh"): ("Chiến sĩ thi đua tỉnh", "CSTĐ cấp tỉnh"),
    ("title", "co-thi-dua-tinh"): ("Cờ thi đua cấp tỉnh", "Cờ thi đua của UBND tỉnh"),
    ("title", "bang-khen-tinh"): ("Bằng khen của Chủ tịch UBND tỉnh", "Bằng khen UBND tỉnh",
                                  "Bằng khen cấp tỉnh"),
    ("title", "bang-khen-ttg"): ("Bằng khen TTg", "Bằng khen của Thủ tướng"),
    ("title", "huan-chuong-ld3"): ("Huân chương Lao động hạng 3",),
    ("initiative", "co-so"): ("Sáng kiến cấp cơ sở", "cơ sở"),
    ("initiative", "tinh"): ("Sáng kiến cấp tỉnh", "tỉnh"),
    ("initiative", "toan-quoc"): ("Sáng kiến cấp toàn quốc", "cấp toàn quốc", "cấp quốc gia"),
    ("discipline", "dang-xem-xet"): ("đang xem xét", "chờ xử lý kỷ luật"),
}
INDIVIDUAL_TITLES = frozenset({"ldtt", "cstdcs", "cstd-tinh"})
COLLECTIVE_TITLES = frozenset({"ttldtt", "ttldxs", "co-thi-dua-tinh"})
GOOD_RATINGS = frozenset({"htxs", "httnv"})  # "hoàn thành tốt nhiệm vụ trở lên"


def _index() -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    kinds = {header_key(s): kind for kind in KINDS
             for s in (kind, KIND_LABELS[kind], *KIND_ALIASES[kind])}
    values: dict[str, dict[str, str]] = {}
    for kind, names in CODES.items():
        folded: dict[str, str] = {}
        for value, name in names.items():
            short = SHORT.get((kind, value), "")
            for spelling in (value, name, short, *ALIASES.get((kind, value), ())):
                key = header_key(spelling)
                if key and folded.setdefault(key, value) != value:
                    raise AssertionError(f"{kind}: «{spelling}» would name two codes")
        values[kind] = folded
    return kinds, values


_KINDS, _VALUES = _index()


def parse_kind(text: str) -> str | None:
    """``"Danh hiệu"``, ``"danh_hieu"`` or ``"title"`` → ``"title"``; None when unknown."""
    return _KINDS.get(header_key(text))


def parse_value(kind: str, text: str) -> str | None:
    """``("title", "CSTĐCS")`` → ``"cstdcs"``: a code, its name or abbreviation; None if unknown."""
    return _VALUES.get(kind, {}).get(header_key(text))


def label(kind: str, value: str) -> str:
    """The Vietnamese name of a code, capitalised (the code itself when ``kind`` has no such code)."""
    name = CODES.get(kind, {}).get(value)
    return value if name is None else name[:1].upper() + name[1:]


def short_label(kind: str, value: str) -> str:
    """The abbreviation where officials use one (``"HTXSNV"``), else the name."""
    return SHORT.get((kind, value)) or label(kind, value)


def shown(kind: str, value: str) -> str:
    """``"Chiến sĩ thi đua cơ sở (CSTĐCS)"``: the name, with the abbreviation if any."""
    short = SHORT.get((kind, value))
    return f"{label(kind, value)} ({short})" if short else label(kind, value)


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def accepted(kind: str) -> str:
    """The accepted values of a kind, as an import error lists them."""
    def one(value: str) -> str:
        short = SHORT.get((kind, value))
        return f"{value} ({short}: {label(kind, value)})" if short else f"{value} ({label(kind, value)})"

    return "; ".join(one(value) for value in CODES[kind])


def accepted_kinds() -> str:
    return "; ".join(f"{kind} ({KIND_LABELS[kind].lower()})" for kind in KIND_ORDER)
