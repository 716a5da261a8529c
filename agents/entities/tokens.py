"""Words of folded text with their offsets, read in small windows, and which words gazetteer hits cover."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice

from agents.entities.gazetteer import Hit

_WORD = re.compile(r"[\u0621-\u064a]+|[A-Za-z][A-Za-z'\-.]*[A-Za-z.]|[A-Za-z]|\d+|\S")
_ARABIC_LETTER = re.compile(r"[\u0621-\u064a]")


@dataclass(slots=True)  # not frozen: frozen dataclasses are four times slower to create
class Token:
    """One word or punctuation mark of folded text."""

    start: int
    end: int
    text: str
    is_arabic: bool


def tokenize(text: str, start: int = 0, limit: int | None = None) -> list[Token]:
    """Words, numbers and punctuation marks of `text` from offset `start`, at most `limit` of them."""
    return [
        Token(match.start(), match.end(), word, "\u0621" <= word[0] <= "\u064a")
        for match in islice(_WORD.finditer(text, start), limit)
        for word in (match.group(),)
    ]


class HitIndex:
    """Gazetteer hits by the start of the word they begin in (a clitic before a name included)."""

    def __init__(self, text: str, hits: list[Hit]) -> None:
        self._by_word_start: dict[int, Hit] = {}
        for hit in hits:
            word_start = hit.start
            while word_start > 0 and word_start > hit.start - 3 and _ARABIC_LETTER.match(text, word_start - 1):
                word_start -= 1
            known = self._by_word_start.get(word_start)
            if known is None or hit.end - hit.start > known.end - known.start:
                self._by_word_start[word_start] = hit

    def starting_at(self, word_start: int) -> Hit | None:
        """The longest hit that begins in the word starting at `word_start`."""
        return self._by_word_start.get(word_start)


class Coverage:
    """For the tokens of one window: the hit starting in a token and the index of the token it ends in."""

    def __init__(self, tokens: list[Token], index: HitIndex) -> None:
        self._tokens = tokens
        self._index = index

    def at(self, position: int) -> tuple[Hit, int] | None:
        """The longest hit starting in token `position`, and the index of the token it ends in."""
        if position >= len(self._tokens):
            return None
        hit = self._index.starting_at(self._tokens[position].start)
        if hit is None:
            return None
        last = position
        while last + 1 < len(self._tokens) and self._tokens[last].end < hit.end:
            last += 1
        return hit, last
