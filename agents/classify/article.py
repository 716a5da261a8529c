"""What a classifier reads from an entity-stage record: weighted passages of words and a text to embed."""

from __future__ import annotations

from agents.classify.lexicon import Passage
from agents.classify.text import words
from pipeline.records import Record

TITLE_WEIGHT = 2.0  # a headline states the subject: its keywords count double
ENTITY_WEIGHT = 0.5  # canonical (English) entity names: cross-lingual evidence, counted lightly
_READ_KINDS = {"title", "caption", "paragraph", "subheading"}
EMBED_CHARS = 1000


def _kept_blocks(record: Record) -> list[Record]:
    blocks = record.get("blocks") or []
    return [block for block in blocks if not block.get("dropped") and block.get("kind") in _READ_KINDS]


def title_and_body(record: Record) -> tuple[str, str]:
    """The headline and the rest of the readable text (from blocks when present, else title and text)."""
    title = record.get("title") or ""
    blocks = _kept_blocks(record)
    if blocks:
        body = "\n\n".join(block["text"] for block in blocks if block.get("kind") != "title")
        titles = [block["text"] for block in blocks if block.get("kind") == "title"]
        return (titles[0] if titles and not title else title), body
    text = record.get("text") or record.get("raw") or ""
    if title and text.startswith(title):
        text = text[len(title) :]
    return title, text.strip()


def passages(record: Record) -> list[Passage]:
    """The record's words to match keywords in: headline (double weight), body, entity canonical names."""
    title, body = title_and_body(record)
    result = [Passage(words(title), TITLE_WEIGHT), Passage(words(body), 1.0)]
    names = [entity.get("canonical") or "" for entity in record.get("entities") or [] if entity.get("type") == "ORG"]
    if names:
        result.append(Passage(words(" . ".join(dict.fromkeys(names))), ENTITY_WEIGHT))
    return result


def embedding_text(record: Record, chars: int = EMBED_CHARS) -> str:
    """The headline and the start of the body: what the encoder reads (its cost grows with length)."""
    title, body = title_and_body(record)
    return f"{title}\n{body[:chars]}".strip()
