"""One feed, polled: conditional GET, its entries' pages fetched and extracted, each entry handed to the engine."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from pipeline.ingest.articles import Candidate
from pipeline.ingest.attempts import Attempts
from pipeline.ingest.backoff import backoff_delay
from pipeline.ingest.config import FeedSettings, RetryOptions
from pipeline.ingest.counters import Counters
from pipeline.ingest.engine import Engine
from pipeline.ingest.extract import NoArticle, paragraphs_of_fragment
from pipeline.ingest.feeds import FeedEntry, MalformedFeed, ParsedFeed, parse_feed
from pipeline.ingest.fetch import Fetcher, FetchError
from pipeline.ingest.pages import fetch_page
from pipeline.ingest.store import SeenStore
from pipeline.ingest.urls import InvalidURL, canonical_url

log = logging.getLogger("newsflow.ingest")
FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"


@dataclass
class Services:
    """What every source works with."""

    engine: Engine
    fetcher: Fetcher
    store: SeenStore
    counters: Counters
    retry: RetryOptions
    attempts: Attempts


class FeedPoller:
    """Polls one feed; `poll()` returns how long to wait before the next poll (longer after failures)."""

    def __init__(self, feed: FeedSettings, services: Services):
        self.feed = feed
        self.services = services
        self.source = f"feed:{feed.name}"
        self.failures = 0

    async def poll(self) -> float:
        """One poll of the feed and of every new or changed entry in it."""
        services = self.services
        services.counters.add(self.source, "polls")
        try:
            fetched = await services.fetcher.fetch(
                self.feed.url, services.store.validators(self.feed.url), accept=FEED_ACCEPT
            )
            if fetched.not_modified:
                services.counters.add(self.source, "not_modified")
                return self._succeeded()
            parsed = parse_feed(fetched.body, fetched.url, fetched.content_type)
        except FetchError as error:
            return self._failed(error.kind, str(error), error.retry_after)
        except MalformedFeed as error:
            return self._failed("malformed_feed", f"{self.feed.url}: {error}", None)
        if parsed.warning:
            log.warning("%s: %s", self.source, parsed.warning)
        handled = await asyncio.gather(*(self._entry(parsed, entry) for entry in parsed.entries))
        if all(handled):
            # Only now: a 304 next time must not hide an entry that still has to be retried.
            services.store.remember_validators(self.feed.url, fetched.validators)
        return self._succeeded()

    def _succeeded(self) -> float:
        self.failures = 0
        self.services.counters.succeeded(self.source)
        return self.feed.interval

    def _failed(self, kind: str, message: str, retry_after: float | None) -> float:
        self.failures += 1
        self.services.counters.error(self.source, kind)
        retry = self.services.retry
        delay = backoff_delay(self.failures, retry.base, retry.max, retry_after)
        log.warning("%s: %s (failure %d in a row; next poll in %.1fs)", self.source, message, self.failures, delay)
        return delay

    async def _entry(self, parsed: ParsedFeed, entry: FeedEntry) -> bool:
        """Handle one entry; False when it failed and should be retried on a later poll."""
        services = self.services
        label = entry.link or entry.entry_id or entry.title or "(an entry without link, id or title)"
        try:
            return await self._handle(parsed, entry)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # a bug must cost one entry, never the ingester
            services.counters.error(self.source, "internal")
            log.exception("%s: %s: unexpected error: %s", self.source, label, error)
            return False

    async def _handle(self, parsed: ParsedFeed, entry: FeedEntry) -> bool:
        services = self.services
        fingerprint = entry.fingerprint()
        link: str | None = None
        if entry.link:
            try:
                link = canonical_url(entry.link, self.feed.strip_params)
            except InvalidURL as error:
                services.counters.error(self.source, "bad_url")
                log.warning("%s: entry %r: %s", self.source, entry.title, error)
                return True
        seen = services.store.link(link) if link else None
        if seen is not None and seen[1] == fingerprint and not self.feed.recheck_pages:
            services.counters.add(self.source, "unchanged")
            return True
        item = f"{link or entry.entry_id or entry.title} {fingerprint}"
        status = services.attempts.status(item)
        if status != "try":
            return status == "gave_up"
        try:
            candidate = await self._candidate(parsed, entry, link, fingerprint, seen is not None)
        except (FetchError, NoArticle) as error:
            kind = error.kind if isinstance(error, FetchError) else "no_article"
            services.counters.error(self.source, kind)
            where = "" if isinstance(error, FetchError) else f"{entry.link or entry.title}: "
            retry_after = error.retry_after if isinstance(error, FetchError) else None
            note = services.attempts.failed(item, str(error), retry_after)
            log.warning("%s: %s%s (%s)", self.source, where, error, note)
            return False
        if candidate is None:  # the page answered 304 to a recheck
            services.counters.add(self.source, "unchanged")
            return True
        outcome = await services.engine.submit(candidate)
        if outcome.status == "failed":
            return False
        services.attempts.succeeded(item)
        return True

    async def _candidate(
        self, parsed: ParsedFeed, entry: FeedEntry, link: str | None, fingerprint: str, known: bool
    ) -> Candidate | None:
        feed = self.feed
        meta: dict[str, object] = {
            "feed": feed.name,
            "feed_url": feed.url,
            "entry_id": entry.entry_id,
            "link": entry.link,
            "author": entry.author,
        }
        declared = entry.language or parsed.language
        published = entry.published or entry.updated
        if not feed.fetch_pages or not entry.link:
            body = entry.content or entry.summary
            paragraphs = paragraphs_of_fragment(body) if body else []
            if sum(map(len, paragraphs)) < feed.min_chars:
                raise NoArticle(
                    f"entry {entry.title or entry.entry_id!r} has no link to fetch and too little text in the feed"
                    if feed.fetch_pages
                    else f"entry {entry.link or entry.title!r}: too little text in the feed"
                )
            raw = "\n\n".join([*([entry.title] if entry.title else []), *paragraphs])
            meta["text_from"] = "feed"
            links: tuple[str, ...] = (link,) if link else ()
            language = feed.language or declared
            return Candidate(
                self.source, raw, link, entry.title, published, language, _present(meta), links, fingerprint
            )
        assert link is not None
        validators = self.services.store.validators(link) if feed.recheck_pages and known else None
        page = await fetch_page(self.services.fetcher, entry.link, feed.min_chars, feed.strip_params, validators)
        if page is None:
            return None
        if feed.recheck_pages:
            self.services.store.remember_validators(link, page.fetched.validators)
        article = page.article
        title = entry.title or article.title
        meta.update(
            {
                "author": entry.author or article.author,
                "captions": article.captions,
                "text_from": "page",
                "encoding": page.encoding,
            }
        )
        if page.decode_errors:
            meta["decode_errors"] = True
        links = tuple(dict.fromkeys((link, page.url)))
        return Candidate(
            self.source,
            article.raw(title),
            page.url,
            title,
            published or article.date,
            feed.language or article.language or declared,
            _present(meta),
            links,
            fingerprint,
        )


def _present(meta: dict[str, object]) -> dict[str, object]:
    return {key: value for key, value in meta.items() if value not in (None, [])}
