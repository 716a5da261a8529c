"""Article pages: fetch, decode, extract (off the event loop), and the canonical URL the page deserves."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from pipeline.ingest.extract import Article, decode, extract
from pipeline.ingest.fetch import Fetched, Fetcher, Validators
from pipeline.ingest.urls import trusted_canonical

HTML_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"


@dataclass(frozen=True)
class Page:
    """An article page: its canonical URL, where the fetch ended up, the article and how the bytes decoded."""

    url: str
    fetched: Fetched
    article: Article
    encoding: str
    decode_errors: bool


async def fetch_page(
    fetcher: Fetcher,
    link: str,
    min_chars: int,
    strip: frozenset[str] = frozenset(),
    validators: Validators | None = None,
) -> Page | None:
    """The article at a link, or None when the server says it has not changed since `validators`.

    Raises FetchError (HTTP, timeout, size, redirects) or NoArticle (nothing that reads as an article)."""
    fetched = await fetcher.fetch(link, validators, accept=HTML_ACCEPT)
    if fetched.not_modified:
        return None
    return await asyncio.to_thread(page_from, fetched, min_chars, strip)


def page_from(fetched: Fetched, min_chars: int, strip: frozenset[str] = frozenset()) -> Page:
    """Decode and extract a fetched page (CPU-bound: run it in a thread)."""
    decoded = decode(fetched.body, fetched.charset)
    article = extract(decoded.text, fetched.url, min_chars)
    url = trusted_canonical(fetched.url, article.canonical_url, strip)
    return Page(url, fetched, article, decoded.encoding, decoded.replaced)
