"""Standard input: one JSON article per line (text fields as `newsflow produce` reads them), or a URL to fetch."""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import BinaryIO

import orjson

from pipeline.ingest.articles import Candidate, from_record
from pipeline.ingest.config import MIN_ARTICLE_CHARS
from pipeline.ingest.extract import NoArticle
from pipeline.ingest.feedpoll import Services
from pipeline.ingest.fetch import FetchError
from pipeline.ingest.pages import fetch_page
from pipeline.ingest.urls import InvalidURL, canonical_url
from pipeline.sources import JSON_TEXT_FIELDS, record_from_json

log = logging.getLogger("newsflow.ingest")
SOURCE = "stdin"
IN_FLIGHT = 8


def _lines(stream: BinaryIO, loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[bytes | None]) -> None:
    # A blocking read cannot be cancelled, so it runs in a daemon thread that simply dies with the process.
    try:
        for line in stream:
            loop.call_soon_threadsafe(queue.put_nowait, line)
    finally:
        loop.call_soon_threadsafe(queue.put_nowait, None)


class StdinReader:
    """Reads lines until end of input; each line is an article (JSON with text), or a page to fetch
    (JSON with only `url`, or a bare http(s) URL)."""

    def __init__(self, stream: BinaryIO, services: Services):
        self.stream = stream
        self.services = services
        self.line_number = 0

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[bytes | None] = asyncio.Queue()
        threading.Thread(target=_lines, args=(self.stream, loop, queue), name="newsflow-stdin", daemon=True).start()
        slots = asyncio.Semaphore(IN_FLIGHT)
        pending: set[asyncio.Task[None]] = set()
        while (line := await queue.get()) is not None:
            self.line_number += 1
            await slots.acquire()
            task = asyncio.create_task(self._line(line, self.line_number))
            pending.add(task)
            task.add_done_callback(pending.discard)
            task.add_done_callback(lambda _: slots.release())
        if pending:
            await asyncio.gather(*pending)

    async def _line(self, line: bytes, number: int) -> None:
        services = self.services
        text = line.strip()
        if not text:
            return
        where = f"stdin:{number}"
        try:
            candidate = await self._candidate(text)
        except (ValueError, FetchError) as error:  # orjson.JSONDecodeError, InvalidURL, NoArticle are ValueErrors
            kind = (
                error.kind
                if isinstance(error, FetchError)
                else "no_article"
                if isinstance(error, NoArticle)
                else "bad_item"
            )
            services.counters.error(SOURCE, kind)
            log.warning("%s: %s", where, error)
            return
        except Exception as error:  # a bug must cost one line, never the ingester
            services.counters.error(SOURCE, "internal")
            log.exception("%s: unexpected error: %s", where, error)
            return
        await services.engine.submit(candidate)

    async def _candidate(self, text: bytes) -> Candidate:
        if text.startswith((b"http://", b"https://")):
            return await self._page(text.decode("utf-8", errors="replace"))
        try:
            item = orjson.loads(text)
        except orjson.JSONDecodeError as error:
            raise ValueError(f"not valid JSON (nor a URL): {error}") from None
        if (
            isinstance(item, dict)
            and item.get("url")
            and not any(isinstance(item.get(field), str) for field in JSON_TEXT_FIELDS)
        ):
            return await self._page(str(item["url"]), item)
        return from_record(record_from_json(item, SOURCE))

    async def _page(self, link: str, item: dict[str, object] | None = None) -> Candidate:
        item = item or {}
        canonical_url(link)  # raises InvalidURL early for a clear message
        page = await fetch_page(self.services.fetcher, link, MIN_ARTICLE_CHARS)
        if page is None:  # no validators were sent, so a 304 is the server's mistake
            raise InvalidURL(f"{link}: the server answered 304 to an unconditional request")
        article = page.article
        title = str(item.get("title") or "") or article.title
        meta: dict[str, object] = {"link": link, "captions": article.captions, "text_from": "page"}
        if article.author:
            meta["author"] = article.author
        if page.decode_errors:
            meta["decode_errors"] = True
        return Candidate(
            str(item.get("source") or SOURCE),
            article.raw(title),
            page.url,
            title,
            str(item.get("published_at") or "") or article.date,
            str(item.get("lang_hint") or "") or article.language,
            meta,
        )
