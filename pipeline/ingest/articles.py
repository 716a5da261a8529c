"""Candidates: an article as a source delivered it, before the seen-store decides; and the record it becomes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipeline.ingest.dedupe import Decision
from pipeline.ingest.urls import InvalidURL, canonical_url
from pipeline.records import Record, raw_record


@dataclass(frozen=True)
class Candidate:
    """An article from any source. `url` is canonical (or None); `links` are other canonical URLs that led here
    (the feed's link before redirects), remembered with `fingerprint` so an unchanged entry is not refetched."""

    source: str
    raw: str
    url: str | None = None
    title: str | None = None
    published_at: str | None = None
    lang_hint: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    links: tuple[str, ...] = ()
    fingerprint: str | None = None


def two_letter(language: str | None) -> str | None:
    """`ar`, `en-US`, `EN_gb` → a lowercase ISO 639-1 code; anything else → None (the schema wants ^[a-z]{2}$)."""
    if not language:
        return None
    head = language.strip().replace("_", "-").split("-", 1)[0].lower()
    return head if len(head) == 2 and head.isascii() and head.isalpha() else None


def to_record(candidate: Candidate, decision: Decision, digest: str) -> Record:
    """The `articles.raw` record of a candidate the seen-store decided to publish."""
    meta: dict[str, Any] = {**candidate.meta, "content_hash": digest, "revision": decision.revision}
    if candidate.url:
        meta["canonical_url"] = candidate.url
    if decision.revision_of:
        meta["revision_of"] = decision.revision_of
    return raw_record(
        candidate.raw,
        source=candidate.source,
        url=candidate.url,
        title=candidate.title,
        published_at=candidate.published_at,
        lang_hint=two_letter(candidate.lang_hint),
        meta=meta,
        record_id=decision.record_id,
    )


def from_record(record: Record, strip: frozenset[str] = frozenset()) -> Candidate:
    """A candidate from a record that `pipeline.sources` read from a file or a JSON line."""
    meta = dict(record.get("meta") or {})
    given = record.get("url")
    url = None
    if given:
        try:
            url = canonical_url(given, strip)
        except InvalidURL:
            meta["url_given"] = given  # kept for people; an unusable URL cannot identify the article
    return Candidate(
        source=record["source"],
        raw=record["raw"],
        url=url,
        title=record.get("title"),
        published_at=record.get("published_at"),
        lang_hint=record.get("lang_hint"),
        meta=meta,
    )
