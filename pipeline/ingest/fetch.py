"""Polite HTTP fetching: User-Agent, timeouts, size and redirect limits, per-host concurrency, conditional GET."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType

import aiohttp

from pipeline.ingest.config import HttpOptions
from pipeline.ingest.urls import host_of

TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


class FetchError(Exception):
    """A URL that could not be fetched: `kind` is a short code for counters, `transient` says a retry may help."""

    def __init__(self, url: str, kind: str, message: str, *, transient: bool, retry_after: float | None = None):
        super().__init__(f"{url}: {message}")
        self.url = url
        self.kind = kind
        self.transient = transient
        self.retry_after = retry_after


@dataclass(frozen=True)
class Validators:
    """What a server said to ask for next time: `ETag` and `Last-Modified` (either may be absent)."""

    etag: str | None = None
    last_modified: str | None = None

    def request_headers(self) -> dict[str, str]:
        """The conditional-GET headers these validators turn into."""
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


@dataclass(frozen=True)
class Fetched:
    """A response: the final URL after redirects, the body (empty on 304) and what to send next time."""

    url: str
    status: int
    body: bytes
    content_type: str | None
    charset: str | None
    validators: Validators

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """A `Retry-After` header (seconds or an HTTP date) as seconds from now, or None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class Fetcher:
    """One HTTP session for the ingester's lifetime; at most `per_host` requests in flight to any host."""

    def __init__(self, options: HttpOptions):
        self.options = options
        self._limits: defaultdict[str, asyncio.Semaphore] = defaultdict(lambda: asyncio.Semaphore(options.per_host))
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Fetcher:
        self._session = aiohttp.ClientSession(
            headers={"User-Agent": self.options.user_agent, "Accept-Encoding": "gzip, deflate"},
            connector=aiohttp.TCPConnector(limit=100, ttl_dns_cache=300),
            cookie_jar=aiohttp.DummyCookieJar(),
        )
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._session is not None:
            await self._session.close()

    async def fetch(self, url: str, validators: Validators | None = None, accept: str | None = None) -> Fetched:
        """GET a URL; a 304 comes back as a Fetched with `not_modified`, every failure as a FetchError."""
        if self._session is None:
            raise RuntimeError("Fetcher used outside `async with`")
        headers = (validators or Validators()).request_headers()
        if accept:
            headers["Accept"] = accept
        # The timeout starts once this request holds its host's slot, so waiting in line is not a timeout.
        async with self._limits[host_of(url)]:
            try:
                async with asyncio.timeout(self.options.timeout):
                    return await self._get(self._session, url, headers)
            except TimeoutError:
                raise FetchError(
                    url, "timeout", f"no complete response within {self.options.timeout:g}s", transient=True
                ) from None
            except aiohttp.TooManyRedirects:
                raise FetchError(
                    url, "redirects", f"more than {self.options.max_redirects} redirects (a loop?)", transient=False
                ) from None
            except aiohttp.InvalidURL as error:
                raise FetchError(url, "bad_url", f"invalid URL: {error}", transient=False) from None
            except aiohttp.ClientError as error:
                raise FetchError(url, "connection", f"{type(error).__name__}: {error}", transient=True) from None

    async def _get(self, session: aiohttp.ClientSession, url: str, headers: dict[str, str]) -> Fetched:
        async with session.get(url, headers=headers, max_redirects=self.options.max_redirects) as response:
            final_url = str(response.url)
            if response.status >= 400:
                raise FetchError(
                    url,
                    f"http_{response.status}",
                    f"HTTP {response.status} {response.reason or ''}".rstrip(),
                    transient=response.status in TRANSIENT_STATUSES,
                    retry_after=retry_after_seconds(response.headers.get("Retry-After")),
                )
            validators = Validators(response.headers.get("ETag"), response.headers.get("Last-Modified"))
            if response.status == 304:
                return Fetched(final_url, 304, b"", None, None, validators)
            if response.content_length is not None and response.content_length > self.options.max_bytes:
                raise FetchError(url, "too_large", self._too_large(response.content_length), transient=False)
            body = bytearray()
            async for chunk in response.content.iter_chunked(64 * 1024):
                body += chunk
                if len(body) > self.options.max_bytes:
                    raise FetchError(url, "too_large", self._too_large(None), transient=False)
            return Fetched(final_url, response.status, bytes(body), response.content_type, response.charset, validators)

    def _too_large(self, size: int | None) -> str:
        stated = f" ({size} bytes)" if size is not None else ""
        return f"response larger than the {self.options.max_bytes}-byte limit{stated}"
