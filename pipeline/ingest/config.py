"""The sources file (TOML): feeds, watched folders, stdin and the politeness and retry settings they share."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator

from pipeline.errors import ConfigError
from pipeline.ingest.urls import canonical_url
from pipeline.records import VERSION

DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
MIN_ARTICLE_CHARS = 200  # for feeds, [defaults] min_chars overrides it
DEFAULT_USER_AGENT = f"newsflow/{VERSION} (news ingestion bot; set [http] user_agent to add your contact)"


def seconds(value: Any) -> Any:
    """A duration as seconds: a number, or a string such as `90`, `1.5s`, `10m`, `2h`, `250ms`."""
    if isinstance(value, str):
        match = DURATION.match(value)
        if not match:
            raise ValueError(f"{value!r} is not a duration (examples: 30, 30s, 10m, 2h)")
        return float(match.group(1)) * UNIT_SECONDS[match.group(2) or "s"]
    return value


Seconds = Annotated[float, BeforeValidator(seconds), Field(ge=0)]


class Strict(BaseModel):
    """A section of the sources file: unknown keys are errors (a typo must not be ignored silently)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class HttpOptions(Strict):
    """How newsflow behaves towards the sites it reads."""

    user_agent: str = Field(default=DEFAULT_USER_AGENT, min_length=1)
    timeout: Seconds = 20.0
    per_host: int = Field(default=2, ge=1, description="requests in flight to one host at a time")
    max_bytes: int = Field(default=5_000_000, ge=1024, description="larger responses are refused")
    max_redirects: int = Field(default=5, ge=0)


class RetryOptions(Strict):
    """Exponential backoff with jitter, per feed and per article page."""

    base: Seconds = 10.0
    max: Seconds = 3600.0
    attempts: int = Field(default=5, ge=1, description="give up on an article page after this many failures")


class FeedDefaults(Strict):
    """Values every feed takes unless it sets its own."""

    interval: Seconds = 600.0
    fetch_pages: bool = True
    recheck_pages: bool = False
    min_chars: int = Field(default=MIN_ARTICLE_CHARS, ge=1, description="shorter extracted text counts as 'no article'")
    strip_params: list[str] = Field(default_factory=list)


class Feed(Strict):
    """One RSS 2.0 or Atom feed; unset values come from [defaults]."""

    url: str
    name: str | None = None
    language: str | None = Field(default=None, pattern=r"^[a-z]{2}$")
    interval: Seconds | None = None
    fetch_pages: bool | None = None
    recheck_pages: bool | None = None
    min_chars: int | None = Field(default=None, ge=1)
    strip_params: list[str] | None = None

    @field_validator("url")
    @classmethod
    def _absolute_http(cls, url: str) -> str:
        canonical_url(url)  # raises InvalidURL (a ValueError) for anything but an absolute http(s) URL
        return url


class Folder(Strict):
    """A directory watched for new `.txt`, `.json`, `.jsonl` and `.html` files."""

    path: Path
    name: str | None = None
    interval: Seconds = 10.0
    settle: Seconds = Field(default=2.0, description="skip files modified more recently: still being written")
    recursive: bool = True


class IngestOptions(Strict):
    """Where the seen-store lives and how long a shutdown may take."""

    store: Path | None = Field(default=None, description="SQLite seen-store, default NEWSFLOW_HOME/ingest/seen.sqlite3")
    shutdown_grace: Seconds = 10.0
    status_every: Seconds = Field(default=60.0, description="print a counters line this often when not on a terminal")


class SourcesFile(Strict):
    """The whole sources file."""

    ingest: IngestOptions = IngestOptions()
    http: HttpOptions = HttpOptions()
    retry: RetryOptions = RetryOptions()
    defaults: FeedDefaults = FeedDefaults()
    feeds: list[Feed] = Field(default_factory=list)
    folders: list[Folder] = Field(default_factory=list)
    stdin: bool = False

    @model_validator(mode="after")
    def _names_are_unique(self) -> SourcesFile:
        names = [feed_settings(self, feed).name for feed in self.feeds]
        names += [folder.name or str(folder.path) for folder in self.folders]
        duplicated = sorted({name for name in names if names.count(name) > 1})
        if duplicated:
            raise ValueError(f"source names must be unique; repeated: {', '.join(duplicated)}")
        return self


class FeedSettings(BaseModel):
    """A feed with every default filled in: what the poller works from."""

    model_config = ConfigDict(frozen=True)

    url: str
    name: str
    language: str | None
    interval: float
    fetch_pages: bool
    recheck_pages: bool
    min_chars: int
    strip_params: frozenset[str]


def feed_settings(sources: SourcesFile, feed: Feed) -> FeedSettings:
    """A feed's effective settings: its own values over [defaults]; its name defaults to its host and path."""
    defaults = sources.defaults
    parts = urlsplit(feed.url)
    return FeedSettings(
        url=feed.url,
        name=feed.name or f"{parts.netloc.lower()}{parts.path.rstrip('/')}",
        language=feed.language,
        interval=defaults.interval if feed.interval is None else feed.interval,
        fetch_pages=defaults.fetch_pages if feed.fetch_pages is None else feed.fetch_pages,
        recheck_pages=defaults.recheck_pages if feed.recheck_pages is None else feed.recheck_pages,
        min_chars=feed.min_chars or defaults.min_chars,
        strip_params=frozenset(feed.strip_params if feed.strip_params is not None else defaults.strip_params),
    )


def parse_sources(text: str, where: str = "sources") -> SourcesFile:
    """A sources file from TOML text; any problem becomes one ConfigError naming the key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{where}: not valid TOML: {error}") from error
    try:
        return SourcesFile.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item['loc']) or '(top level)'}: {item['msg']}" for item in error.errors()
        )
        raise ConfigError(f"{where}: {problems}") from None


def load_sources(path: Path) -> SourcesFile:
    """The sources file at a path, with folder paths taken relative to the file's directory."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the sources file: {error.strerror or error}") from error
    sources = parse_sources(text, str(path))
    base = path.parent
    folders = [folder.model_copy(update={"path": base / folder.path.expanduser()}) for folder in sources.folders]
    store = sources.ingest.store
    ingest = sources.ingest.model_copy(update={"store": base / store.expanduser()}) if store else sources.ingest
    return sources.model_copy(update={"folders": folders, "ingest": ingest})
