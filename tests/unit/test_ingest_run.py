"""The run loop against the local site with an in-memory sink (the broker runs in tests/integration):
each article once, revisions linked, bad sources contained, restarts and stops lose and repeat nothing."""

from __future__ import annotations

import asyncio
import io
import logging
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from pipeline.config import Settings
from pipeline.ingest.config import (
    Feed,
    FeedDefaults,
    Folder,
    HttpOptions,
    IngestOptions,
    RetryOptions,
    SourcesFile,
)
from pipeline.ingest.counters import Counters
from pipeline.ingest.publisher import NotDelivered
from pipeline.ingest.runner import Control, repeat, run_ingest
from pipeline.records import Record
from schemas import validator
from tests.support.news_site import AR_PARAGRAPHS, EN_PARAGRAPHS, NewsSite, article_page


class ListSink:
    """Records as the broker would have acknowledged them (schema-checked), with optional failures."""

    def __init__(self, fail_first: int = 0, control: Control | None = None, stop_after: int | None = None):
        self.records: list[Record] = []
        self.fail_first = fail_first
        self.control = control
        self.stop_after = stop_after
        self._check = validator("articles.raw")

    async def publish(self, record: Record) -> None:
        self._check(record)
        if self.fail_first:
            self.fail_first -= 1
            raise NotDelivered("not delivered: broker unavailable (simulated)")
        self.records.append(record)
        if self.control and self.stop_after and len(self.records) >= self.stop_after:
            self.control.request_stop()

    def by_url(self) -> dict[str | None, list[Record]]:
        found: dict[str | None, list[Record]] = {}
        for record in self.records:
            found.setdefault(record["url"], []).append(record)
        return found


@pytest.fixture
def site() -> Iterator[NewsSite]:
    with NewsSite() as running:
        yield running


def sources(tmp_path: Path, site: NewsSite, *paths: str, **fields: object) -> SourcesFile:
    return SourcesFile(
        ingest=IngestOptions(store=tmp_path / "seen.sqlite3", shutdown_grace=5),
        http=HttpOptions(user_agent="newsflow-test", timeout=0.5, max_bytes=1_000_000),
        retry=RetryOptions(base=0, max=0, attempts=3),
        defaults=FeedDefaults(interval=0.01, min_chars=100),
        feeds=[Feed(url=site.url(path)) for path in paths],
        **fields,  # type: ignore[arg-type]
    )


def run(
    tmp_path: Path,
    chosen: SourcesFile,
    sink: ListSink,
    max_cycles: int | None = 1,
    stdin: io.BytesIO | None = None,
    control: Control | None = None,
) -> Counters:
    settings = Settings(home=tmp_path)
    return asyncio.run(run_ingest(settings, chosen, sink=sink, max_cycles=max_cycles, stdin=stdin, control=control))


def test_an_arabic_feed_is_published_once_with_captions_and_metadata(tmp_path: Path, site: NewsSite) -> None:
    sink = ListSink()
    counters = run(tmp_path, sources(tmp_path, site, "/ar/rss.xml"), sink, max_cycles=2)
    assert sorted(sink.by_url()) == [site.url(f"/ar/news/{n}") for n in (1, 2, 3)]
    assert counters.totals["published"] == 3 and counters.totals["not_modified"] == 1
    assert site.requested("/ar/rss.xml")[1].headers.get("if-none-match") == '"ar-v1"'
    record = sink.by_url()[site.url("/ar/news/1")][0]
    assert record["title"] == "خبر رقم 1: تعاون أمني بين روسيا واليابان"
    assert record["lang_hint"] == "ar" and record["published_at"] == "2024-06-04T09:00:00+00:00"
    caption = "Foreign ministers attend a joint news conference in Tokyo (photo 1)"
    assert record["raw"].split("\n\n")[:2] == [record["title"], caption]
    assert AR_PARAGRAPHS[1] in record["raw"]
    meta = record["meta"]
    assert meta["captions"] == [caption] and meta["revision"] == 1 and meta["author"] == "مراسل الشؤون الآسيوية"
    assert meta["link"].endswith("?utm_source=rss&utm_medium=feed") and meta["canonical_url"] == record["url"]


def test_overlapping_feeds_publish_the_shared_article_once(tmp_path: Path, site: NewsSite) -> None:
    sink = ListSink()
    counters = run(tmp_path, sources(tmp_path, site, "/ar/rss.xml", "/en/atom.xml"), sink)
    urls = Counter(record["url"] for record in sink.records)
    assert set(urls.values()) == {1} and len(urls) == 5
    assert counters.totals["duplicates"] + counters.totals["unchanged"] == 1
    english = sink.by_url()[site.url("/en/story/a")][0]
    assert english["lang_hint"] == "en" and english["meta"]["author"] == "Jane Reporter"
    assert english["published_at"] == "2024-06-04T01:00:00+00:00"


def test_an_edited_article_becomes_a_linked_revision(tmp_path: Path, site: NewsSite) -> None:
    sink = ListSink()
    counters = run(tmp_path, sources(tmp_path, site, "/live/rss.xml"), sink, max_cycles=2)
    stories = sink.by_url()
    first, second = stories[site.url("/live/1")]
    assert (first["meta"]["revision"], second["meta"]["revision"]) == (1, 2)
    assert second["meta"]["revision_of"] == first["id"] != second["id"]
    assert "corrected after publication" in second["raw"] and "corrected" not in first["raw"]
    assert len(stories[site.url("/live/2")]) == 1 and len(stories[site.url("/live/3")]) == 1
    assert counters.as_dict() | {"polls": 0} == {
        "polls": 0,
        "not_modified": 0,
        "fetched": 4,
        "unchanged": 1,
        "published": 4,
        "revisions": 1,
        "duplicates": 0,
        "errors": 0,
    }
    assert len(site.requested("/live/2")) == 1  # unchanged in the feed: not fetched again


def test_a_restart_republishes_nothing_and_still_sees_edits(tmp_path: Path, site: NewsSite) -> None:
    chosen = sources(tmp_path, site, "/ar/rss.xml", "/en/atom.xml", "/live/rss.xml")
    first = ListSink()
    run(tmp_path, chosen, first, max_cycles=2)
    assert len(first.records) == 9  # 3 Arabic, 2 English, 3 live stories and one revision
    second = ListSink()
    counters = run(tmp_path, chosen, second, max_cycles=1)
    assert second.records == [] and counters.totals["published"] == 0
    site.edit_live(2)
    third = ListSink()
    run(tmp_path, chosen, third, max_cycles=1)
    [revision] = third.records
    [original] = first.by_url()[site.url("/live/2")]
    assert revision["meta"]["revision"] == 2 and revision["meta"]["revision_of"] == original["id"]
    ids = [record["id"] for record in [*first.records, *third.records]]
    assert len(ids) == len(set(ids))


def test_bad_sources_are_counted_and_logged_and_never_stop_the_others(
    tmp_path: Path, site: NewsSite, caplog: pytest.LogCaptureFixture
) -> None:
    chosen = sources(tmp_path, site, "/broken/rss.xml", "/slow/rss.xml", "/bad/rss.xml", "/mixed/rss.xml")
    chosen.feeds.append(Feed(url=site.url("/ar/rss.xml")))
    sink = ListSink()
    with caplog.at_level(logging.WARNING, logger="newsflow.ingest"):
        counters = run(
            tmp_path,
            chosen.model_copy(update={"http": HttpOptions(timeout=0.3, max_bytes=1_000_000)}),
            sink,
            max_cycles=2,
        )
    published = sink.by_url()
    assert len(published) == 5 and all(len(records) == 1 for records in published.values())
    # The two pages with wrong charset labels are read correctly.
    assert AR_PARAGRAPHS[0] in published[site.url("/pages/latin1-declared")][0]["raw"]
    assert AR_PARAGRAPHS[2] in published[site.url("/pages/cp1256")][0]["raw"]
    kinds = counters.error_kinds
    for kind in ("http_500", "timeout", "malformed_feed", "no_article", "redirects", "too_large", "http_404"):
        assert kinds[kind] >= 1, kind
    assert kinds["http_500"] == 2 and kinds["timeout"] == 2  # polled twice each: backoff is 0 in this test
    assert counters.totals["errors"] == sum(kinds.values())
    messages = "\n".join(record.getMessage() for record in caplog.records)
    assert "HTTP 500" in messages and "malformed feed" in messages and "no article found" in messages
    assert "redirects" in messages and "byte limit" in messages


def test_failing_pages_are_given_up_after_the_configured_attempts(tmp_path: Path, site: NewsSite) -> None:
    sink = ListSink()
    counters = run(tmp_path, sources(tmp_path, site, "/mixed/rss.xml"), sink, max_cycles=5)
    assert counters.error_kinds["no_article"] == 3  # attempts = 3, then silence
    assert len(site.requested("/pages/empty")) == 3


def test_an_undelivered_article_is_not_remembered_and_comes_again(tmp_path: Path, site: NewsSite) -> None:
    chosen = sources(tmp_path, site, "/ar/rss.xml")
    failing = ListSink(fail_first=1)
    counters = run(tmp_path, chosen, failing)
    assert len(failing.records) == 2 and counters.error_kinds["kafka"] == 1
    retry = ListSink()
    run(tmp_path, chosen, retry)  # the feed's ETag was not kept, so the whole feed is read again
    assert len(retry.records) == 1
    assert {r["url"] for r in failing.records + retry.records} == {site.url(f"/ar/news/{n}") for n in (1, 2, 3)}


def test_a_stop_request_finishes_in_flight_work_and_the_next_run_completes_it(tmp_path: Path, site: NewsSite) -> None:
    chosen = sources(tmp_path, site, "/ar/rss.xml", "/en/atom.xml", "/live/rss.xml")
    control = Control.new()
    stopped = ListSink(control=control, stop_after=1)
    run(tmp_path, chosen, stopped, max_cycles=None, control=control)  # would run for ever without the stop
    assert 1 <= len(stopped.records) < 9
    rest = ListSink()
    run(tmp_path, chosen, rest, max_cycles=2)
    urls_and_revisions = [(r["url"], r["meta"]["revision"]) for r in stopped.records + rest.records]
    assert len(urls_and_revisions) == len(set(urls_and_revisions))
    assert {url for url, _ in urls_and_revisions} == {
        *(site.url(f"/ar/news/{n}") for n in (1, 2, 3)),
        *(site.url(f"/en/story/{x}") for x in "ab"),
        *(site.url(f"/live/{n}") for n in (1, 2, 3)),
    }


def write_lines(path: Path, lines: list[object]) -> None:
    text = [line if isinstance(line, str) else orjson.dumps(line).decode() for line in lines]
    path.write_text("\n".join(text) + "\n", encoding="utf-8")


def test_watched_folders_take_new_and_changed_files_once(tmp_path: Path, site: NewsSite) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_text("A headline\n\n" + EN_PARAGRAPHS[0], encoding="utf-8")
    lines: list[object] = [
        {"url": "https://ex.com/story/9?utm_source=x", "title": "Nine", "text": EN_PARAGRAPHS[1]},
        "not json",
        {"text": EN_PARAGRAPHS[2], "lang_hint": "en"},
    ]
    jsonl = inbox / "b.jsonl"
    write_lines(jsonl, lines)
    page = article_page(
        "Saved page", list(AR_PARAGRAPHS), lang="ar", canonical="https://ex.com/ar/saved", caption="A caption"
    )
    (inbox / "c.html").write_text(page, encoding="utf-8")
    (inbox / "ignored.csv").write_text("a,b\n")
    chosen = SourcesFile(
        ingest=IngestOptions(store=tmp_path / "seen.sqlite3"),
        folders=[Folder(path=inbox, settle=0, interval=0.01)],
    )
    sink = ListSink()
    counters = run(tmp_path, chosen, sink, max_cycles=2)
    assert len(sink.records) == 4 and counters.error_kinds["bad_item"] == 1
    by_url = sink.by_url()
    assert by_url["https://ex.com/story/9"][0]["title"] == "Nine"
    saved = by_url["https://ex.com/ar/saved"][0]
    assert saved["lang_hint"] == "ar" and saved["meta"]["captions"] == ["A caption"]
    lines[0]["text"] = EN_PARAGRAPHS[1] + " (Updated.)"  # type: ignore[index]
    write_lines(jsonl, lines)
    again = ListSink()
    run(tmp_path, chosen, again, max_cycles=1)
    [revision] = again.records
    assert revision["url"] == "https://ex.com/story/9" and revision["meta"]["revision"] == 2


def test_stdin_takes_json_lines_and_urls(tmp_path: Path, site: NewsSite) -> None:
    lines = [
        orjson.dumps({"text": EN_PARAGRAPHS[0], "title": "From a pipe"}),
        site.url("/en/story/a").encode(),
        orjson.dumps({"url": site.url("/ar/news/2"), "source": "wire"}),
        b"",
        b"{broken",
        orjson.dumps({"text": EN_PARAGRAPHS[0], "title": "From a pipe"}),  # the same article again
    ]
    stdin = io.BytesIO(b"\n".join(lines) + b"\n")
    sink = ListSink()
    chosen = SourcesFile(ingest=IngestOptions(store=tmp_path / "seen.sqlite3"))
    counters = run(tmp_path, chosen, sink, stdin=stdin)
    assert [record["source"] for record in sorted(sink.records, key=lambda r: r["source"])] == [
        "stdin",
        "stdin",
        "wire",
    ]
    assert counters.totals["duplicates"] == 1 and counters.error_kinds["bad_item"] == 1
    assert sink.by_url()[site.url("/ar/news/2")][0]["meta"]["captions"]


def test_recheck_pages_finds_edits_the_feed_does_not_show(tmp_path: Path, site: NewsSite) -> None:
    site.live_changes.clear()
    chosen = sources(tmp_path, site, "/live/rss.xml")
    plain, recheck = ListSink(), ListSink()
    run(tmp_path, chosen, plain)
    site.live[1].page_note = "Correction: an earlier version misstated the date."
    run(tmp_path, chosen, plain)
    assert len(plain.records) == 2  # without recheck, an unchanged entry is not fetched again
    run(tmp_path, chosen.model_copy(update={"defaults": FeedDefaults(min_chars=100, recheck_pages=True)}), recheck)
    [revision] = recheck.records
    assert revision["url"] == site.url("/live/1") and revision["meta"]["revision"] == 2
    assert "Correction" in revision["raw"]


def test_feeds_with_full_text_need_no_page_fetch(tmp_path: Path, site: NewsSite) -> None:
    chosen = sources(tmp_path, site, "/full/rss.xml")
    chosen = chosen.model_copy(update={"defaults": FeedDefaults(min_chars=100, fetch_pages=False)})
    sink = ListSink()
    counters = run(tmp_path, chosen, sink)
    [record] = sink.records
    assert record["raw"].split("\n\n") == ["Full brief", *EN_PARAGRAPHS]
    assert record["meta"]["text_from"] == "feed" and record["url"] == site.url("/briefs/1")
    assert site.requested("/briefs/1") == [] and counters.error_kinds["no_article"] == 1  # the teaser


def test_counters_reach_prometheus(tmp_path: Path, site: NewsSite) -> None:
    from prometheus_client import REGISTRY

    labels = {"source": f"feed:{site.url('/ar/rss.xml').removeprefix('http://')}", "event": "published"}
    before = REGISTRY.get_sample_value("newsflow_ingest_events_total", labels) or 0.0
    run(tmp_path, sources(tmp_path, site, "/ar/rss.xml"), ListSink())
    assert REGISTRY.get_sample_value("newsflow_ingest_events_total", labels) == before + 3
    assert REGISTRY.get_sample_value("newsflow_ingest_last_success_timestamp_seconds", {"source": labels["source"]})


def test_a_poll_that_raises_does_not_end_its_source() -> None:
    calls: list[int] = []

    async def poll() -> float:
        calls.append(len(calls))
        if len(calls) == 1:
            raise RuntimeError("disk full")
        return 0.0

    asyncio.run(repeat(poll, Control.new(), max_cycles=3, after_error=0.0))
    assert calls == [0, 1, 2]
