"""The bench's results as tables: printed with rich, or as Markdown for docs/benchmarks.md."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.table import Table

CONFIGURATIONS = {
    "pipeline": "pipeline",
    "scaled": "pipeline, scaled",
    "passthrough": "(a) aiokafka passthrough",
    "identity": "(b) identity pipeline",
}
E2E_HEADERS = ("configuration", "load", "offered/s", "records/s", "p50 ms", "p95 ms", "p99 ms", "out/sent", "DLQ",
               "other load")  # fmt: skip
RATIO_LABELS = {
    "identity_vs_passthrough": "identity pipeline / aiokafka passthrough (capacity)",
    "identity_vs_passthrough_cpu": "worker CPU per record, identity pipeline / passthrough (3 hops)",
    "e2e_vs_in_process": "full pipeline end to end / in-process all three",
    "in_process_vs_e2e_cpu": "CPU per article, in-process all three / the pipeline's workers",
    "p99_half_load_ms": "p99 latency at half the saturation load (ms)",
    "scaled_vs_single": "two workers per slow stage / one",
}


@dataclass(frozen=True)
class TableData:
    """A titled table of strings."""

    title: str
    headers: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]


def _number(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def in_process_table(results: dict[str, Any]) -> TableData:
    stages = results["in_process"]["stages"]
    rows = []
    for name, figures in stages.items():
        per_article = 1000 / figures["articles_per_s"] if figures["articles_per_s"] else None
        rows.append((name, _number(figures["articles_per_s"]), _number(per_article, 2),
                     _number(figures["cpu_ms_per_article"], 2), _number(figures["load_s"], 2),
                     _number(figures["peak_rss_mib"]), str(figures["dead_lettered"])))  # fmt: skip
    baseline = results["in_process"]["process_baseline_rss_mib"]
    return TableData(
        f"In-process, {results['corpus']['articles']} articles, one process per row "
        f"(a process holding only the corpus peaks at {baseline:.0f} MiB)",
        ("stage", "articles/s", "ms/article", "CPU ms/article", "load s", "peak RSS MiB", "dead-lettered"),
        rows,
    )


def _per_stage(values: dict[str, float], digits: int) -> str:
    return ", ".join(f"{stage} {value:.{digits}f}" for stage, value in values.items())


def end_to_end_table(results: dict[str, Any]) -> TableData:
    rows = []
    for key, label in CONFIGURATIONS.items():
        configuration = results["end_to_end"].get(key)
        if not configuration:
            continue
        for phase in configuration["phases"]:
            latency = phase["latency_ms"]
            rows.append((
                label, phase["name"], _number(phase["offered_per_s"]), _number(phase["throughput_per_s"]),
                _number(latency.get("p50"), 0), _number(latency.get("p95"), 0), _number(latency.get("p99"), 0),
                f"{phase['delivered']}/{phase['sent']}", str(phase["dead_lettered"]),
                f"{phase.get('other_cpu_cores', 0):.1f} cores",
            ))  # fmt: skip
            label = ""
    return TableData(
        f"End to end through Kafka ({results['end_to_end']['partitions']} partitions per topic)", E2E_HEADERS, rows
    )


def workers_table(results: dict[str, Any]) -> TableData:
    rows = []
    for key, label in CONFIGURATIONS.items():
        configuration = results["end_to_end"].get(key)
        if configuration:
            workers = ", ".join(f"{stage}×{count}" for stage, count in configuration["workers"].items())
            cpu = configuration["phases"][0]["cpu_ms_per_record"]
            rows.append((label, workers, _per_stage(configuration["peak_rss_mib"], 0), _per_stage(cpu, 2)))
    return TableData(
        "Worker processes: peak memory (VmHWM, largest process of a stage) and CPU per record at capacity",
        ("configuration", "processes", "peak RSS MiB", "CPU ms/record"),
        rows,
    )


def ratios_table(results: dict[str, Any]) -> TableData:
    rows = []
    for name, entry in results["ratios"].items():
        met = entry.get("met")
        verdict = "-" if met is None else ("met" if met else "NOT met")
        rows.append((RATIO_LABELS.get(name, name), _number(entry["value"], 2), entry.get("target", "-"), verdict))
    return TableData("Ratios (one run)", ("figure", "value", "target", "verdict"), rows)


def tables(results: dict[str, Any]) -> Iterator[TableData]:
    """Every table the results fill."""
    yield in_process_table(results)
    if "end_to_end" in results:
        yield end_to_end_table(results)
        yield workers_table(results)
    if results.get("ratios"):
        yield ratios_table(results)


def stage_bench_lines(results: dict[str, Any]) -> Iterator[str]:
    """One line per stage bench, its headline figures."""
    for name, figures in results.get("stage_benches", {}).items():
        if "error" in figures or "skipped" in figures:
            yield f"{name}: {figures.get('error') or figures.get('skipped')}"
        elif name == "classify_bench":
            methods = figures.get("methods", {})
            yield f"{name}: " + ", ".join(f"{method} {info['articles_per_s']:g}/s" for method, info in methods.items())
        else:
            headline = {key: value for key, value in figures.items() if key.endswith(("per_s", "ratio_vs_peer"))}
            yield f"{name}: " + ", ".join(f"{key} {value}" for key, value in headline.items())


def print_tables(results: dict[str, Any], console: Console) -> None:
    """The tables and stage-bench lines on the console."""
    for data in tables(results):
        table = Table(*data.headers, title=data.title, title_justify="left")
        for row in data.rows:
            table.add_row(*row)
        console.print(table)
    for line in stage_bench_lines(results):
        console.print(line, highlight=False)
    machine = results["machine"]
    console.print(
        f"{machine['cpus']} CPUs, load average {machine['load_average'][0]} at start, "
        f"{machine.get('load_average_at_end', ['?'])[0]} at end; {results.get('duration_s', '?')} s in all",
        highlight=False,
    )


def markdown(results: dict[str, Any]) -> str:
    """The tables as GitHub-flavoured Markdown."""
    parts = []
    for data in tables(results):
        lines = [f"**{data.title}**", "", "| " + " | ".join(data.headers) + " |",
                 "|" + "|".join("---" for _ in data.headers) + "|"]  # fmt: skip
        lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in data.rows]
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"
