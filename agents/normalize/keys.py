"""Matching keys: folded forms of clean text for comparing words, never shown to readers."""

from __future__ import annotations

import re
import unicodedata

from agents.normalize.clean import clean_fragment

# Arabic letters written interchangeably in news text, folded to one form each.
ARABIC_FOLDS = {
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "ى": "ي",
    "ئ": "ي",
    "ؤ": "و",
    "ة": "ه",
    "ک": "ك",  # Persian keheh typed for kaf
    "ی": "ي",  # Persian yeh typed for ya
    "ە": "ه",
    "ۀ": "ه",
}


def _fold(point: int) -> int | str:
    char = chr(point)
    if char in ARABIC_FOLDS:
        return ARABIC_FOLDS[char]
    if point < 0x0250 or 0x1E00 <= point <= 0x1EFF:
        char = unicodedata.normalize("NFD", char)[0]  # the Latin letter without its accent
    lower = char.lower()
    return lower if len(lower) == 1 else char  # keep the key one-to-one


class _FoldTable(dict[int, int | str]):
    """A str.translate table filled on first sight of each character."""

    def __missing__(self, point: int) -> int | str:
        folded = _fold(point)
        self[point] = folded
        return folded


_FOLD_TABLE = _FoldTable()


_ACCENTED_LATIN = re.compile("[\u00c0-\u024f\u1e00-\u1eff]")


def match_key(text: str) -> str:
    """`text` folded for matching, one character for one so offsets stay valid: Arabic alef, ya, ta marbuta
    and hamza carriers folded, Latin lower-cased without accents. Apply to normalize's clean text."""
    if text.isascii():
        return text.lower()
    for variant, folded in ARABIC_FOLDS.items():
        if variant in text:
            text = text.replace(variant, folded)
    if _ACCENTED_LATIN.search(text):
        text = _ACCENTED_LATIN.sub(lambda match: match.group().translate(_FOLD_TABLE), text)
    lowered = text.lower()
    # str.lower lengthens a few characters (U+0130); the table keeps those one-to-one
    return lowered if len(lowered) == len(text) else text.translate(_FOLD_TABLE)


def term_key(term: str) -> str:
    """The key of a lexicon term or query from outside the pipeline: cleaned like article text, then folded.
    Not length-preserving (cleaning removes tashkeel and tatweel); use match_key on record text."""
    return match_key(clean_fragment(term))
