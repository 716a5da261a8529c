"""The exactly-once rule and its memory: content hashes, revisions, the SQLite seen-store, backoff."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from pipeline.ingest.backoff import backoff_delay
from pipeline.ingest.dedupe import Known, article_key, content_hash, decide, revision_id
from pipeline.ingest.fetch import Validators
from pipeline.ingest.store import SeenStore
from pipeline.records import article_id

URL = "https://ex.com/news/1"


def test_content_hash_ignores_whitespace_and_unicode_form() -> None:
    assert content_hash("Title\n\nBody text") == content_hash("  Title \r\n\r\n Body\ttext\n")
    assert content_hash("caf\u00e9") == content_hash("cafe\u0301")
    assert content_hash("Body text") != content_hash("Body text, corrected")


def test_the_first_revision_keeps_the_id_every_producer_gives_the_url() -> None:
    decision = decide(URL, "text", content_hash("text"), latest=None, same_content=None)
    assert decision.publish and decision.revision == 1 and decision.record_id == article_id(URL, "text")


def test_new_content_at_a_known_url_is_the_next_revision_linked_to_the_last() -> None:
    latest = Known(URL, 2, "aaaaaaaaaaaaaaaa", content_hash("v2"))
    decision = decide(URL, "v3", content_hash("v3"), latest, None)
    assert decision.publish and decision.revision == 3 and decision.revision_of == "aaaaaaaaaaaaaaaa"
    assert decision.record_id == revision_id(URL, "v3", 3) != revision_id(URL, "v3", 2) != article_id(URL, "v3")


def test_content_published_before_anywhere_is_a_duplicate() -> None:
    earlier = Known("https://other.com/copy", 1, "bbbbbbbbbbbbbbbb", content_hash("same"))
    decision = decide(URL, "same", content_hash("same"), None, earlier)
    assert not decision.publish and decision.duplicate_of == "bbbbbbbbbbbbbbbb"


def test_articles_without_url_are_keyed_by_content() -> None:
    digest = content_hash("text")
    assert article_key(None, digest) == f"content:{digest}" and article_key(URL, digest) == URL
    assert decide(None, "text", digest, None, None).record_id == article_id(None, "text")


def test_the_store_remembers_across_reopening(tmp_path: Path) -> None:
    path = tmp_path / "seen.sqlite3"
    first = Known(URL, 1, "1111111111111111", content_hash("v1"))
    second = Known(URL, 2, "2222222222222222", content_hash("v2"))
    with SeenStore(path) as store:
        store.record_published(first, "feed:x")
        store.record_published(second, "feed:x")
        store.remember_link("https://ex.com/news/1", URL, "fp")
        store.remember_validators("https://ex.com/rss", Validators('"v1"', None))
        store.remember_file(tmp_path / "a.txt", 10, 20)
    with SeenStore(path) as store:
        assert store.latest(URL) == second
        assert store.with_content(content_hash("v1")) == first
        assert store.link("https://ex.com/news/1") == (URL, "fp")
        assert store.validators("https://ex.com/rss") == Validators('"v1"', None)
        assert store.file_state(tmp_path / "a.txt") == (10, 20)
        assert store.published_count() == 2


def test_one_ingester_per_store(tmp_path: Path) -> None:
    path = tmp_path / "seen.sqlite3"
    with SeenStore(path), pytest.raises(ConfigError, match="another `newsflow ingest`"), SeenStore(path):
        pass
    with SeenStore(path):  # released on close
        pass


def test_failures_count_attempts_until_forgotten(tmp_path: Path) -> None:
    with SeenStore(tmp_path / "seen.sqlite3") as store:
        store.remember_failure("item", 1, 30.0, "HTTP 500")
        attempts, retry_at = store.failure("item") or (0, 0.0)
        assert attempts == 1 and retry_at > 0
        store.remember_failure("item", 2, math.inf, "HTTP 500")
        assert store.failure("item") == (2, math.inf)
        store.forget_failure("item")
        assert store.failure("item") is None


def test_backoff_doubles_is_capped_and_jittered() -> None:
    low = [backoff_delay(n, base=10, cap=100, uniform=lambda a, b: a) for n in range(1, 6)]
    high = [backoff_delay(n, base=10, cap=100, uniform=lambda a, b: b) for n in range(1, 6)]
    assert low == [5, 10, 20, 40, 50] and high == [10, 20, 40, 80, 100]
    assert backoff_delay(1, base=10, cap=100, retry_after=60, uniform=lambda a, b: a) == 60
    assert backoff_delay(1, base=10, cap=100, retry_after=6000, uniform=lambda a, b: a) == 100
    assert backoff_delay(1000, base=10, cap=100, uniform=lambda a, b: b) == 100
