"""Offset anchors between clean text and raw: pieces of clean text that know where they came from."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

Anchor = tuple[int, int]


def to_raw(offset_map: Sequence[Sequence[int]], offset: int) -> int:
    """The raw offset of text offset `offset`: the last anchor at or before it, plus the distance to it."""
    index = bisect_right(offset_map, offset, key=lambda anchor: anchor[0]) - 1
    if index < 0:
        return offset
    text_offset, raw_offset = offset_map[index]
    return raw_offset + (offset - text_offset)


def raw_span(offset_map: Sequence[Sequence[int]], start: int, end: int) -> tuple[int, int]:
    """The raw span `text[start:end]` came from (it covers characters normalization removed inside it)."""
    raw_start = to_raw(offset_map, start)
    if end <= start:
        return raw_start, raw_start
    return raw_start, max(to_raw(offset_map, end), to_raw(offset_map, end - 1) + 1)


def add_anchor(anchors: list[Anchor], text_offset: int, raw_offset: int) -> None:
    """Append an anchor; one at the same text offset as the last is replaced (the later one wins)."""
    if anchors and anchors[-1][0] == text_offset:
        anchors[-1] = (text_offset, raw_offset)
    else:
        anchors.append((text_offset, raw_offset))


def anchor_replacement(anchors: list[Anchor], text_offset: int, old_length: int, new_length: int, raw_end: int) -> None:
    """Anchors for `old_length` raw characters ending at `raw_end` replaced by `new_length` characters of text
    at `text_offset` (nothing when the lengths are equal). Characters beyond the source's length map onto its
    last character: no span leaves it."""
    if new_length != old_length:
        for extra in range(old_length, new_length):
            add_anchor(anchors, text_offset + extra, raw_end - 1)
        add_anchor(anchors, text_offset + new_length, raw_end)


@dataclass(slots=True)
class Piece:
    """Clean text made from raw[raw_start:raw_end]; anchors are (offset in text, offset in raw), first at 0."""

    text: str
    anchors: list[Anchor]
    raw_start: int
    raw_end: int

    def to_raw(self, offset: int) -> int:
        """The raw offset of an offset in this piece's text."""
        return to_raw(self.anchors, offset)

    def slice(self, start: int, end: int) -> Piece:
        """The piece of text[start:end], with its own anchors and raw span."""
        raw_start, raw_end = raw_span(self.anchors, start, end)
        anchors: list[Anchor] = [(0, raw_start)]
        for text_offset, raw_offset in self.anchors:
            if start < text_offset <= end:
                add_anchor(anchors, text_offset - start, raw_offset)
        return Piece(self.text[start:end], anchors, raw_start, raw_end)

    def strip(self) -> Piece:
        """This piece without surrounding spaces."""
        text = self.text
        start = len(text) - len(text.lstrip())
        end = len(text.rstrip())
        return self if start == 0 and end == len(text) else self.slice(start, end)

    def join(self, other: Piece) -> Piece:
        """This piece, one space standing for the line break between, then `other` (a wrapped line)."""
        shift = len(self.text) + 1
        anchors = list(self.anchors)
        add_anchor(anchors, len(self.text), self.raw_end)
        for text_offset, raw_offset in other.anchors:
            add_anchor(anchors, text_offset + shift, raw_offset)
        return Piece(f"{self.text} {other.text}", anchors, self.raw_start, other.raw_end)
