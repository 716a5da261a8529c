"""The `newsflow` command line: parses arguments and hands the work to the modules that own it."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from pipeline.config import Settings, load_settings
from pipeline.errors import ConfigError
from pipeline.producer import PublishReport
from pipeline.records import Record

app = typer.Typer(
    name="newsflow",
    help="Streaming news enrichment on Apache Kafka: normalize, extract entities and classify articles.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
broker_app = typer.Typer(help="Run a local single-node Kafka (KRaft) for development and tests.")
topics_app = typer.Typer(help="Create and inspect the pipeline's topics.")
app.add_typer(broker_app, name="broker")
app.add_typer(topics_app, name="topics")

console = Console(stderr=True)

Bootstrap = Annotated[
    str | None,
    typer.Option(
        "--bootstrap",
        "-b",
        help="Kafka bootstrap servers (host:port). Default: NEWSFLOW_BOOTSTRAP, then a local broker "
        "left running by `newsflow broker start`.",
        show_default=False,
    ),
]
Paths = Annotated[
    list[Path],
    typer.Argument(help="Article files (.txt raw article, .json, .jsonl) or directories of them.", show_default=False),
]


def settings_for(bootstrap: str | None = None, **overrides: object) -> Settings:
    """Settings from the environment with this command's flags on top."""
    return load_settings(bootstrap=bootstrap, **overrides)


def progress_bar() -> Progress:
    """The progress display every long command uses."""
    return Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def print_problems(report: PublishReport) -> None:
    """One line per input item that was not published."""
    for problem in report.problems:
        console.print(f"[yellow]skipped[/] {problem.where}: {problem.message}", highlight=False)


# ---------------------------------------------------------------- broker


@broker_app.command("start")
def broker_start(timeout: Annotated[float, typer.Option(help="Seconds to wait for readiness.")] = 90) -> None:
    """Start the local Kafka 3.9.1 broker (resolving its jars with Maven on first use) and wait until it answers."""
    from pipeline import broker

    settings = settings_for()
    info = broker.start(settings.home, timeout=timeout, on_progress=lambda line: console.print(line))
    console.print(f"[green]broker running[/] at {info.bootstrap} (pid {info.pid}, log {info.log_path})")
    typer.echo(info.bootstrap)


@broker_app.command("stop")
def broker_stop(timeout: Annotated[float, typer.Option(help="Seconds before a forced kill.")] = 30) -> None:
    """Stop the local broker gracefully (SIGTERM), forcefully after the timeout."""
    from pipeline import broker

    if broker.stop(settings_for().home, timeout=timeout):
        console.print("broker stopped")
    else:
        console.print("no local broker was running")


@broker_app.command("status")
def broker_status() -> None:
    """Say whether the local broker runs, and where. Exit code 1 when it does not."""
    from pipeline import broker

    info = broker.status(settings_for().home)
    if info is None:
        console.print("no local broker running (start one with `newsflow broker start`)")
        raise typer.Exit(1)
    console.print(f"running at {info.bootstrap} (pid {info.pid}, since {info.started_at}, log {info.log_path})")
    typer.echo(info.bootstrap)


# ---------------------------------------------------------------- topics


@topics_app.command("create")
def topics_create(
    bootstrap: Bootstrap = None,
    partitions: Annotated[int | None, typer.Option(min=1, help="Partitions per topic [default: 4].")] = None,
    replication_factor: Annotated[int | None, typer.Option(min=1, help="Replicas per partition [default: 1].")] = None,
) -> None:
    """Create the pipeline's topics that are missing (idempotent), all with the same partition count."""
    from pipeline.topics import create_topics

    settings = settings_for(bootstrap, partitions=partitions, replication_factor=replication_factor)
    table = Table("topic", "partitions", "state")
    for state in create_topics(settings):
        note = "created" if state.created else "exists"
        if state.partitions != settings.partitions:
            note += f" [yellow](has {state.partitions}, configured {settings.partitions})[/]"
        table.add_row(state.name, str(state.partitions), note)
    console.print(table)


# ---------------------------------------------------------------- producing


@app.command()
def produce(paths: Paths, bootstrap: Bootstrap = None) -> None:
    """Publish articles to `articles.raw` (idempotent producer, acks=all), keyed by their stable id."""
    from pipeline.producer import publish
    from pipeline.sources import expand_paths, read_articles

    settings = settings_for(bootstrap)
    files = expand_paths(paths)
    with progress_bar() as progress:
        task = progress.add_task("publishing", total=None)
        report = publish(settings, read_articles(files), on_item=lambda _: progress.advance(task))
    _finish_publish(report)


def _finish_publish(report: PublishReport) -> None:
    print_problems(report)
    console.print(f"published {len(report.sent)} article(s), skipped {len(report.problems)}")
    if report.problems:
        raise typer.Exit(1)


@app.command()
def replay(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Article files or directories [default: seeds/].", show_default=False)
    ] = None,
    topic: Annotated[
        str | None, typer.Option(help="Instead of files, re-drive this topic's articles through the pipeline.")
    ] = None,
    since: Annotated[
        datetime | None, typer.Option(help="With --topic: replay records from this time on (ISO 8601, UTC if naive).")
    ] = None,
    bootstrap: Bootstrap = None,
) -> None:
    """Replay the seeds (or other article files), or a topic from a point in time, into `articles.raw`."""
    from pipeline.replay import DEFAULT_SEEDS, replay_files, replay_topic

    settings = settings_for(bootstrap)
    with progress_bar() as progress:
        task = progress.add_task("replaying", total=None)
        advance = lambda _: progress.advance(task)  # noqa: E731
        if topic:
            start = since or datetime.fromtimestamp(0, UTC)
            report = replay_topic(settings, topic, start if start.tzinfo else start.replace(tzinfo=UTC), advance)
        else:
            if since:
                raise ConfigError("--since goes with --topic")
            report = replay_files(settings, paths or [DEFAULT_SEEDS], advance)
    _finish_publish(report)


# ---------------------------------------------------------------- stages


@app.command()
def agent(
    name: Annotated[str, typer.Argument(help="The stage: normalize, entities or classify.")],
    bootstrap: Bootstrap = None,
    metrics_port: Annotated[
        int | None, typer.Option(help="Serve Prometheus metrics on this port (0: off).", show_default=False)
    ] = None,
    loglevel: Annotated[str, typer.Option(help="faust log level.")] = "warning",
) -> None:
    """Run one stage as a faust worker (consumer group `newsflow-NAME`) until SIGINT/SIGTERM."""
    from agents.registry import build_stage
    from pipeline.app import run_worker

    settings = settings_for(bootstrap, metrics_port=metrics_port)
    run_worker(settings, build_stage(name, settings), loglevel=loglevel)


@app.command()
def enrich(
    paths: Paths,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write JSON lines here instead of standard output.")
    ] = None,
    dlq: Annotated[Path | None, typer.Option(help="Write dead-letter envelopes here as JSON lines.")] = None,
) -> None:
    """Run all three stages in-process (no Kafka) and print one enriched JSON record per line."""
    from pipeline.enrich import enrich as enrich_items
    from pipeline.sources import expand_paths, read_articles

    settings = settings_for()
    files = expand_paths(paths)
    failed = 0
    out = output.open("wb") if output else sys.stdout.buffer
    dead = dlq.open("wb") if dlq else None
    try:
        for result in enrich_items(settings, read_articles(files)):
            if result.record is not None:
                out.write(orjson.dumps(result.record) + b"\n")
                continue
            failed += 1
            if result.problem is not None:
                console.print(f"[yellow]skipped[/] {result.problem.where}: {result.problem.message}", highlight=False)
            elif result.dead_letter is not None:
                letter = result.dead_letter
                console.print(
                    f"[yellow]dead letter[/] {letter['id']} at {letter['stage']}: "
                    f"{letter['reason']}: {letter['error']['message']}",
                    highlight=False,
                )
                if dead:
                    dead.write(orjson.dumps(letter) + b"\n")
    finally:
        out.flush()
        if output:
            out.close()
        if dead:
            dead.close()
    if failed:
        raise typer.Exit(1)


@app.command()
def tail(
    topic: Annotated[str, typer.Argument(help="A topic: raw, normalized, entities, enriched, dlq or a full name.")],
    bootstrap: Bootstrap = None,
    start: Annotated[str, typer.Option(help="beginning, end, or an ISO 8601 time.")] = "beginning",
    follow: Annotated[bool, typer.Option("--follow", "-f", help="Keep waiting for new records.")] = False,
    limit: Annotated[int | None, typer.Option("--limit", "-n", help="Stop after this many records.")] = None,
    pretty: Annotated[bool, typer.Option(help="Indent each record.")] = False,
) -> None:
    """Print a topic's records as JSON lines (the key and position go to standard error with --pretty)."""
    from pipeline.tail import read_topics

    settings = settings_for(bootstrap)
    begin: str | datetime = start
    if start not in ("beginning", "end"):
        try:
            begin = datetime.fromisoformat(start)
        except ValueError:
            raise ConfigError(f"--start {start!r}: expected beginning, end or an ISO 8601 time") from None
        begin = begin if begin.tzinfo else begin.replace(tzinfo=UTC)
    option = orjson.OPT_INDENT_2 if pretty else 0
    for message in read_topics(settings, [topic], start=begin, follow=follow, limit=limit):
        if pretty:
            console.print(f"[dim]{message.topic}/{message.partition}@{message.offset} key={message.key!r}[/]")
        try:
            line = orjson.dumps(orjson.loads(message.value), option=option)
        except orjson.JSONDecodeError:
            line = orjson.dumps({"undecodable": repr(message.value)[:200]})
        sys.stdout.buffer.write(line + b"\n")
        sys.stdout.buffer.flush()


@app.command()
def run(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Article files or directories to publish once the workers run.", show_default=False),
    ] = None,
    bootstrap: Bootstrap = None,
    seeds: Annotated[bool, typer.Option("--seeds", help="Publish the seed articles in seeds/.")] = False,
    until_done: Annotated[
        bool,
        typer.Option("--until-done", help="Exit once every published article is enriched or dead-lettered."),
    ] = False,
    timeout: Annotated[float, typer.Option(help="With --until-done: give up after this many seconds.")] = 300,
    partitions: Annotated[int | None, typer.Option(min=1, help="Partitions for topics it creates.")] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="With --until-done: write enriched records here.")
    ] = None,
) -> None:
    """Run the whole pipeline: broker (the local one if none is configured), topics, one worker per stage.

    With article paths or --seeds it publishes them; with --until-done it prints the enriched records and
    exits when all have arrived. Without --until-done it runs until Ctrl-C."""
    from pipeline.replay import DEFAULT_SEEDS, replay_files
    from pipeline.runner import Supervisor, wait_for
    from pipeline.topics import create_topics

    settings = ensure_broker(settings_for(bootstrap, partitions=partitions))
    create_topics(settings)
    sources = [*(paths or []), *([DEFAULT_SEEDS] if seeds else [])]
    with Supervisor(settings) as supervisor:
        console.print(f"workers started: {', '.join(supervisor.workers)} (logs in {supervisor.log_dir})")
        if sources:
            since = datetime.now(UTC)
            report = replay_files(settings, sources)
            print_problems(report)
            console.print(f"published {len(report.sent)} article(s); waiting for the pipeline")
            if until_done:
                results = wait_for(settings, report.sent, since, timeout, still_running=supervisor.check)
                show_results(results.enriched, results.dead_letters, report.sent, output)
                if not results.settled(set(report.sent)) or results.dead_letters:
                    raise typer.Exit(1)
                return
        if until_done and not sources:
            raise ConfigError("--until-done needs article paths or --seeds")
        console.print("running; Ctrl-C stops the workers gracefully")
        try:
            while True:
                supervisor.check(
                    on_restart=lambda worker, code: console.print(
                        f"[yellow]worker {worker.stage} exited ({code}); restarting[/] (log {worker.log})"
                    )
                )
                time.sleep(1)
        except KeyboardInterrupt:
            console.print("stopping workers…")


def ensure_broker(settings: Settings) -> Settings:
    """The settings with a bootstrap: the configured one, a running local broker, or one started now."""
    from pipeline import broker

    if settings.bootstrap:
        return settings
    info = broker.status(settings.home)
    if info is None:
        console.print("no broker configured: starting the local one (`newsflow broker stop` stops it)")
        info = broker.start(settings.home, on_progress=lambda line: console.print(line))
    console.print(f"using Kafka at {info.bootstrap}")
    return settings.model_copy(update={"bootstrap": info.bootstrap})


def show_results(
    enriched: dict[str, Record], dead: dict[str, Record], sent: list[str], output: Path | None
) -> None:
    """A table of what each published article became, and the enriched records as JSON lines."""
    table = Table("id", "language", "title", "entities", "primary topic", "status")
    for article_id in sent:
        record = enriched.get(article_id)
        if record is not None:
            primary = record.get("primary_topic") or {}
            table.add_row(
                article_id,
                ",".join(record["languages"]),
                record["title"][:48],
                str(len(record["entities"])),
                f"{primary.get('label', '-')} ({primary.get('score', 0):.2f})",
                "[green]enriched[/]",
            )
        elif article_id in dead:
            letter = dead[article_id]
            table.add_row(article_id, "", "", "", "", f"[red]dlq: {letter['stage']} {letter['reason']}[/]")
        else:
            table.add_row(article_id, "", "", "", "", "[red]missing (timed out)[/]")
    lines = b"".join(orjson.dumps(enriched[i]) + b"\n" for i in sent if i in enriched)
    if output:
        output.write_bytes(lines)
        console.print(f"enriched records written to {output}")
    else:
        sys.stdout.buffer.write(lines)
        sys.stdout.buffer.flush()
    console.print(table)
