"""`newsflow ingest` against the local news site and the real broker: what arrives in articles.raw is each
article exactly once, with revisions linked, across two runs, a SIGTERM and a restart."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pipeline.config import Settings
from pipeline.records import Record, loads
from pipeline.tail import read_topics
from pipeline.topics import RAW
from tests.support.news_site import NewsSite

ROOT = Path(__file__).resolve().parents[2]
WAIT_S = 60.0  # upper bound on waiting for the broker or the ingester; the tests finish as soon as they can
SUMMARY = re.compile(r"^ingest done: (.*)$", re.MULTILINE)


@pytest.fixture
def site() -> Iterator[NewsSite]:
    with NewsSite() as running:
        yield running


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings("ingest")


def sources_file(tmp_path: Path, site: NewsSite) -> Path:
    feeds = {
        "arabic": "/ar/rss.xml",
        "economy": "/en/atom.xml",
        "live": "/live/rss.xml",
        "broken": "/broken/rss.xml",
        "slow": "/slow/rss.xml",
        "malformed": "/bad/rss.xml",
        "mixed": "/mixed/rss.xml",
    }
    path = tmp_path / "sources.toml"
    path.write_text(
        "\n".join(
            [
                '[ingest]\nstore = "state/seen.sqlite3"\nshutdown_grace = "5s"\nstatus_every = "1s"',
                '[http]\nuser_agent = "newsflow-test (tests@example.com)"\ntimeout = "0.5s"\nmax_bytes = 1_000_000',
                '[retry]\nbase = "0.05s"\nmax = "0.2s"\nattempts = 3',
                '[defaults]\ninterval = "0.2s"\nmin_chars = 100',
                *(f'[[feeds]]\nname = "{name}"\nurl = "{site.url(feed)}"' for name, feed in feeds.items()),
            ]
        ),
        encoding="utf-8",
    )
    return path


def environment(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "NEWSFLOW_BOOTSTRAP": settings.bootstrap or "",
        "NEWSFLOW_TOPIC_PREFIX": settings.topic_prefix,
        "NEWSFLOW_HOME": str(settings.home),
    }


def ingest(settings: Settings, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", "ingest", *args],
        cwd=ROOT,
        env=environment(settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finished(process: subprocess.Popen[str]) -> dict[str, int]:
    """Wait for an ingester to exit cleanly; its closing counters."""
    _, stderr = process.communicate(timeout=WAIT_S)
    assert process.returncode == 0, stderr
    match = SUMMARY.search(stderr)
    assert match, stderr
    counters = {name: int(value) for name, value in (item.rsplit(" ", 1) for item in match.group(1).split(", "))}
    print(f"ingest counters: {counters}")  # the figures for the report (pytest -s shows them)
    return counters


def raw_records(settings: Settings, at_least: int = 0) -> list[Record]:
    """Everything in articles.raw, waiting (bounded) until at least `at_least` records are there."""
    deadline = time.monotonic() + WAIT_S
    while True:
        records = [loads(message.value) | {"_key": message.key.decode()} for message in read_topics(settings, [RAW])]
        if len(records) >= at_least or time.monotonic() > deadline:
            return records
        time.sleep(0.1)


def test_each_article_once_across_two_runs_a_sigterm_and_a_restart(
    settings: Settings, site: NewsSite, tmp_path: Path
) -> None:
    sources = str(sources_file(tmp_path, site))

    # Run 1: two polls; the live feed changes between them (story 1 edited, story 3 added).
    first = finished(ingest(settings, "--sources", sources, "--max-cycles", "2"))
    # 3 Arabic + 2 Atom (the third Atom entry is the Arabic story 1 again) + live 1, 2, 3 and live 1's revision
    # + the two pages served under wrong charset labels.
    assert first["published"] == 11 and first["revisions"] == 1 and first["duplicates"] == 1
    assert first["not_modified"] == 2 and first["errors"] >= 7
    assert len(raw_records(settings, 11)) == 11

    # Run 2: same sources, same store: nothing new to publish.
    second = finished(ingest(settings, "--sources", sources, "--once"))
    assert second["published"] == 0 and second["unchanged"] >= 5

    # Run 3, left running: new and edited stories arrive; then SIGTERM, which must flush and exit cleanly.
    site.edit_live(2)
    site.add_live(4)
    running = ingest(settings, "--sources", sources)
    assert len(raw_records(settings, 13)) == 13
    running.send_signal(signal.SIGTERM)
    third = finished(running)
    assert third["published"] == 2 and third["revisions"] == 1

    # Run 4, after the restart: still nothing republished.
    fourth = finished(ingest(settings, "--sources", sources, "--once"))
    assert fourth["published"] == 0

    records = raw_records(settings)
    assert len(records) == 13
    assert all(record["_key"] == record["id"] for record in records)
    assert len({record["id"] for record in records}) == 13
    revisions = Counter((record["url"], record["meta"]["revision"]) for record in records)
    assert set(revisions.values()) == {1}
    assert {url for url, _ in revisions} == {
        *(site.url(f"/ar/news/{n}") for n in (1, 2, 3)),
        *(site.url(f"/en/story/{x}") for x in "ab"),
        *(site.url(f"/live/{n}") for n in (1, 2, 3, 4)),
        site.url("/pages/latin1-declared"),
        site.url("/pages/cp1256"),
    }
    by_id = {record["id"]: record for record in records}
    for record in records:
        if record["meta"]["revision"] > 1:
            earlier = by_id[record["meta"]["revision_of"]]
            assert earlier["url"] == record["url"]
            assert earlier["meta"]["revision"] == record["meta"]["revision"] - 1
    assert sorted(url for (url, revision) in revisions if revision == 2) == [site.url("/live/1"), site.url("/live/2")]


def test_a_second_ingester_on_the_same_store_is_refused(settings: Settings, site: NewsSite, tmp_path: Path) -> None:
    sources = str(sources_file(tmp_path, site))
    running = ingest(settings, "--sources", sources)
    try:
        raw_records(settings, 1)  # the first one is up and publishing
        second = ingest(settings, "--sources", sources, "--once")
        _, stderr = second.communicate(timeout=WAIT_S)
        assert second.returncode == 2 and "another `newsflow ingest`" in stderr
    finally:
        running.send_signal(signal.SIGTERM)
        finished(running)


def test_a_missing_topic_is_a_clear_error(kafka_bootstrap: str, site: NewsSite, tmp_path: Path) -> None:
    settings = Settings(bootstrap=kafka_bootstrap, topic_prefix=f"absent-{uuid.uuid4().hex[:8]}.", home=tmp_path)
    process = ingest(settings, "--feed", site.url("/ar/rss.xml"), "--once", "--store", str(tmp_path / "s.db"))
    _, stderr = process.communicate(timeout=WAIT_S)
    assert process.returncode == 2 and "does not exist: run `newsflow topics create`" in stderr
