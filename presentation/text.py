"""Vietnamese text without its diacritics, for searches and comparisons that should not care
whether a person typed «Đắk Lắk» or «dak lak»."""

from __future__ import annotations

import unicodedata


def without_diacritics(text: str) -> str:
    """«Đông Thọ» → «Dong Tho»: tone and vowel marks dropped, đ/Đ read as d/D."""
    bare = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in bare if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """Text compared as typed words: no case, diacritics or extra spaces ("Đông  Thọ" = "dong tho")."""
    return " ".join(without_diacritics(text).casefold().split())
