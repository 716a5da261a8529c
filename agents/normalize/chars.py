"""The character sets and translation tables text cleaning acts on (Arabic marks, invisibles, digits, forms)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from itertools import chain


def ranges(spec: str) -> set[int]:
    """Code points of a spec like "0640 064B-0652": hex code points and inclusive ranges."""
    points: set[int] = set()
    for item in spec.split():
        low, _, high = item.partition("-")
        points.update(range(int(low, 16), int(high or low, 16) + 1))
    return points


def char_class(points: Iterable[int]) -> str:
    """A regex character class body matching exactly `points` (ranges collapsed, every char escaped)."""
    ordered = sorted(set(points))
    parts: list[str] = []
    index = 0
    while index < len(ordered):
        low = high = ordered[index]
        while index + 1 < len(ordered) and ordered[index + 1] == high + 1:
            index += 1
            high = ordered[index]
        parts.append(_escape(low) if low == high else f"{_escape(low)}-{_escape(high)}")
        index += 1
    return "".join(parts)


def _escape(point: int) -> str:
    return f"\\u{point:04x}" if point <= 0xFFFF else f"\\U{point:08x}"


# Tatweel and the Arabic diacritics removed from clean text (tashkeel incl. shadda and sukun, dagger alef,
# Quranic annotation marks). Maddah and hamza above/below (0653-0655) are kept: NFC composes them into letters.
TATWEEL = ranges("0640")
DIACRITICS = ranges("064B-0652 0656-065F 0670 0610-061A 06D6-06DC 06DF-06E4 06E7-06E8 06EA-06ED")
# Isolated/medial presentation forms of tashkeel, and shadda ligatures: NFKC would turn them into a space + marks.
MARK_FORMS = ranges("FE70-FE7F FC5E-FC63")

# Spacing characters other than U+0020 inside a line: each run becomes one ASCII space.
OTHER_SPACES = ranges("0009 001F 00A0 1680 2000-200A 202F 205F 3000")
# Format and control characters removed outright: zero-width, bidi controls, BOM, soft hyphen, C0/C1 controls.
INVISIBLES = ranges(
    "0000-0008 000E-001B 007F-0084 0086-009F 00AD 061C 180E 200B-200F 202A-202E 2060-2064 2066-206F FEFF FFF9-FFFB"
)
# Line separators: raw is split into lines on these (CRLF counts as one).
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"

ARABIC_INDIC_DIGITS = ranges("0660-0669")
PERSIAN_DIGITS = ranges("06F0-06F9")
# Arabic percent sign, decimal separator and thousands separator go with the digits they punctuate.
DIGIT_PUNCTUATION = {0x066A: "%", 0x066B: ".", 0x066C: ","}
DIGIT_TABLE: dict[int, str] = {
    **{point: str(point - 0x0660) for point in ARABIC_INDIC_DIGITS},
    **{point: str(point - 0x06F0) for point in PERSIAN_DIGITS},
    **DIGIT_PUNCTUATION,
}

# Arabic presentation forms (A and B, minus the mark forms above): NFKC maps them to ordinary letters.
PRESENTATION_FORMS = ranges("FB50-FC5D FC64-FDFF FE80-FEFC")

# Everything a gap run may contain besides U+0020: deleted, or folded into one space when spacing is present.
GAP_CHARS = TATWEEL | DIACRITICS | MARK_FORMS | OTHER_SPACES | INVISIBLES
GAP_SPACES = OTHER_SPACES | {0x20}

# Removed wherever they appear (after NFKC of a presentation form or inside a decoded entity).
DELETE_TABLE: dict[int, str | None] = {point: None for point in TATWEEL | DIACRITICS | MARK_FORMS | INVISIBLES}
FRAGMENT_TABLE: dict[int, str | None] = {
    **DELETE_TABLE,
    **{point: " " for point in OTHER_SPACES},
    **{ord(char): " " for char in LINE_BREAKS},
    **DIGIT_TABLE,
}


def _nfc_sensitive() -> tuple[set[int], set[int]]:
    """Marks that NFC may compose or reorder, and single characters NFC replaces (singletons)."""
    composing: set[int] = set(range(0x1161, 0x1176)) | set(range(0x11A8, 0x11C3))  # Hangul V and T jamo
    singletons: set[int] = set()
    for point in chain(range(0xD800), range(0xE000, 0x30000), range(0xE0000, 0xE1000)):  # assigned planes
        char = chr(point)
        if unicodedata.combining(char):
            composing.add(point)
        decomposition = unicodedata.decomposition(char)
        if decomposition and not decomposition.startswith("<"):
            parts = decomposition.split()
            if len(parts) == 2:
                composing.add(int(parts[1], 16))
        if not unicodedata.is_normalized("NFC", char):
            singletons.add(point)
    handled = GAP_CHARS | PRESENTATION_FORMS | set(DIGIT_TABLE)
    return composing - handled, singletons - handled - composing


COMPOSING_MARKS, NFC_SINGLETONS = _nfc_sensitive()
