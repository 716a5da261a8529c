"""The sources file: defaults, durations, per-feed overrides, and one clear error for every mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from pipeline.ingest.command import sources_from
from pipeline.ingest.config import feed_settings, load_sources, parse_sources, seconds

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("text", "value"),
    [("90", 90.0), ("1.5s", 1.5), ("10m", 600.0), ("2h", 7200.0), ("250ms", 0.25), ("1d", 86400.0), (30, 30)],
)
def test_durations(text: str | int, value: float) -> None:
    assert seconds(text) == value


def test_a_feed_takes_the_defaults_it_does_not_set() -> None:
    sources = parse_sources(
        """
        [defaults]
        interval = "5m"
        min_chars = 50
        strip_params = ["from"]

        [[feeds]]
        url = "https://ex.com/rss.xml"

        [[feeds]]
        url = "https://ex.com/other.xml"
        name = "other"
        interval = 30
        fetch_pages = false
        strip_params = []
        """
    )
    first, second = (feed_settings(sources, feed) for feed in sources.feeds)
    assert (first.name, first.interval, first.min_chars, first.strip_params) == (
        "ex.com/rss.xml",
        300.0,
        50,
        frozenset({"from"}),
    )
    assert (second.name, second.interval, second.fetch_pages, second.strip_params) == (
        "other",
        30.0,
        False,
        frozenset(),
    )


@pytest.mark.parametrize(
    ("text", "mentions"),
    [
        ("[[feeds]]\nurl = 'https://ex.com/a'\nintervl = 3\n", "feeds.0.intervl"),
        ("[http]\ntimeout = 'soon'\n", "http.timeout"),
        ("[http]\nper_host = 0\n", "http.per_host"),
        ("[[feeds]]\nurl='https://a/x'\nname='n'\n[[feeds]]\nurl='https://b/y'\nname='n'\n", "repeated: n"),
        ("[[feeds]\n", "not valid TOML"),
        ("[[feeds]]\nurl='https://a/x'\nlanguage='Arabic'\n", "feeds.0.language"),
        ("[[feeds]]\nurl='ex.com/rss.xml'\n", "feeds.0.url: Value error, not an absolute http"),
    ],
)
def test_mistakes_are_config_errors_naming_the_key(text: str, mentions: str) -> None:
    with pytest.raises(ConfigError, match=mentions):
        parse_sources(text)


def test_folder_and_store_paths_are_relative_to_the_sources_file(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "sources.toml"
    path.parent.mkdir()
    path.write_text("[ingest]\nstore = 'state/seen.db'\n[[folders]]\npath = 'inbox'\n", encoding="utf-8")
    sources = load_sources(path)
    assert sources.folders[0].path == tmp_path / "conf" / "inbox"
    assert sources.ingest.store == tmp_path / "conf" / "state" / "seen.db"


def test_a_missing_sources_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_sources(tmp_path / "absent.toml")


def test_flags_add_to_the_sources_file(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text("[[feeds]]\nurl = 'https://ex.com/a.xml'\n", encoding="utf-8")
    sources = sources_from(path, ["https://ex.com/b.xml"], [tmp_path], tmp_path / "seen.db", stdin=True)
    assert [feed.url for feed in sources.feeds] == ["https://ex.com/a.xml", "https://ex.com/b.xml"]
    assert [folder.path for folder in sources.folders] == [tmp_path]
    assert sources.stdin and sources.ingest.store == tmp_path / "seen.db"


def test_the_example_sources_file_is_valid() -> None:
    sources = load_sources(ROOT / "sources.example.toml")
    assert sources.feeds
