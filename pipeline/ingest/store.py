"""The persistent seen-store (SQLite): published articles and their revisions, feed links, HTTP validators,
watched files and failing items; one ingester at a time holds it."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import time
from pathlib import Path
from types import TracebackType
from typing import IO

from pipeline.errors import ConfigError
from pipeline.ingest.dedupe import Known
from pipeline.ingest.fetch import Validators
from pipeline.records import now_iso

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    key TEXT PRIMARY KEY,            -- canonical URL, or content:<hash> for an article without one
    revision INTEGER NOT NULL,       -- latest revision published
    record_id TEXT NOT NULL,         -- that revision's record id
    content_hash TEXT NOT NULL,      -- that revision's content hash
    source TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS contents (
    content_hash TEXT PRIMARY KEY,   -- every content ever published, any revision
    key TEXT NOT NULL,
    revision INTEGER NOT NULL,
    record_id TEXT NOT NULL,
    published_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS links (
    link TEXT PRIMARY KEY,           -- a canonical link as found in a feed, or a URL a page redirected from
    key TEXT NOT NULL,               -- the article it led to
    fingerprint TEXT                 -- the feed entry as last processed (unchanged: no need to fetch again)
);
CREATE TABLE IF NOT EXISTS validators (url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT);
CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS failures (
    item TEXT PRIMARY KEY, attempts INTEGER NOT NULL, retry_at REAL NOT NULL, error TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS info (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class StoreBusy(ConfigError):
    """Another ingester holds this seen-store."""


class SeenStore:
    """The seen-store at a path, opened for one process (an exclusive lock file beside the database)."""

    def __init__(self, path: Path):
        self.path = path
        self._lock: IO[str] | None = None
        self._db: sqlite3.Connection | None = None

    def __enter__(self) -> SeenStore:
        self.open()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def open(self) -> None:
        """Take the lock, open the database and create its tables if new."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = open(self.path.with_name(self.path.name + ".lock"), "a+", encoding="utf-8")  # noqa: SIM115
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "unknown"
            lock.close()
            raise StoreBusy(
                f"{self.path}: another `newsflow ingest` (pid {holder}) uses this seen-store; "
                "stop it, or give this one its own store"
            ) from None
        lock.truncate(0)
        lock.write(str(os.getpid()))
        lock.flush()
        self._lock = lock
        db = sqlite3.connect(self.path, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable at each checkpoint, safe from corruption
        db.executescript(SCHEMA)
        found = db.execute("SELECT value FROM info WHERE name = 'schema_version'").fetchone()
        if found is None:
            db.execute("INSERT INTO info VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        elif int(found[0]) != SCHEMA_VERSION:
            raise ConfigError(f"{self.path}: seen-store schema {found[0]}, this newsflow reads {SCHEMA_VERSION}")
        self._db = db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        if self._lock is not None:
            self._lock.close()  # closing the file releases the lock
            self._lock = None

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            raise RuntimeError("seen-store used before open()")
        return self._db

    # ------------------------------------------------------------ articles

    def latest(self, key: str) -> Known | None:
        """The latest revision published under a key (canonical URL or content key)."""
        row = self.db.execute(
            "SELECT key, revision, record_id, content_hash FROM articles WHERE key = ?", (key,)
        ).fetchone()
        return Known(*row) if row else None

    def with_content(self, digest: str) -> Known | None:
        """The revision, under any key, that had exactly this content."""
        row = self.db.execute(
            "SELECT key, revision, record_id, content_hash FROM contents WHERE content_hash = ?", (digest,)
        ).fetchone()
        return Known(*row) if row else None

    def record_published(self, known: Known, source: str) -> None:
        """Remember a revision the broker acknowledged."""
        now = now_iso()
        with self.db:
            self.db.execute("BEGIN")
            self.db.execute(
                "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET "
                "revision = excluded.revision, record_id = excluded.record_id, "
                "content_hash = excluded.content_hash, source = excluded.source, updated_at = excluded.updated_at",
                (known.key, known.revision, known.record_id, known.content_hash, source, now),
            )
            self.db.execute(
                "INSERT OR IGNORE INTO contents VALUES (?, ?, ?, ?, ?)",
                (known.content_hash, known.key, known.revision, known.record_id, now),
            )

    def published_count(self) -> int:
        """How many revisions the store remembers publishing."""
        return int(self.db.execute("SELECT count(*) FROM contents").fetchone()[0])

    # ------------------------------------------------------------ feed links

    def link(self, link: str) -> tuple[str, str | None] | None:
        """The article key a feed link led to, and the entry's fingerprint when it was processed."""
        row = self.db.execute("SELECT key, fingerprint FROM links WHERE link = ?", (link,)).fetchone()
        return (row[0], row[1]) if row else None

    def remember_link(self, link: str, key: str, fingerprint: str | None) -> None:
        self.db.execute(
            "INSERT INTO links VALUES (?, ?, ?) ON CONFLICT(link) DO UPDATE SET "
            "key = excluded.key, fingerprint = excluded.fingerprint",
            (link, key, fingerprint),
        )

    # ------------------------------------------------------------ HTTP validators

    def validators(self, url: str) -> Validators:
        row = self.db.execute("SELECT etag, last_modified FROM validators WHERE url = ?", (url,)).fetchone()
        return Validators(*row) if row else Validators()

    def remember_validators(self, url: str, validators: Validators) -> None:
        if validators.etag or validators.last_modified:
            self.db.execute(
                "INSERT OR REPLACE INTO validators VALUES (?, ?, ?)",
                (url, validators.etag, validators.last_modified),
            )
        else:
            self.db.execute("DELETE FROM validators WHERE url = ?", (url,))

    # ------------------------------------------------------------ watched files

    def file_state(self, path: Path) -> tuple[int, int] | None:
        """(size, mtime_ns) of a watched file when it was last read."""
        row = self.db.execute("SELECT size, mtime_ns FROM files WHERE path = ?", (str(path),)).fetchone()
        return (int(row[0]), int(row[1])) if row else None

    def remember_file(self, path: Path, size: int, mtime_ns: int) -> None:
        self.db.execute("INSERT OR REPLACE INTO files VALUES (?, ?, ?)", (str(path), size, mtime_ns))

    # ------------------------------------------------------------ failing items

    def failure(self, item: str) -> tuple[int, float] | None:
        """(attempts so far, earliest next attempt as a Unix time) of an item that failed before."""
        row = self.db.execute("SELECT attempts, retry_at FROM failures WHERE item = ?", (item,)).fetchone()
        return (int(row[0]), float(row[1])) if row else None

    def remember_failure(self, item: str, attempts: int, retry_in: float, error: str) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO failures VALUES (?, ?, ?, ?)", (item, attempts, time.time() + retry_in, error)
        )

    def forget_failure(self, item: str) -> None:
        self.db.execute("DELETE FROM failures WHERE item = ?", (item,))
