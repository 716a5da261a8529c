"""The normalize transform: an `articles.raw` record to an `articles.normalized` one (pure, no I/O)."""

from __future__ import annotations

import re
from typing import Any

from agents.normalize import fingerprint, structure
from agents.normalize.clean import clean_fragment
from agents.normalize.segment import Unit, join_wrapped, split_units
from agents.stage import Rejected
from pipeline.records import Record

DEFAULT_MAX_CHARS = 200_000
BINARY_SAMPLE_CHARS = 4096
MAX_BINARY_SHARE = 0.05
MAX_UNDECODABLE_SHARE = 0.25
_BINARY = re.compile("[\x00-\x08\x0e-\x1a\x7f]")
BLOCK_SEPARATOR = "\n\n"


def normalize(record: Record, *, max_chars: int = DEFAULT_MAX_CHARS) -> Record:
    """A new record: `record`'s fields unchanged plus title, text, blocks, languages, offset map and metadata.

    Raises Rejected("rejected" | "decode" | "empty", why) for binary content, text that is mostly undecodable,
    or nothing left to read after cleaning. Clean text longer than `max_chars` is cut at a block boundary
    and flagged `truncated`."""
    raw: str = record["raw"]
    _refuse_unreadable(raw)
    units, truncated = split_units(raw, max_chars)
    structure.mark_artefacts(units, raw)
    structure.count_letters(units)
    units = join_wrapped(units)
    content = [unit for unit in units if not unit.dropped]
    if not content:
        reasons = sorted({unit.reason or "" for unit in units})
        detail = f"every line was an artefact ({', '.join(reasons)})" if units else "the article is blank"
        raise Rejected("empty", f"no text left after cleaning: {detail}")
    structure.identify_languages(content)
    title = structure.mark_title(content, record.get("title"))
    structure.mark_furniture(content, title)
    language, languages = structure.article_languages(content)
    structure.mark_body_roles(content, language)
    units = structure.split_dateline(units)

    flags = []
    if "\ufffd" in raw or (record.get("meta") or {}).get("decode_errors"):
        flags.append("invalid_utf8")
    if truncated:
        flags.append("truncated")
    if title is None:
        flags.append("untitled")
    return {
        **record,
        **_assemble(units, raw),
        "language": language,
        "languages": languages,
        "flags": flags,
        "title": title.text if title else clean_fragment(record.get("title") or ""),
    }


def _assemble(units: list[Unit], raw: str) -> dict[str, Any]:
    """Blocks, clean text, offset map and the metadata computed from them."""
    blocks: list[dict[str, Any]] = []
    texts: list[str] = []
    offset_map: list[list[int]] = []
    length = 0
    words_by_language: dict[str | None, int] = {}
    for unit in units:
        piece = unit.piece
        block: dict[str, Any] = {
            "kind": unit.kind,
            "text": unit.text,
            "lang": unit.lang,
            "start": None,
            "end": None,
            "raw_start": piece.raw_start,
            "raw_end": piece.raw_end,
            "dropped": unit.dropped,
            "reason": unit.reason,
        }
        if unit.dropped:
            block["text"] = raw[piece.raw_start : piece.raw_end]
            block["lang"] = None
        else:
            if texts:
                length += len(BLOCK_SEPARATOR)
            # the separator keeps blocks' anchors apart, so no two share a text offset
            offset_map.extend([length + text_offset, raw_offset] for text_offset, raw_offset in piece.anchors)
            block["start"], block["end"] = length, length + len(unit.text)
            length += len(unit.text)
            texts.append(unit.text)
            words = fingerprint.word_count(unit.text)
            words_by_language[unit.lang] = words_by_language.get(unit.lang, 0) + words
        blocks.append(block)
    text = BLOCK_SEPARATOR.join(texts)
    body = BLOCK_SEPARATOR.join(
        unit.text for unit in units if unit.kind in ("paragraph", "subheading") and not unit.dropped
    )
    return {
        "text": text,
        "blocks": blocks,
        "offset_map": offset_map,
        "word_count": sum(words_by_language.values()),
        "reading_time_s": fingerprint.reading_seconds(words_by_language),
        "content_hash": fingerprint.content_hash(text),
        "simhash": fingerprint.simhash(body or text),
    }


def _refuse_unreadable(raw: str) -> None:
    """Reject binary junk and text that was mostly undecodable bytes."""
    sample = raw[:BINARY_SAMPLE_CHARS]
    if not sample:
        return
    binary = len(_BINARY.findall(sample)) / len(sample)
    if binary > MAX_BINARY_SHARE:
        raise Rejected(
            "rejected",
            f"binary content, not text: {binary:.0%} of the first {len(sample)} characters are control codes",
        )
    undecodable = sample.count("\ufffd") / len(sample)
    if undecodable > MAX_UNDECODABLE_SHARE:
        raise Rejected(
            "decode",
            f"{undecodable:.0%} of the first {len(sample)} characters could not be decoded as UTF-8 "
            "(a different encoding?)",
        )
