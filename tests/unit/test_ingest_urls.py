"""Canonical URLs: trackers, fragments, case, ports and query order; which declared canonical to believe."""

from __future__ import annotations

import pytest

from pipeline.ingest.urls import InvalidURL, canonical_url, trusted_canonical


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://ex.com/news/1?utm_source=rss&utm_medium=feed", "https://ex.com/news/1"),
        ("https://ex.com/news/1?fbclid=abc&gclid=def#comments", "https://ex.com/news/1"),
        ("HTTPS://Ex.COM:443/news/1", "https://ex.com/news/1"),
        ("http://ex.com:80/a", "http://ex.com/a"),
        ("http://ex.com:8080/a", "http://ex.com:8080/a"),
        ("https://ex.com/a?b=2&a=1", "https://ex.com/a?a=1&b=2"),
        ("https://ex.com/story?id=5&ocid=rss&ref=rss", "https://ex.com/story?id=5"),
        ("https://ex.com", "https://ex.com/"),
        ("https://ex.com/%d8%a7", "https://ex.com/%D8%A7"),
        ("https://ex.com/عرب", "https://ex.com/%D8%B9%D8%B1%D8%A8"),
    ],
)
def test_canonical_spelling(given: str, expected: str) -> None:
    assert canonical_url(given) == expected


def test_the_same_article_behind_different_trackers_has_one_url() -> None:
    links = [
        "https://ex.com/news/1?utm_source=rss",
        "https://ex.com/news/1?fbclid=xyz",
        "https://EX.com/news/1#top",
        "https://ex.com/news/1",
    ]
    assert len({canonical_url(link) for link in links}) == 1


def test_meaningful_parameters_survive() -> None:
    assert canonical_url("https://ex.com/view?story=9&page=2") == "https://ex.com/view?page=2&story=9"


def test_site_specific_parameters_can_be_stripped() -> None:
    assert canonical_url("https://ex.com/a?from=home&id=3", frozenset({"FROM"})) == "https://ex.com/a?id=3"


@pytest.mark.parametrize("bad", ["ftp://ex.com/a", "/relative/path", "mailto:someone@ex.com", "not a url"])
def test_non_http_links_are_refused(bad: str) -> None:
    with pytest.raises(InvalidURL):
        canonical_url(bad)


def test_a_declared_canonical_on_the_same_host_wins() -> None:
    assert trusted_canonical("https://ex.com/a?page=1&x=2", "https://ex.com/a") == "https://ex.com/a"


def test_a_declared_canonical_elsewhere_or_at_the_front_page_is_ignored() -> None:
    assert trusted_canonical("https://ex.com/a", "https://other.org/a") == "https://ex.com/a"
    assert trusted_canonical("https://ex.com/a", "https://ex.com/") == "https://ex.com/a"
    assert trusted_canonical("https://ex.com/a", "not a url") == "https://ex.com/a"
    assert trusted_canonical("https://ex.com/a?utm_source=x", None) == "https://ex.com/a"
