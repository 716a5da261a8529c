"""`newsflow ingest` apart from argument parsing: sources from file and flags, the live counters, the run."""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

from rich.console import Console
from rich.live import Live
from rich.logging import RichHandler
from rich.text import Text

from pipeline.config import Settings
from pipeline.ingest.config import Feed, Folder, SourcesFile, load_sources
from pipeline.ingest.counters import Counters
from pipeline.ingest.runner import run_ingest, store_path


def sources_from(
    path: Path | None, feeds: list[str], folders: list[Path], store: Path | None, stdin: bool
) -> SourcesFile:
    """The sources file (if any) with the command line's feeds, folders, store and --stdin added."""
    sources = load_sources(path) if path else SourcesFile()
    updates: dict[str, object] = {
        "feeds": [*sources.feeds, *(Feed(url=url) for url in feeds)],
        "folders": [*sources.folders, *(Folder(path=folder) for folder in folders)],
        "stdin": sources.stdin or stdin,
    }
    if store:
        updates["ingest"] = sources.ingest.model_copy(update={"store": store})
    return sources.model_copy(update=updates)


class CountersLine:
    """The live status line: rich re-renders it on every refresh."""

    def __init__(self, counters: Counters):
        self.counters = counters

    def __rich__(self) -> Text:
        return Text(f"ingesting: {self.counters.summary()}", style="bold")


def ingest(settings: Settings, sources: SourcesFile, console: Console, *, max_cycles: int | None = None) -> Counters:
    """Run the ingester until SIGINT/SIGTERM (or for `max_cycles` polls per source); counters on screen."""
    _log_to(console)
    if settings.metrics_port:
        from pipeline.metrics import serve

        serve(settings.metrics_host, settings.metrics_port)
        console.print(f"metrics at http://{settings.metrics_host}:{settings.metrics_port}/metrics")
    console.print(
        f"ingesting {len(sources.feeds)} feed(s), {len(sources.folders)} folder(s)"
        f"{', stdin' if sources.stdin else ''}; seen-store {store_path(settings, sources)}",
        soft_wrap=True,
    )
    counters = Counters()
    stdin = sys.stdin.buffer if sources.stdin else None

    def status(current: Counters) -> None:
        console.print(f"ingest: {current.summary()}", highlight=False, soft_wrap=True)

    run = run_ingest(
        settings,
        sources,
        stdin=stdin,
        max_cycles=max_cycles,
        counters=counters,
        handle_signals=True,
        on_status=None if console.is_terminal else status,
    )
    if console.is_terminal:
        with Live(CountersLine(counters), console=console, refresh_per_second=2, transient=True):
            asyncio.run(run)
    else:
        asyncio.run(run)
    console.print(f"ingest done: {counters.summary()}", highlight=False, soft_wrap=True)
    return counters


def _log_to(console: Console) -> None:
    """Failure lines: rich on a terminal, plain timestamped lines (one per event, unwrapped) elsewhere."""
    logger = logging.getLogger("newsflow.ingest")
    if logger.handlers:
        return
    handler: logging.Handler
    if console.is_terminal:
        handler = RichHandler(console=console, show_path=False, markup=False, rich_tracebacks=False)
    else:
        handler = logging.StreamHandler(console.file)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
