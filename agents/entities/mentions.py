"""A candidate entity mention, before overlaps between recognisers are resolved."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(slots=True)
class Mention:
    """One span a recogniser proposes; offsets are in the record's `text`."""

    start: int
    end: int
    type: str
    canonical: str
    id: str | None
    lang: str
    confidence: float
    method: str
    # Among overlapping candidates the longer wins; on equal length the higher priority wins.
    priority: int = 0

    def as_entity(self, text: str) -> dict[str, Any]:
        """The entity as it goes on the record."""
        return {
            "type": self.type,
            "text": text[self.start : self.end],
            "start": self.start,
            "end": self.end,
            "canonical": self.canonical,
            "lang": self.lang,
            "id": self.id,
            "confidence": round(self.confidence, 3),
            "method": self.method,
        }


def resolve_overlaps(mentions: list[Mention]) -> list[Mention]:
    """Keep the longest (then highest-priority, then leftmost) candidates that do not overlap, by start."""
    ranked = sorted(mentions, key=lambda m: (-(m.end - m.start), -m.priority, m.start))
    taken: list[Mention] = []
    occupied = bytearray(max((m.end for m in mentions), default=0))
    for mention in ranked:
        if occupied.find(1, mention.start, mention.end) != -1:
            continue
        taken.append(mention)
        occupied[mention.start : mention.end] = b"\x01" * (mention.end - mention.start)
    taken.sort(key=lambda m: m.start)
    return taken
