"""Article records: stable ids, JSON encoding and provenance entries."""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import orjson

Record = dict[str, Any]

RAW_SCHEMA_VERSION = 1

try:
    VERSION = version("newsflow")
except PackageNotFoundError:  # running from a source tree that was never installed
    VERSION = "0.0.0+source"


def now_iso() -> str:
    """The current UTC time as ISO 8601 with microseconds."""
    return datetime.now(UTC).isoformat()


def identity_text(raw: str) -> str:
    """The form of an article's text its id is computed from: NFC, LF line endings, trimmed."""
    return unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n")).strip()


def article_id(url: str | None, raw: str) -> str:
    """16 hex digits of SHA-256 over the source identity: the URL when known, else the content."""
    identity = f"url:{url}" if url else f"content:{identity_text(raw)}"
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()[:16]


def provenance_entry(stage: str, model: str | None = None) -> Record:
    """One provenance item: which stage, which code version, when (and which model, if any)."""
    entry: Record = {"stage": stage, "version": VERSION, "at": now_iso()}
    if model:
        entry["model"] = model
    return entry


def raw_record(
    raw: str,
    *,
    source: str,
    url: str | None = None,
    title: str | None = None,
    published_at: str | None = None,
    lang_hint: str | None = None,
    meta: Record | None = None,
    record_id: str | None = None,
) -> Record:
    """A new `articles.raw` record for an article as delivered."""
    return {
        "schema_version": RAW_SCHEMA_VERSION,
        "id": record_id or article_id(url, raw),
        "source": source,
        "url": url,
        "raw": raw,
        "title": title,
        "published_at": published_at,
        "ingested_at": now_iso(),
        "lang_hint": lang_hint,
        "meta": meta or {},
        "provenance": [provenance_entry("produce")],
    }


def dumps(record: Record) -> bytes:
    """A record as the bytes that travel on a topic."""
    return orjson.dumps(record)


def loads(data: bytes | str) -> Any:
    """Bytes from a topic back to a Python value (orjson raises JSONDecodeError on bad input)."""
    return orjson.loads(data)
