"""The whole benchmark in order: in-process figures, the stage benches, then every end-to-end configuration."""

from __future__ import annotations

import asyncio
import os
import platform
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import inprocess, passthrough, scaling
from bench.corpus import DEFAULT_SEED, build, is_arabic
from bench.e2e import Phase, pipeline_specs, relabel, session
from bench.identity import specs as identity_specs
from bench.inprocess import ALL, InProcess
from bench.workers import WorkerSpec
from pipeline.config import Settings
from pipeline.records import Record, dumps

Notify = Callable[[str], None]
WARMUP = 24
TRANSPORT_ESTIMATE_PER_S = 200.0  # only bounds how long a transport burst may take before giving up

TARGETS = {
    "identity_vs_passthrough": (">=", 0.5),
    "e2e_vs_in_process": (">=", 0.7),
    "p99_half_load_ms": ("<", 1000.0),
}


@dataclass(frozen=True)
class Plan:
    """How much to measure."""

    articles: int = 1000
    transport_messages: int = 10_000
    paced_seconds: float = 30.0
    repeats: int = 2  # passes in-process and capacity bursts per configuration; the best counts
    seed: int = DEFAULT_SEED
    e2e: bool = True
    scaling: bool = True
    stage_benches: bool = True


QUICK = Plan(articles=200, transport_messages=2000, paced_seconds=10.0, repeats=1, stage_benches=False)


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    return {
        "cpus": os.cpu_count(),
        "load_average": [round(value, 2) for value in os.getloadavg()],
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def run(plan: Plan, settings: Settings | None, notify: Notify) -> dict[str, Any]:
    """Every measurement of the plan; `settings` (with a bootstrap) is needed only for the end-to-end part."""
    started = datetime.now(UTC)
    results: dict[str, Any] = {"started_at": started.isoformat(), "plan": asdict(plan), "machine": machine()}
    corpus = build(plan.articles, plan.seed)
    results["corpus"] = corpus_summary(corpus)
    measured = inprocess.run(corpus, notify, plan.repeats)
    results["in_process"] = measured.to_json()
    if plan.stage_benches:
        notify("stage benches (normalize peer, entities, classify methods)")
        results["stage_benches"] = inprocess.stage_benches(corpus, measured.outputs["entities"])
    if plan.e2e:
        if settings is None:
            raise ValueError("the end-to-end part needs settings with a broker")
        results["end_to_end"] = asyncio.run(end_to_end(plan, settings, corpus, measured, notify))
    results["ratios"] = ratios(results)
    results["machine"]["load_average_at_end"] = [round(value, 2) for value in os.getloadavg()]
    results["duration_s"] = round((datetime.now(UTC) - started).total_seconds(), 1)
    return results


def corpus_summary(corpus: Sequence[Record]) -> dict[str, Any]:
    """Size and mix of the corpus."""
    arabic = sum(1 for record in corpus if is_arabic(record["raw"]))
    return {
        "articles": len(corpus),
        "arabic_script": arabic,
        "other": len(corpus) - arabic,
        "mean_raw_chars": round(sum(len(record["raw"]) for record in corpus) / max(1, len(corpus))),
    }


def local_broker_pid(settings: Settings) -> int | None:
    """The pid of the local broker when it is the one in use (its CPU time is then reported too)."""
    from pipeline import broker

    info = broker.status(settings.home)
    return info.pid if info is not None and info.bootstrap == settings.bootstrap else None


def _configuration(specs: Sequence[WorkerSpec], phases: list[Phase], peaks: dict[str, float],
                   records: Sequence[Record]) -> dict[str, Any]:  # fmt: skip
    return {
        "workers": dict(Counter(spec.stage for spec in specs)),
        "mean_record_bytes": round(sum(len(dumps(record)) for record in records) / max(1, len(records))),
        "phases": [phase.to_json() for phase in phases],
        "peak_rss_mib": {stage: round(value, 1) for stage, value in peaks.items()},
    }


async def end_to_end(
    plan: Plan, settings: Settings, corpus: Sequence[Record], measured: InProcess, notify: Notify
) -> dict[str, Any]:
    """The real pipeline (capacity, half load, saturation), the scaled one, and the two transport baselines."""
    run_id = f"bench-{time.strftime('%Y%m%d%H%M%S')}-{os.getpid()}"
    settings = replace_settings(settings, partitions=4)
    broker_pid = local_broker_pid(settings)
    estimate = max(1.0, measured.figures[ALL].articles_per_s)
    enriched = measured.outputs["classify"]
    if not enriched:
        raise RuntimeError("no article came out of the in-process run enriched: nothing to feed the baselines")
    out: dict[str, Any] = {"run_id": run_id, "bootstrap": settings.bootstrap, "partitions": settings.partitions}
    warm_raw = relabel(corpus, WARMUP, f"{run_id}:warm")
    with tempfile.TemporaryDirectory(prefix="newsflow-bench-") as scratch:
        run_dir = Path(scratch)

        notify("end to end: the pipeline (one worker per stage)")
        pipeline_settings = with_prefix(settings, run_id, "pipeline")
        specs = pipeline_specs(pipeline_settings)
        burst_timeout = 120 + 3 * plan.articles / estimate
        async with session(pipeline_settings, specs, run_dir / "pipeline", warm_raw, broker_pid) as running:
            capacity = await running.capacity(corpus, plan.articles, f"{run_id}:burst", plan.repeats, burst_timeout)
            rate = max(1.0, capacity.throughput_per_s)
            half_messages = relabel(corpus, max(20, round(rate / 2 * plan.paced_seconds)), f"{run_id}:half")
            half = await running.phase("half load", half_messages, rate / 2, 120)
            full_messages = relabel(corpus, max(20, round(rate * plan.paced_seconds)), f"{run_id}:full")
            full = await running.phase("saturation", full_messages, rate, 180)
        out["pipeline"] = _configuration(specs, [capacity, half, full], running.peak_rss_mib, corpus)

        if plan.scaling:
            slow = scaling.slow_stages(measured.figures)
            workers = scaling.scaled_workers(slow)
            notify(f"end to end: scaling, two workers for {', '.join(slow) or 'no stage'}")
            scaled_settings = with_prefix(settings, run_id, "scaled")
            specs = pipeline_specs(scaled_settings, workers)
            async with session(scaled_settings, specs, run_dir / "scaled", warm_raw, broker_pid) as running:
                scaled = await running.capacity(corpus, plan.articles, f"{run_id}:scaled", plan.repeats, burst_timeout)
            out["scaled"] = _configuration(specs, [scaled], running.peak_rss_mib, corpus)
            out["scaling"] = {"slow_stages": slow, **scaling.compare(capacity, scaled, workers, settings.partitions)}

        warm_enriched = relabel(enriched, WARMUP, f"{run_id}:warm")
        paced = relabel(enriched, max(20, round(rate / 2 * plan.paced_seconds)), f"{run_id}:paced")
        timeout = 120 + 3 * plan.transport_messages / TRANSPORT_ESTIMATE_PER_S
        for name, make_specs in (("passthrough", passthrough.specs), ("identity", identity_specs)):
            notify(f"end to end: baseline {name}")
            baseline_settings = with_prefix(settings, run_id, name)
            specs = make_specs(baseline_settings)
            async with session(baseline_settings, specs, run_dir / name, warm_enriched, broker_pid) as running:
                tag = f"{run_id}:{name}"
                top = await running.capacity(enriched, plan.transport_messages, tag, plan.repeats, timeout)
                low = await running.phase("pipeline's half load", paced, rate / 2, 120)
            out[name] = _configuration(specs, [top, low], running.peak_rss_mib, enriched)
    return out


def replace_settings(settings: Settings, **changes: Any) -> Settings:
    """A copy of the (frozen) settings with some fields changed."""
    return settings.model_copy(update=changes)


def with_prefix(settings: Settings, run_id: str, configuration: str) -> Settings:
    """The settings of one configuration: its own topics and consumer groups under a run-specific prefix."""
    return replace_settings(settings, topic_prefix=f"{settings.topic_prefix}{run_id}-{configuration}.")


def _phase(results: dict[str, Any], configuration: str, index: int) -> dict[str, Any] | None:
    try:
        phase: dict[str, Any] = results["end_to_end"][configuration]["phases"][index]
    except (KeyError, IndexError):
        return None
    return phase


def _worker_cpu(phase: dict[str, Any]) -> float:
    """CPU milliseconds per record of a phase's workers (the broker's excluded)."""
    return float(sum(value for name, value in phase["cpu_ms_per_record"].items() if name != "broker"))


def ratios(results: dict[str, Any]) -> dict[str, Any]:
    """The figures the targets are about, each with its target and whether it is met."""
    found: dict[str, float | None] = {}
    passthrough_top, identity_top = _phase(results, "passthrough", 0), _phase(results, "identity", 0)
    if passthrough_top and identity_top and passthrough_top["throughput_per_s"]:
        found["identity_vs_passthrough"] = identity_top["throughput_per_s"] / passthrough_top["throughput_per_s"]
    capacity = _phase(results, "pipeline", 0)
    in_process = results["in_process"]["stages"][ALL]["articles_per_s"]
    if capacity and in_process:
        found["e2e_vs_in_process"] = capacity["throughput_per_s"] / in_process
    if capacity and capacity["cpu_ms_per_record"]:
        in_process_cpu = results["in_process"]["stages"][ALL]["cpu_ms_per_article"]
        found["in_process_vs_e2e_cpu"] = in_process_cpu / max(1e-9, _worker_cpu(capacity))
    half = _phase(results, "pipeline", 1)
    if half and half["latency_ms"]:
        found["p99_half_load_ms"] = half["latency_ms"]["p99"]
    if passthrough_top and identity_top:
        identity_cpu, passthrough_cpu = _worker_cpu(identity_top), _worker_cpu(passthrough_top)
        if passthrough_cpu:
            found["identity_vs_passthrough_cpu"] = identity_cpu / passthrough_cpu
    scaled = results.get("end_to_end", {}).get("scaling", {})
    if scaled.get("ratio") is not None:
        found["scaled_vs_single"] = scaled["ratio"]
    out: dict[str, Any] = {}
    for name, value in found.items():
        entry: dict[str, Any] = {"value": round(value, 2) if value is not None else None}
        if name in TARGETS and value is not None:
            operator, bound = TARGETS[name]
            entry["target"] = f"{operator} {bound:g}"
            entry["met"] = value >= bound if operator == ">=" else value < bound
        out[name] = entry
    return out
