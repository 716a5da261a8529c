"""The HTTP client against the local site: User-Agent, conditional GET, errors, timeouts, limits."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from pipeline.ingest.config import HttpOptions
from pipeline.ingest.fetch import Fetched, Fetcher, FetchError, Validators, retry_after_seconds
from tests.support.news_site import NewsSite

OPTIONS = HttpOptions(user_agent="newsflow-test/1.0 (tests@example.com)", timeout=0.5, max_bytes=1_000_000)


@pytest.fixture
def site() -> Iterator[NewsSite]:
    with NewsSite() as running:
        yield running


async def fetch(url: str, validators: Validators | None = None, options: HttpOptions = OPTIONS) -> Fetched:
    async with Fetcher(options) as fetcher:
        return await fetcher.fetch(url, validators)


async def failure(url: str, options: HttpOptions = OPTIONS) -> FetchError:
    with pytest.raises(FetchError) as caught:
        await fetch(url, options=options)
    return caught.value


def test_requests_carry_the_configured_user_agent(site: NewsSite) -> None:
    fetched = asyncio.run(fetch(site.url("/ar/rss.xml")))
    assert fetched.status == 200 and fetched.validators.etag == '"ar-v1"'
    assert site.requested("/ar/rss.xml")[0].headers["user-agent"] == OPTIONS.user_agent


def test_conditional_get_with_an_etag_gets_304(site: NewsSite) -> None:
    fetched = asyncio.run(fetch(site.url("/ar/rss.xml"), Validators(etag='"ar-v1"')))
    assert fetched.not_modified and fetched.body == b""
    assert site.requested("/ar/rss.xml")[0].headers["if-none-match"] == '"ar-v1"'


def test_conditional_get_with_last_modified_gets_304(site: NewsSite) -> None:
    first = asyncio.run(fetch(site.url("/en/atom.xml")))
    assert first.validators.last_modified
    again = asyncio.run(fetch(site.url("/en/atom.xml"), first.validators))
    assert again.not_modified


def test_a_500_is_a_transient_error(site: NewsSite) -> None:
    error = asyncio.run(failure(site.url("/broken/rss.xml")))
    assert error.kind == "http_500" and error.transient and "HTTP 500" in str(error)


def test_a_404_is_not_transient(site: NewsSite) -> None:
    error = asyncio.run(failure(site.url("/pages/gone")))
    assert error.kind == "http_404" and not error.transient


def test_a_slow_response_times_out(site: NewsSite) -> None:
    error = asyncio.run(failure(site.url("/slow/rss.xml"), HttpOptions(timeout=0.2)))
    assert error.kind == "timeout" and error.transient


def test_a_redirect_loop_is_cut_short(site: NewsSite) -> None:
    error = asyncio.run(failure(site.url("/pages/loop")))
    assert error.kind == "redirects" and not error.transient
    assert len(site.requested("/pages/loop")) <= OPTIONS.max_redirects


def test_a_huge_page_is_refused(site: NewsSite) -> None:
    error = asyncio.run(failure(site.url("/pages/huge")))
    assert error.kind == "too_large"


def test_nothing_listening_is_a_connection_error(site: NewsSite) -> None:
    error = asyncio.run(failure("http://127.0.0.1:9/feed"))
    assert error.kind == "connection" and error.transient


def test_requests_to_one_host_are_limited(site: NewsSite) -> None:
    async def many() -> None:
        async with Fetcher(HttpOptions(per_host=2)) as fetcher:
            await asyncio.gather(*(fetcher.fetch(site.url(f"/pages/held?n={n}")) for n in range(6)))

    asyncio.run(many())
    assert site.max_in_flight == 2


def test_retry_after_in_seconds_or_as_a_date() -> None:
    from datetime import UTC, datetime

    now = datetime(2024, 6, 4, 10, 0, tzinfo=UTC)
    assert retry_after_seconds("120") == 120
    assert retry_after_seconds("Tue, 04 Jun 2024 10:01:30 GMT", now) == 90
    assert retry_after_seconds("whenever") is None and retry_after_seconds(None) is None
