"""Article ids and raw records."""

from __future__ import annotations

from pipeline.records import article_id, raw_record
from schemas import validator


def test_id_is_stable_and_ignores_line_endings_and_surrounding_space() -> None:
    assert article_id(None, "Title\n\nBody") == article_id(None, "  Title\r\n\r\nBody\n")
    assert len(article_id(None, "x")) == 16


def test_id_prefers_the_url_over_the_content() -> None:
    url = "https://example.com/a"
    assert article_id(url, "first version") == article_id(url, "edited version")
    assert article_id(url, "text") != article_id(None, "text")


def test_different_content_gives_different_ids() -> None:
    assert article_id(None, "one article") != article_id(None, "another article")


def test_raw_record_matches_the_raw_schema() -> None:
    record = raw_record("Headline\n\nBody.", source="test", url="https://example.com/x")
    validator("articles.raw")(record)
    assert record["provenance"][0]["stage"] == "produce"
    assert record["id"] == article_id("https://example.com/x", "")
