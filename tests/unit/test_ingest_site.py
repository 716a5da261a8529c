"""The local news site the ingest tests use (tests/support/news_site.py) behaves as those tests assume."""

from __future__ import annotations

import urllib.error
from collections.abc import Iterator
from urllib.request import Request, urlopen

import pytest

from tests.support.news_site import NewsSite


@pytest.fixture
def site() -> Iterator[NewsSite]:
    with NewsSite() as running:
        yield running


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    try:
        with urlopen(Request(url, headers=headers or {}), timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_the_arabic_feed_answers_304_to_its_etag(site: NewsSite) -> None:
    status, body = get(site.url("/ar/rss.xml"))
    assert status == 200 and "أخبار العالم".encode() in body
    assert get(site.url("/ar/rss.xml"), {"If-None-Match": '"ar-v1"'})[0] == 304


def test_the_live_feed_changes_on_the_second_poll(site: NewsSite) -> None:
    first = get(site.url("/live/rss.xml"))[1]
    second = get(site.url("/live/rss.xml"))[1]
    assert b"Live story 3" not in first and b"Live story 3" in second
    assert b"Edition 2" in second


def test_the_broken_feed_answers_500(site: NewsSite) -> None:
    assert get(site.url("/broken/rss.xml"))[0] == 500
