"""Vietnamese alphabetical order: a ă â b c d đ e ê … then tones, as dictionaries sort.

Python's default order puts "Đ" after "Z" and mixes tones into letters; staff expect
"Ân" after "An" and before "Bình", and "Đông" between "Dương" and "Em".
"""

from __future__ import annotations

import unicodedata

ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_RANK = {ch: i for i, ch in enumerate(ALPHABET)}
# Combining tone marks, in the traditional dictionary order: none, huyền, hỏi, ngã, sắc, nặng.
TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
# Marks that make a different letter (ă â ê ô ơ ư) rather than a tone.
LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}


def _letters(word: str) -> tuple[list[tuple[int, str]], list[int]]:
    base: list[tuple[int, str]] = []
    tones: list[int] = []
    for ch in word.lower():
        if ch == "đ":
            base.append((_RANK["đ"], ch))
            tones.append(0)
            continue
        parts = unicodedata.normalize("NFD", ch)
        letter, marks = parts[0], parts[1:]
        tone = 0
        for mark in marks:
            if mark in LETTER_MARKS:
                letter = unicodedata.normalize("NFC", letter + mark)
            elif mark in TONES:
                tone = TONES[mark]
        base.append((_RANK.get(letter, 100 + ord(letter[0])), letter))
        tones.append(tone)
    return base, tones


def vietnamese_key(text: str) -> tuple[tuple[tuple[int, str], ...], tuple[int, ...], str]:
    """Sort key: letters in Vietnamese order first, then tones, then the text itself."""
    base, tones = _letters(unicodedata.normalize("NFC", text))
    return tuple(base), tuple(tones), text


def sort_vietnamese(items: list[str]) -> list[str]:
    return sorted(items, key=vietnamese_key)


def person_name_key(full_name: str) -> tuple[object, ...]:
    """People sort by given name (the last word), then family and middle names."""
    words = full_name.split()
    given = words[-1] if words else ""
    return (vietnamese_key(given), vietnamese_key(" ".join(words[:-1])))
