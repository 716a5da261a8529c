"""Raw text to units: clean lines with their raw spans, wrapped lines joined, the size cap applied."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agents.normalize import chars
from agents.normalize.classify import ends_sentence
from agents.normalize.clean import clean_line
from agents.normalize.langid import Letters
from agents.normalize.offsets import Piece

_LINE = re.compile(f"[^{re.escape(chars.LINE_BREAKS)}]+")
_BREAK = re.compile(f"\r\n|[{re.escape(chars.LINE_BREAKS)}]")
WRAPPED_LINE_MIN_CHARS = 50
NO_LETTERS = Letters(0, 0, 0)


@dataclass(slots=True)
class Unit:
    """A line (or wrapped lines joined) on its way to becoming a block."""

    piece: Piece
    blank_before: bool
    kind: str = "paragraph"
    reason: str | None = None
    lang: str | None = None
    letters: Letters = field(default=NO_LETTERS)

    @property
    def text(self) -> str:
        """The clean text."""
        return self.piece.text

    @property
    def dropped(self) -> bool:
        """Whether the unit is an artefact kept out of the clean text."""
        return self.reason is not None

    def drop(self, reason: str) -> None:
        """Mark the unit as an artefact, with the reason."""
        self.kind = "artefact"
        self.reason = reason


def split_units(raw: str, max_chars: int) -> tuple[list[Unit], bool]:
    """Every non-blank raw line as a unit of clean text, stopping before the clean text would pass
    `max_chars` (a line longer than the cap by itself is cut at a space); True when something was cut."""
    units: list[Unit] = []
    size = 0
    previous_end = 0
    for match in _LINE.finditer(raw):
        line = match.group()
        stripped = line.strip()
        if not stripped:
            continue
        start = match.start() + len(line) - len(line.lstrip())
        blank_before = start - previous_end > 1 and len(_BREAK.findall(raw, previous_end, start)) >= 2
        previous_end = start + len(stripped)
        piece = clean_line(stripped, start)
        if size + len(piece.text) > max_chars:
            if size == 0:
                units.append(Unit(_cut(piece, max_chars), blank_before))
            return units, True
        size += len(piece.text) + 2
        units.append(Unit(piece, blank_before))
    return units, False


def _cut(piece: Piece, max_chars: int) -> Piece:
    space = piece.text.rfind(" ", 0, max_chars + 1)
    return piece.slice(0, space if space > 0 else max_chars).strip()


def join_wrapped(units: list[Unit]) -> list[Unit]:
    """Units with hard-wrapped lines joined: a long line that stops mid-sentence continues on the next line
    of the same script (never the first line: it is the title candidate, nor across a blank line)."""
    joined: list[Unit] = []
    for unit in units:
        previous = joined[-1] if len(joined) > 1 else None
        if (
            previous is not None
            and not unit.blank_before
            and not unit.dropped
            and not previous.dropped
            and len(previous.text) >= WRAPPED_LINE_MIN_CHARS
            and not ends_sentence(previous.text)
            and previous.letters.script == unit.letters.script
        ):
            previous.piece = previous.piece.join(unit.piece)
            previous.letters = Letters(
                previous.letters.arabic + unit.letters.arabic,
                previous.letters.latin + unit.letters.latin,
                previous.letters.other + unit.letters.other,
            )
        else:
            joined.append(unit)
    return joined
