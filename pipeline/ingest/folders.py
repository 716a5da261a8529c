"""Watched folders: new or changed `.txt`, `.json`, `.jsonl` and `.html` files, read once they stop changing."""

from __future__ import annotations

import asyncio
import logging
import time
from contextlib import suppress
from pathlib import Path

from pipeline.errors import NewsflowError
from pipeline.ingest.articles import Candidate, from_record
from pipeline.ingest.config import MIN_ARTICLE_CHARS, Folder
from pipeline.ingest.extract import NoArticle, decode, extract
from pipeline.ingest.feedpoll import Services
from pipeline.ingest.urls import InvalidURL, canonical_url
from pipeline.sources import SUPPORTED_SUFFIXES, InputProblem, read_file

log = logging.getLogger("newsflow.ingest")
HTML_SUFFIXES = (".html", ".htm")
WATCHED_SUFFIXES = (*SUPPORTED_SUFFIXES, *HTML_SUFFIXES)


def html_candidate(path: Path, source: str) -> Candidate:
    """An article from a saved HTML page; its URL comes from the page's canonical link, if it has one."""
    decoded = decode(path.read_bytes())
    article = extract(decoded.text, None, MIN_ARTICLE_CHARS)
    url = None
    if article.canonical_url:
        with suppress(InvalidURL):  # an unusable canonical link: the article is filed under its content
            url = canonical_url(article.canonical_url)
    meta: dict[str, object] = {"path": str(path), "captions": article.captions, "encoding": decoded.encoding}
    if article.author:
        meta["author"] = article.author
    if decoded.replaced:
        meta["decode_errors"] = True
    return Candidate(source, article.raw(), url, article.title, article.date, article.language, meta)


class FolderWatcher:
    """Scans one folder per poll; a file is read again only when its size or modification time changed."""

    def __init__(self, folder: Folder, services: Services):
        self.folder = folder
        self.services = services
        self.source = f"folder:{folder.name or folder.path}"

    async def poll(self) -> float:
        services = self.services
        services.counters.add(self.source, "polls")
        if not self.folder.path.is_dir():
            services.counters.error(self.source, "missing_folder")
            log.warning("%s: %s is not a directory (yet?)", self.source, self.folder.path)
            return self.folder.interval
        for path in self._files():
            try:
                await self._file(path)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # a bug must cost one file, never the ingester
                services.counters.error(self.source, "internal")
                log.exception("%s: %s: unexpected error: %s", self.source, path, error)
        services.counters.succeeded(self.source)
        return self.folder.interval

    def _files(self) -> list[Path]:
        pattern = self.folder.path.rglob("*") if self.folder.recursive else self.folder.path.glob("*")
        return sorted(
            path for path in pattern if path.suffix.lower() in WATCHED_SUFFIXES and not path.name.startswith(".")
        )

    async def _file(self, path: Path) -> None:
        services = self.services
        try:
            stat = path.stat()
        except OSError:
            return  # removed between the scan and now
        state = (stat.st_size, stat.st_mtime_ns)
        if services.store.file_state(path) == state:
            return
        if time.time() - stat.st_mtime < self.folder.settle:
            return  # probably still being written; the next scan takes it
        item = f"file:{path} {state[0]} {state[1]}"  # a changed file gets fresh attempts
        if services.attempts.status(item) != "try":
            return
        candidates: list[Candidate] = []
        try:
            if path.suffix.lower() in HTML_SUFFIXES:
                candidates.append(await asyncio.to_thread(html_candidate, path, f"file:{path}"))
            else:
                for found in await asyncio.to_thread(lambda: list(read_file(path))):
                    if isinstance(found, InputProblem):
                        services.counters.error(self.source, "bad_item")
                        log.warning("%s: %s: %s", self.source, found.where, found.message)
                    else:
                        candidates.append(from_record(found))
        except (OSError, NoArticle, ValueError, NewsflowError) as error:
            services.counters.error(self.source, "no_article" if isinstance(error, NoArticle) else "bad_file")
            note = services.attempts.failed(item, str(error))
            log.warning("%s: %s: %s (%s)", self.source, path, error, note)
            return
        outcomes = [await services.engine.submit(candidate) for candidate in candidates]
        failed = sum(outcome.status == "failed" for outcome in outcomes)
        if failed:
            note = services.attempts.failed(item, f"{failed} article(s) not published")
            log.warning(
                "%s: %s: %d article(s) not published; the file is read again (%s)", self.source, path, failed, note
            )
            return
        services.store.remember_file(path, *state)
        services.attempts.succeeded(item)
