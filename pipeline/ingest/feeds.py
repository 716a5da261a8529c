"""RSS 2.0 and Atom documents to entries (feedparser, fed bytes we fetched: it never touches the network here)."""

from __future__ import annotations

import calendar
import hashlib
import io
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import feedparser


class MalformedFeed(ValueError):
    """A document that is not a feed, or too broken for any entry to be read."""


@dataclass(frozen=True)
class FeedEntry:
    """One item of a feed, fields as the feed gives them (any may be missing)."""

    link: str | None
    entry_id: str | None
    title: str | None
    published: str | None
    updated: str | None
    author: str | None
    summary: str | None
    content: str | None
    language: str | None

    @property
    def empty(self) -> bool:
        """Nothing to go on (what feedparser salvages from a broken item can be this)."""
        return not (self.link or self.entry_id or self.title or self.summary or self.content)

    def fingerprint(self) -> str:
        """A hash of what the feed says about the entry: a new value means the entry changed in the feed."""
        parts = (self.link, self.title, self.published, self.updated, self.summary, self.content)
        return hashlib.sha256("\x1f".join(part or "" for part in parts).encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class ParsedFeed:
    """A feed's entries, its language if declared, and a warning when feedparser had to recover from errors."""

    title: str | None
    language: str | None
    entries: list[FeedEntry]
    warning: str | None = None


def _iso(parsed: time.struct_time | None) -> str | None:
    if not parsed:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), UTC).isoformat()


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _entry(item: Any, feed_language: str | None) -> FeedEntry:
    contents = item.get("content") or []
    content = next((_text(part.get("value")) for part in contents if _text(part.get("value"))), None)
    language = next((part.get("language") for part in contents if part.get("language")), None)
    return FeedEntry(
        link=_text(item.get("link")),
        entry_id=_text(item.get("id")),
        title=_text(item.get("title")),
        # dict.get: feedparser's own get() maps a missing updated_parsed to published_parsed, with a warning.
        published=_iso(dict.get(item, "published_parsed")),
        updated=_iso(dict.get(item, "updated_parsed")),
        author=_text(item.get("author")),
        summary=_text(item.get("summary")),
        content=content,
        language=language or feed_language,
    )


def parse_feed(body: bytes, url: str, content_type: str | None = None) -> ParsedFeed:
    """A feed's entries; raises MalformedFeed when the document is not a feed or no entry survives."""
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(io.BytesIO(body), response_headers=headers)
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    # feedparser reports a mere content-type/encoding disagreement as bozo; that is no reason to complain.
    if isinstance(problem, feedparser.CharacterEncodingOverride | feedparser.NonXMLContentType):
        problem = None
    feed = parsed.get("feed", {})
    language = _text(feed.get("language"))
    entries = [entry for entry in (_entry(item, language) for item in parsed.entries) if not entry.empty]
    if not entries:
        if problem is not None:
            raise MalformedFeed(f"malformed feed: {type(problem).__name__}: {problem}")
        if not parsed.get("version"):
            raise MalformedFeed("not an RSS or Atom feed")
    return ParsedFeed(
        title=_text(feed.get("title")),
        language=language,
        entries=entries,
        warning=None if problem is None else f"recovered from a malformed feed: {problem}",
    )
