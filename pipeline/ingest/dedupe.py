"""The exactly-once rule: content hashes, and whether a candidate is new, a revision, or a duplicate."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from pipeline.records import article_id, identity_text

SPACES = re.compile(r"\s+")
CONTENT_KEY_PREFIX = "content:"


def content_hash(raw: str) -> str:
    """SHA-256 hex of the article text with Unicode (NFC) and whitespace differences removed."""
    return hashlib.sha256(SPACES.sub(" ", identity_text(raw)).encode("utf-8")).hexdigest()


def article_key(url: str | None, digest: str) -> str:
    """What the seen-store files an article under: its canonical URL, else its content hash."""
    return url or f"{CONTENT_KEY_PREFIX}{digest}"


def revision_id(url: str | None, raw: str, revision: int) -> str:
    """The record id of an article's nth revision.

    Revision 1 keeps the id every other producer gives the same URL (`article_id`); later revisions hash the
    URL with a `#revision-N` fragment, which no canonical URL has, so ids never collide with real URLs."""
    if revision <= 1 or url is None:
        return article_id(url, raw)
    return article_id(f"{url}#revision-{revision}", raw)


@dataclass(frozen=True)
class Known:
    """What the seen-store holds about an article: its latest revision, that revision's id and content hash."""

    key: str
    revision: int
    record_id: str
    content_hash: str


@dataclass(frozen=True)
class Decision:
    """Publish (`duplicate_of` None) as revision `revision` under `record_id`, or skip as a duplicate."""

    record_id: str
    revision: int
    revision_of: str | None = None
    duplicate_of: str | None = None

    @property
    def publish(self) -> bool:
        return self.duplicate_of is None


def decide(url: str | None, raw: str, digest: str, latest: Known | None, same_content: Known | None) -> Decision:
    """New article, new revision of a known URL, or duplicate (this exact content was published before,
    under this URL or another: overlapping feeds, re-posts, an edit that was reverted)."""
    if same_content is not None:
        return Decision(same_content.record_id, same_content.revision, duplicate_of=same_content.record_id)
    if latest is None:
        return Decision(revision_id(url, raw, 1), 1)
    revision = latest.revision + 1
    return Decision(revision_id(url, raw, revision), revision, revision_of=latest.record_id)
