"""Where every source's candidates meet: decide against the seen-store, publish, remember, count."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Literal

from pipeline.ingest.articles import Candidate, to_record
from pipeline.ingest.counters import Counters
from pipeline.ingest.dedupe import Known, article_key, content_hash, decide
from pipeline.ingest.publisher import NotDelivered, RecordSink, Unpublishable
from pipeline.ingest.store import SeenStore

log = logging.getLogger("newsflow.ingest")


@dataclass(frozen=True)
class Outcome:
    """What became of a candidate: `published` (new or revision), `duplicate`, or `failed` (not published)."""

    status: Literal["published", "duplicate", "failed"]
    record_id: str | None
    revision: int = 0
    reason: str | None = None


class Engine:
    """Decides and publishes candidates; only one candidate per article key or content is decided at a time,
    so two feeds carrying the same article at once still publish it once."""

    def __init__(self, store: SeenStore, publisher: RecordSink, counters: Counters):
        self.store = store
        self.publisher = publisher
        self.counters = counters
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}
        self._publishing: set[asyncio.Task[None]] = set()

    async def submit(self, candidate: Candidate) -> Outcome:
        """Publish the candidate unless its content was published before; record what happened."""
        digest = content_hash(candidate.raw)
        key = article_key(candidate.url, digest)
        self.counters.add(candidate.source, "fetched")
        async with self._holding(f"key:{key}"), self._holding(f"content:{digest}"):
            same = self.store.with_content(digest)
            decision = decide(candidate.url, candidate.raw, digest, self.store.latest(key), same)
            if same is not None:
                self._remember_links(candidate, same.key)
                self.counters.add(candidate.source, "duplicates")
                return Outcome("duplicate", decision.record_id, decision.revision)
            record = to_record(candidate, decision, digest)
            known = Known(key, decision.revision, decision.record_id, digest)
            # Shielded: once sent, a shutdown must not cancel us between the broker's ack and the store's write.
            task = asyncio.create_task(self._publish_and_remember(record, known, candidate))
            self._publishing.add(task)
            task.add_done_callback(self._publishing.discard)
            try:
                await asyncio.shield(task)
            except (Unpublishable, NotDelivered) as error:
                kind = "invalid" if isinstance(error, Unpublishable) else "kafka"
                self.counters.error(candidate.source, kind)
                log.warning("%s: %s: not published: %s", candidate.source, candidate.url or key, error)
                return Outcome("failed", decision.record_id, decision.revision, str(error))
        return Outcome("published", decision.record_id, decision.revision)

    async def drain(self) -> None:
        """Wait for every publish already sent (used at shutdown, after the sources stopped)."""
        if self._publishing:
            await asyncio.gather(*self._publishing, return_exceptions=True)

    async def _publish_and_remember(self, record: dict[str, object], known: Known, candidate: Candidate) -> None:
        await self.publisher.publish(record)
        self.store.record_published(known, candidate.source)
        self._remember_links(candidate, known.key)
        self.counters.add(candidate.source, "published")
        if known.revision > 1:
            self.counters.add(candidate.source, "revisions")

    def _remember_links(self, candidate: Candidate, key: str) -> None:
        for link in candidate.links:
            self.store.remember_link(link, key, candidate.fingerprint)

    @asynccontextmanager
    async def _holding(self, name: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(name, asyncio.Lock())
        self._users[name] = self._users.get(name, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._users[name] -= 1
            if not self._users[name]:
                del self._users[name], self._locks[name]
