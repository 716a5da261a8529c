"""Unicode cleaning of one line of raw text, recording anchors wherever the length changes."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable

from agents.normalize import chars
from agents.normalize.offsets import Anchor, Piece, anchor_replacement

_INLINE_TAGS = (
    "a abbr b bdi bdo big cite code del dfn em font i img ins kbd mark q s samp small span strike strong "
    "sub sup time tt u var wbr"
)
_BLOCK_TAGS = (
    "address article aside blockquote br caption center dd div dl dt figcaption figure footer form h1 h2 h3 "
    "h4 h5 h6 header hr iframe li main nav ol p pre section table tbody td tfoot th thead tr ul"
)
_OTHER_TAGS = "body button head html input label link meta noscript option picture script select source style"
_TAG_NAMES = "|".join(sorted({*_INLINE_TAGS.split(), *_BLOCK_TAGS.split(), *_OTHER_TAGS.split()}, key=len)[::-1])
TAG = rf"<(?:/?(?:{_TAG_NAMES})(?![\w-])[^<>]{{0,500}}|!--[^<>]{{0,2000}}?--)>"
_SPACING_ENTITY = r"&(?:nbsp|ensp|emsp|thinsp|#160|#[xX][aA]0|#32|#[xX]20);"
_INVISIBLE_ENTITY = r"&(?:zwnj|zwj|lrm|rlm|shy|#173|#8203|#[xX]200[bBcCdDeEfF]);"
ENTITY = r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"


def _bmp(points: set[int] | dict[int, str]) -> str:
    """A class body of the points below U+10000: with astral members sre tests ranges one by one."""
    return chars.char_class(point for point in points if point <= 0xFFFF)


_GAP_ITEM = rf"[{_bmp(chars.GAP_CHARS)}]|{TAG}|{_SPACING_ENTITY}|{_INVISIBLE_ENTITY}"
# Tried where TRIGGER (or a double space) fired; one alternative per kind of change, the group picks the fix.
CHANGE = re.compile(
    rf"(?P<gap>(?:{_GAP_ITEM}| {{2}})(?: |{_GAP_ITEM})*)"
    rf"|(?P<entity>{ENTITY})"
    rf"|(?P<digits>[{_bmp(chars.DIGIT_TABLE)}]+)"
    rf"|(?P<forms>[{_bmp(chars.PRESENTATION_FORMS)}]+)"
    rf"|(?P<marks>[{_bmp(chars.COMPOSING_MARKS)}]+)"
    rf"|(?P<singleton>[{_bmp(chars.NFC_SINGLETONS)}])"
)
_TRIGGER_POINTS = (
    chars.GAP_CHARS
    | set(chars.DIGIT_TABLE)
    | chars.PRESENTATION_FORMS
    | chars.COMPOSING_MARKS
    | chars.NFC_SINGLETONS
    | {ord("<"), ord("&")}
)
# A single character class, so the regex engine scans for it in C: where a change may start.
TRIGGER = re.compile(f"[{_bmp(_TRIGGER_POINTS)}]")
# Characters beyond the BMP that need cleaning (rare) send their line down the per-character path.
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_ASTRAL_TRIGGER = re.compile(f"[{chars.char_class(p for p in _TRIGGER_POINTS if p > 0xFFFF)}]")


def _has_astral_trigger(text: str) -> bool:
    """Whether text has a character beyond the BMP that cleaning changes (tested only if it has any)."""
    return not text.isascii() and _ASTRAL.search(text) is not None and _ASTRAL_TRIGGER.search(text) is not None


_SPACING = re.compile(
    rf"[{chars.char_class(chars.GAP_SPACES)}]|<(?:{_BLOCK_TAGS.replace(' ', '|')})\b|{_SPACING_ENTITY}"
)
_MARKUP = re.compile(rf"{TAG}|{ENTITY}")


def _gap(fragment: str, at_edge: bool) -> str:
    return "" if at_edge or not _SPACING.search(fragment) else " "


def _entity(fragment: str, at_edge: bool) -> str:
    decoded = html.unescape(fragment)
    return fragment if decoded == fragment else clean_fragment(decoded)


def _digits(fragment: str, at_edge: bool) -> str:
    return fragment.translate(chars.DIGIT_TABLE)


def _forms(fragment: str, at_edge: bool) -> str:
    return clean_fragment(unicodedata.normalize("NFKC", fragment))


def _nfc(fragment: str, at_edge: bool) -> str:
    return unicodedata.normalize("NFC", fragment).translate(chars.DELETE_TABLE)


_REPLACE: dict[str, Callable[[str, bool], str]] = {
    "gap": _gap,
    "entity": _entity,
    "digits": _digits,
    "forms": _forms,
    "marks": _nfc,
    "singleton": _nfc,
}


def clean_fragment(text: str) -> str:
    """A short string cleaned without offsets (decoded entities, presentation forms, hints, lexicon terms)."""
    text = unicodedata.normalize("NFC", unicodedata.normalize("NFKC", text) if TRIGGER.search(text) else text)
    return " ".join(text.translate(chars.FRAGMENT_TABLE).split())


def has_markup(text: str) -> bool:
    """Whether a string contains an HTML tag or entity."""
    return _MARKUP.search(text) is not None


def clean_line(line: str, raw_start: int) -> Piece:
    """The clean text of one raw line (no line breaks inside) that starts at `raw_start` in raw."""
    raw_end = raw_start + len(line)
    trigger = TRIGGER.search(line)
    double_space = line.find("  ")
    if trigger is None and double_space < 0:
        if not _has_astral_trigger(line):
            return Piece(line, [(0, raw_start)], raw_start, raw_end)
        return _clean_by_character(line, raw_start)
    parts: list[str] = []
    anchors: list[Anchor] = [(0, raw_start)]
    length = 0  # of the clean text so far
    position = 0  # in line, up to which input is consumed
    while trigger is not None or double_space >= 0:
        at = trigger.start() if trigger is not None else len(line)
        if 0 <= double_space < at:
            at = double_space
        match = CHANGE.match(line, at)
        end = match.end() if match else at + 1
        if match is not None:
            kind = match.lastgroup or ""
            start = at
            if kind == "gap":
                while start > position and line[start - 1] == " ":
                    start -= 1
            elif kind == "marks" and start > position and not line[start - 1].isspace():
                start -= 1  # a mark composes with the character before it
            fragment = line[start:end]
            replacement = _REPLACE[kind](fragment, start == 0 or end == len(line))
            if replacement != fragment:
                if start > position:
                    parts.append(line[position:start])
                    length += start - position
                parts.append(replacement)
                anchor_replacement(anchors, length, len(fragment), len(replacement), raw_start + end)
                length += len(replacement)
                position = end
        trigger = TRIGGER.search(line, end)
        double_space = line.find("  ", end)
    if position == 0:
        text = line
    else:
        parts.append(line[position:])
        text = "".join(parts)
    if not unicodedata.is_normalized("NFC", text) or _has_astral_trigger(text):
        return _clean_by_character(line, raw_start)
    return Piece(text, anchors, raw_start, raw_end)


def _clean_by_character(line: str, raw_start: int) -> Piece:
    """The slow path for marks interleaved with deletions: clean each base character with its marks."""
    pieces = []
    start = 0
    for index in range(1, len(line) + 1):
        if index == len(line) or not unicodedata.category(line[index]).startswith("M"):
            pieces.append((start, index))
            start = index
    parts: list[str] = []
    anchors: list[Anchor] = [(0, raw_start)]
    length = 0
    for start, end in pieces:
        fragment = line[start:end]
        replacement = clean_fragment(fragment) if fragment != " " else " "
        if parts and parts[-1].endswith(" ") and replacement.startswith(" "):
            replacement = replacement[1:]
        anchor_replacement(anchors, length, len(fragment), len(replacement), raw_start + end)
        parts.append(replacement)
        length += len(replacement)
    stripped = Piece("".join(parts), anchors, raw_start, raw_start + len(line)).strip()
    # the piece still spans the whole raw line, as the fast path's does, whatever cleaning removed at its edges
    return Piece(stripped.text, stripped.anchors, raw_start, raw_start + len(line))
