"""The `newsflow` command line: parses arguments and hands the work to the modules that own it."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
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

from agents.classify.cli import classify_app
from pipeline.config import Settings, load_settings
from pipeline.errors import ConfigError
from pipeline.producer import PublishReport
from pipeline.records import Record
from pipeline.sources import InputProblem

app = typer.Typer(
    name="newsflow",
    help="Streaming news enrichment on Apache Kafka: normalize, extract entities and classify articles.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
broker_app = typer.Typer(help="Run a local single-node Kafka (KRaft) for development and tests.")
topics_app = typer.Typer(help="Create and inspect the pipeline's topics.")
app.add_typer(broker_app, name="broker", rich_help_panel="Local Kafka")
app.add_typer(topics_app, name="topics", rich_help_panel="Local Kafka")
app.add_typer(classify_app, name="classify", rich_help_panel="Quality")

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


def print_problems(problems: Iterable[InputProblem]) -> None:
    """One line per input item that was skipped."""
    for problem in problems:
        console.print(f"[yellow]skipped[/] {problem.where}: {problem.message}", highlight=False)


# ---------------------------------------------------------------- broker


@broker_app.command("start")
def broker_start(timeout: Annotated[float, typer.Option(help="Seconds to wait for readiness.")] = 90) -> None:
    """Start the local Kafka broker (3.9.1; NEWSFLOW_KAFKA_VERSION picks another 3.9.x or a 4.x release), resolving
    its jars with Maven on first use, and wait until it answers."""
    from pipeline import broker

    settings = settings_for()
    info = broker.start(
        settings.home,
        kafka_version=settings.kafka_version,
        timeout=timeout,
        on_progress=lambda line: console.print(line),
    )
    console.print(
        f"[green]broker running[/] at {info.bootstrap} "
        f"(Kafka {info.kafka_version}, pid {info.pid}, log {info.log_path})"
    )
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
    console.print(
        f"running at {info.bootstrap} (Kafka {info.kafka_version}, pid {info.pid}, since {info.started_at}, "
        f"log {info.log_path})"
    )
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


@app.command(rich_help_panel="Data in")
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
    print_problems(report.problems)
    console.print(f"published {len(report.sent)} article(s), skipped {len(report.problems)}")
    if report.problems:
        raise typer.Exit(1)


@app.command(rich_help_panel="Data in")
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
    from pipeline.tail import utc_if_naive

    settings = settings_for(bootstrap)
    with progress_bar() as progress:
        task = progress.add_task("replaying", total=None)
        advance = lambda _: progress.advance(task)  # noqa: E731
        if topic:
            report = replay_topic(settings, topic, utc_if_naive(since or datetime.fromtimestamp(0, UTC)), advance)
        else:
            if since:
                raise ConfigError("--since goes with --topic")
            report = replay_files(settings, paths or [DEFAULT_SEEDS], advance)
    _finish_publish(report)


# ---------------------------------------------------------------- stages


@app.command(rich_help_panel="Run")
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


@app.command(rich_help_panel="Run")
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
                print_problems([result.problem])
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


@app.command("eval", rich_help_panel="Quality")
def evaluate(
    path: Annotated[Path, typer.Argument(help="A folder of gold articles: NAME.txt with NAME.json beside it.")] = Path(
        "tests/data"
    ),
    baseline: Annotated[
        bool, typer.Option(help="Also score the zero-shot sentence-encoder baseline, side by side.")
    ] = True,
    details: Annotated[bool, typer.Option(help="List each article's missed and spurious entities.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON instead of tables.")] = False,
) -> None:
    """Score the pipeline against gold-annotated articles: entity P/R/F1 per type and language, topic accuracy."""
    from agents.classify.baseline import load_baseline
    from agents.registry import build_stage
    from pipeline.evaluate import render, report_json, run_eval
    from pipeline.evaluate.agreement import ANNOTATIONS
    from pipeline.evaluate.agreement import agreement as folder_agreement
    from pipeline.evaluate.agreement_report import agreement_summary

    settings = settings_for()
    classifiers = {f"newsflow ({settings.classify_method})": build_stage("classify", settings).transform}
    if baseline:
        classifiers["use-baseline"] = load_baseline(threshold=settings.topic_threshold)
    with console.status("running the pipeline on the gold articles…"):
        report = run_eval(path, settings, classifiers)
    if as_json:
        sys.stdout.buffer.write(orjson.dumps(report_json(report), option=orjson.OPT_INDENT_2) + b"\n")
        return
    render(report, Console(), details=details)
    if path.is_dir() and (path / ANNOTATIONS).exists() and (summary := agreement_summary(folder_agreement(path))):
        Console().print(summary)


@app.command(rich_help_panel="Quality")
def agreement(
    path: Annotated[
        Path, typer.Argument(help="A gold folder with topic-annotations.jsonl and/or subtopic-annotations.jsonl.")
    ] = Path("tests/data"),
    write: Annotated[
        bool, typer.Option("--write", help="Rewrite each gold .json's topics to the annotators' majority vote.")
    ] = False,
) -> None:
    """Show how far a gold folder's topic annotators agree; the gold's topics are their majority vote.

    Fails when a gold .json's topics are not the majority vote of the annotation files (--write fixes that)."""
    from pipeline.evaluate.agreement import agreement as folder_agreement
    from pipeline.evaluate.agreement import write_adjudicated
    from pipeline.evaluate.agreement_report import render_agreement

    result = folder_agreement(path)
    render_agreement(result, Console())
    if write:
        for article in write_adjudicated(result):
            console.print(f"rewrote {article.path.with_suffix('.json')}")
    elif stale := result.out_of_date():
        names = ", ".join(article.id for article in stale)
        raise ConfigError(f"the gold topics of {names} are not the annotators' majority vote; run with --write")


@app.command(rich_help_panel="Watch")
def tail(
    topic: Annotated[str, typer.Argument(help="A topic: raw, normalized, entities, enriched, dlq or a full name.")],
    bootstrap: Bootstrap = None,
    start: Annotated[str, typer.Option(help="beginning, end, or an ISO 8601 time.")] = "beginning",
    follow: Annotated[bool, typer.Option("--follow", "-f", help="Keep waiting for new records.")] = False,
    limit: Annotated[int | None, typer.Option("--limit", "-n", help="Stop after this many records.")] = None,
    pretty: Annotated[bool, typer.Option(help="Indent each record.")] = False,
) -> None:
    """Print a topic's records as JSON lines (the key and position go to standard error with --pretty)."""
    from pipeline.tail import Start, read_topics, utc_if_naive

    settings = settings_for(bootstrap)
    begin: Start = start
    if start not in ("beginning", "end"):
        try:
            begin = utc_if_naive(datetime.fromisoformat(start))
        except ValueError:
            raise ConfigError(f"--start {start!r}: expected beginning, end or an ISO 8601 time") from None
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


@app.command(rich_help_panel="Run")
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
            print_problems(report.problems)
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
        info = broker.start(
            settings.home, kafka_version=settings.kafka_version, on_progress=lambda line: console.print(line)
        )
    console.print(f"using Kafka at {info.bootstrap}")
    return settings.model_copy(update={"bootstrap": info.bootstrap})


def show_results(
    enriched: dict[str, Record], dead: dict[str, Record], sent: list[str], output: Path | None
) -> None:
    """The enriched records as JSON lines (standard output or a file) and a summary of each article."""
    from pipeline.summary import render_results

    lines = b"".join(orjson.dumps(enriched[i]) + b"\n" for i in sent if i in enriched)
    if output:
        output.write_bytes(lines)
        console.print(f"enriched records written to {output}")
    else:
        sys.stdout.buffer.write(lines)
        sys.stdout.buffer.flush()
    render_results(console, enriched, dead, sent)


# ---------------------------------------------------------------- dead letters

dlq_app = typer.Typer(help="Inspect the dead-letter topic and re-drive its records after a fix.")
app.add_typer(dlq_app, name="dlq", rich_help_panel="Watch")

DLQStage = Annotated[
    str | None, typer.Option(help="Only dead letters of this stage: normalize, entities or classify.")
]
DLQReason = Annotated[
    str | None, typer.Option(help="Only dead letters with this reason: decode, json, schema, oversize, error, …")
]


@dlq_app.command("list")
def dlq_list(
    bootstrap: Bootstrap = None,
    stage: DLQStage = None,
    reason: DLQReason = None,
    since: Annotated[
        datetime | None, typer.Option(help="Only dead letters written from this time on (ISO 8601, UTC if naive).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per stage and reason on stdout.")] = False,
) -> None:
    """Summarise `articles.dlq` by stage and reason: how many, how many re-driven already, the latest error."""
    from dataclasses import asdict

    from pipeline.dlq import dlq_summary, since_start

    rows = dlq_summary(settings_for(bootstrap), since_start(since), stage, reason)
    if as_json:
        sys.stdout.buffer.write(b"".join(orjson.dumps(asdict(row)) + b"\n" for row in rows))
        sys.stdout.buffer.flush()
        return
    table = Table("stage", "reason", "count", "re-driven", "last failed at", "latest error")
    for row in rows:
        table.add_row(
            row.stage, row.reason, str(row.count), str(row.replayed), row.last_failed_at or "-", row.example[:80]
        )
    console.print(table)
    console.print(f"{sum(row.count for row in rows)} dead letter(s)")


@dlq_app.command("replay")
def dlq_replay(
    bootstrap: Bootstrap = None,
    stage: DLQStage = None,
    reason: DLQReason = None,
    again: Annotated[
        bool, typer.Option("--again", help="Also re-send dead letters an earlier replay re-drove already.")
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only say what would be re-driven.")] = False,
) -> None:
    """Re-drive dead letters' original bytes (same key) to the topic their stage consumes, each one once."""
    from pipeline.dlq import replay as replay_dead_letters

    report = replay_dead_letters(settings_for(bootstrap), stage=stage, reason=reason, again=again, dry_run=dry_run)
    for letter, why in report.problems:
        console.print(f"[yellow]skipped[/] dlq {letter.position} ({letter.stage} {letter.reason}): {why}")
    verb = "would re-drive" if dry_run else "re-drove"
    console.print(
        f"{verb} {len(report.sent)} dead letter(s); {report.already_replayed} skipped as re-driven before "
        "(--again re-sends them)"
    )
    if report.problems:
        raise typer.Exit(1)


# ---------------------------------------------------------------- lag monitoring

Groups = Annotated[
    list[str] | None,
    typer.Option(
        "--group",
        "-g",
        help="A consumer group to watch (repeatable; default: the three pipeline groups).",
        show_default=False,
    ),
]


@app.command(rich_help_panel="Watch")
def lag(
    bootstrap: Bootstrap = None,
    group: Groups = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON (one object per sample) instead of a table.")
    ] = False,
    watch: Annotated[
        bool, typer.Option("--watch", "-w", help="Redraw every --interval until Ctrl-C or SIGTERM.")
    ] = False,
    interval: Annotated[float, typer.Option(min=0.1, help="Seconds between samples.")] = 2.0,
    window: Annotated[
        int, typer.Option(min=2, help="Samples per partition the statuses judge (STALL/WARN need 10 s of them).")
    ] = 10,
    samples: Annotated[
        int, typer.Option(min=1, help="Without --watch: measure this many times, --interval apart, print the last.")
    ] = 1,
    max_lag: Annotated[
        int | None, typer.Option(min=0, help="Exit 1 when a group's total lag exceeds N messages.", show_default=False)
    ] = None,
    max_seconds: Annotated[
        float | None,
        typer.Option(
            min=0, help="Exit 1 when a group's oldest unconsumed record is older than S seconds.", show_default=False
        ),
    ] = None,
    metrics_port: Annotated[
        int | None,
        typer.Option(help="With --watch: serve the lag gauges for Prometheus on this port.", show_default=False),
    ] = None,
) -> None:
    """Consumer lag per group, topic and partition: offsets, messages behind, age of the oldest unread record.

    Statuses follow Burrow's rules: OK, WARN (lag grows over the window), STALL (consumer alive, offset stuck),
    STOP (no consumer while lag is outstanding), REWIND (committed offset went back). Security settings come from
    NEWSFLOW_SECURITY_PROTOCOL, NEWSFLOW_SASL_* and NEWSFLOW_SSL_*."""
    import contextlib
    import signal

    from kafka.errors import KafkaError
    from rich.live import Live

    from pipeline.lag import LagMonitor, LagProbe, LagReport
    from pipeline.lag_status import Policy
    from pipeline.lag_view import lag_table

    settings = settings_for(bootstrap)
    latest: list[LagReport] = []
    monitor = LagMonitor(Policy(window=window))

    def show(report: LagReport, live: Live | None = None) -> None:
        if as_json:
            sys.stdout.buffer.write(orjson.dumps(report.to_json()) + b"\n")
            sys.stdout.buffer.flush()
        elif live is not None:
            live.update(lag_table(report, max_lag, max_seconds), refresh=True)
        else:
            console.print(lag_table(report, max_lag, max_seconds))

    with LagProbe(settings, group or None) as probe:
        if not watch:
            for index in range(samples):
                time.sleep(interval if index else 0)
                latest[:] = [monitor.update(probe.measure())]
            show(latest[0])
        else:
            if metrics_port is not None:
                from pipeline.metrics import lag_registry, serve

                serve(settings.metrics_host, metrics_port, lag_registry(lambda: latest[0] if latest else None))
                console.print(f"lag metrics at http://{settings.metrics_host}:{metrics_port}/metrics")
            live = None if as_json else Live(console=console, auto_refresh=False)
            # A supervisor's SIGTERM ends the watch as Ctrl-C does, so the thresholds still set the exit code.
            previous_handler = signal.signal(signal.SIGTERM, signal.default_int_handler)
            try:
                with live or contextlib.nullcontext():
                    while True:
                        started = time.monotonic()
                        try:
                            latest[:] = [monitor.update(probe.measure())]
                            show(latest[0], live)
                        except KafkaError as error:  # a broker hiccup: say so, keep the window, try again
                            console.print(f"[yellow]sampling failed, retrying[/]: {error}", highlight=False)
                        time.sleep(max(0.0, interval - (time.monotonic() - started)))
            except KeyboardInterrupt:
                pass
            finally:
                signal.signal(signal.SIGTERM, previous_handler)
    problems = latest[0].exceeded(max_lag, max_seconds) if latest else []
    for problem in problems:
        console.print(f"[red]threshold exceeded[/] {problem}", highlight=False)
    if problems:
        raise typer.Exit(1)


@app.command(rich_help_panel="Watch")
def dashboard(
    bootstrap: Bootstrap = None,
    group: Groups = None,
    host: Annotated[str, typer.Option(help="Address to bind (0.0.0.0 exposes it to the network).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, help="Port (0: any free port).")] = 8765,
    interval: Annotated[float, typer.Option(min=0.1, help="Seconds between samples.")] = 2.0,
    window: Annotated[
        int, typer.Option(min=2, help="Samples per partition the statuses judge (STALL/WARN need 10 s of them).")
    ] = 10,
) -> None:
    """Serve a live page of lag, throughput and dead letters per stage (localhost by default), until Ctrl-C.

    Besides the page: its JSON feed at /api/lag and Prometheus gauges at /metrics."""
    from pipeline.dashboard import serve
    from pipeline.lag import LagProbe
    from pipeline.lag_status import Policy

    settings = settings_for(bootstrap)
    with LagProbe(settings, group or None) as probe:
        page = serve(probe, host=host, port=port, interval=interval, policy=Policy(window=window))
        console.print(f"dashboard at [bold]{page.url}[/] (metrics at {page.url}metrics); Ctrl-C stops it")
        typer.echo(page.url)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
        finally:
            page.stop()


# ---------------------------------------------------------------- ingest


@app.command(rich_help_panel="Data in")
def ingest(
    sources: Annotated[
        Path | None, typer.Option("--sources", "-s", help="Sources file (TOML): feeds, folders, stdin, politeness.")
    ] = None,
    feed: Annotated[list[str] | None, typer.Option("--feed", help="An RSS/Atom feed URL (repeatable).")] = None,
    folder: Annotated[list[Path] | None, typer.Option("--folder", help="A folder to watch (repeatable).")] = None,
    stdin: Annotated[bool, typer.Option("--stdin", help="Read JSON lines (or URLs) from standard input.")] = False,
    store: Annotated[Path | None, typer.Option(help="Seen-store (default: NEWSFLOW_HOME/ingest/seen.sqlite3).")] = None,
    once: Annotated[bool, typer.Option("--once", help="Poll every source once, then exit.")] = False,
    max_cycles: Annotated[
        int | None, typer.Option(min=1, help="Poll every source this many times, then exit.", show_default=False)
    ] = None,
    bootstrap: Bootstrap = None,
    metrics_port: Annotated[
        int | None, typer.Option(help="Serve Prometheus metrics on this port (0: off).", show_default=False)
    ] = None,
) -> None:
    """Ingest feeds, article pages, watched folders and stdin into `articles.raw`, each article once.

    Runs until SIGINT/SIGTERM, which flushes the producer; see docs/ingest.md."""
    from pipeline.ingest.command import ingest as run_ingest
    from pipeline.ingest.command import sources_from

    settings = settings_for(bootstrap, metrics_port=metrics_port)
    chosen = sources_from(sources, feed or [], folder or [], store, stdin)
    run_ingest(settings, chosen, console, max_cycles=1 if once else max_cycles)
