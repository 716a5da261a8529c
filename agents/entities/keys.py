"""Match keys: text folded for lookup (Arabic letter variants, diacritics, digits, spaces) with offsets back.

The Arabic folds are the ones `agents.normalize.match_key` applies; unlike it, Latin letters keep their case
here, because English names are recognised by their capitals (`Nice` the city, `nice` the word).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agents.normalize.keys import ARABIC_FOLDS

# Characters removed from the match text: Arabic diacritics, superscript alef, tatweel, zero-width marks,
# and every horizontal space that follows another one (runs of spaces fold to one).
_DELETED = re.compile(r"[\u064b-\u065f\u0670\u0640\u200b-\u200f\u2060\ufeff]|(?<=[ \t\u00a0])[ \t\u00a0]")
_MARKS = re.compile(r"[\u064b-\u065f\u0670\u0640\u200b-\u200f\u2060\ufeff]")
_SPACE_RUN = re.compile(r"[ \t\u00a0][ \t\u00a0]")

_FOLDS = {
    **ARABIC_FOLDS,
    "\t": " ",
    "\u00a0": " ",
    "\u2019": "'",
    "\u2018": "'",
    "\u02bc": "'",
    **{chr(0x0660 + digit): str(digit) for digit in range(10)},
    **{chr(0x06F0 + digit): str(digit) for digit in range(10)},
}
# Replacing only the characters a text has is several times faster than translating every character.
_FOLDABLE = re.compile("[" + "".join(re.escape(char) for char in _FOLDS) + "]")


def _translate(text: str) -> str:
    for char in set(_FOLDABLE.findall(text)):
        text = text.replace(char, _FOLDS[char])
    return text


@dataclass(frozen=True, slots=True)
class Folded:
    """Text folded for matching, and where each folded character came from in the original text."""

    text: str
    origin: list[int] | None  # None when no character was removed: offsets are the same
    source: str = ""  # the text before folding

    def start(self, index: int) -> int:
        """The original offset of the folded character at `index`."""
        return index if self.origin is None else self.origin[index]

    def end(self, index: int) -> int:
        """The original offset just after the folded character at `index - 1`."""
        return index if self.origin is None else self.origin[index - 1] + 1


def fold(text: str) -> Folded:
    """`text` folded for matching; letters keep their case, so English names still need capitals."""
    if _MARKS.search(text) is None and _SPACE_RUN.search(text) is None:
        return Folded(_translate(text), None, text)
    removed = {match.start() for match in _DELETED.finditer(text)}
    origin = [index for index in range(len(text)) if index not in removed]
    kept = "".join(text[index] for index in origin)
    return Folded(_translate(kept), origin, text)


def match_key(text: str) -> str:
    """The lookup key of a name: folded as the text is, trimmed."""
    return fold(text.strip()).text
