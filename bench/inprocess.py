"""In-process throughput and peak memory: each stage alone and all three chained, each in a fresh process.

A measurement runs what a worker runs for each record, `agents.stage.apply` (input validation, transform,
provenance, output validation), with the stage built as `agents.registry.build_stage` builds it, so it is the
compute limit of the deployed stage without Kafka. Each runs in its own spawned process, so its peak resident
memory (VmHWM) is that stage's alone: interpreter, libraries, models and the corpus it was handed. (Not
ru_maxrss: Linux carries that over fork and exec, so a child would report its parent's peak.)
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

from agents.registry import STAGE_NAMES, build_stage
from agents.stage import Stage, StageFailure, apply
from bench import workers
from pipeline.config import load_settings
from pipeline.records import Record

ALL = "all three"
Result = TypeVar("Result")


@dataclass(frozen=True)
class Figures:
    """One in-process measurement."""

    name: str
    articles: int
    seconds: float
    articles_per_s: float
    load_s: float
    cpu_ms_per_article: float  # CPU time, which other work on a shared machine does not inflate as it does time
    peak_rss_mib: float
    dead_lettered: int
    stage_seconds: dict[str, float]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def peak_rss_mib() -> float:
    """This process's own peak resident set size in MiB."""
    return workers.peak_rss_mib(os.getpid()) or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class _Pass:
    spent: list[float]  # seconds in each stage
    cpu: float
    dead: int
    outputs: list[list[Record]]


def _one_pass(stages: Sequence[Stage], inputs: Sequence[Record], keep: bool) -> _Pass:
    spent = [0.0] * len(stages)
    outputs: list[list[Record]] = [[] for _ in stages]
    dead = 0
    cpu_started = time.process_time()
    for record in inputs:
        current = record
        for index, stage in enumerate(stages):
            tick = time.perf_counter()
            try:
                current = apply(stage, current)
            except StageFailure:
                dead += 1
                break
            finally:
                spent[index] += time.perf_counter() - tick
            if keep:
                outputs[index].append(current)
    return _Pass(spent, time.process_time() - cpu_started, dead, outputs)


def measure(
    names: Sequence[str], inputs: Sequence[Record], keep: bool = False, rounds: int = 1
) -> tuple[Figures, list[list[Record]]]:
    """Run the named stages in order over the inputs, `rounds` times, and report the fastest pass (the one
    least disturbed by other work); with `keep`, also return each stage's output records."""
    started = time.perf_counter()
    settings = load_settings()
    stages = [build_stage(name, settings) for name in names]
    warm = inputs[0] if inputs else None
    for stage in stages:  # the first record loads what the transforms load lazily (models, gazetteers)
        try:
            warm = apply(stage, warm) if warm is not None else None
        except StageFailure:
            warm = None
    load_s = time.perf_counter() - started
    passes = [_one_pass(stages, inputs, keep and index == 0) for index in range(max(1, rounds))]
    best = min(passes, key=lambda run: sum(run.spent))
    seconds = sum(best.spent)
    figures = Figures(
        name=names[0] if len(names) == 1 else ALL,
        articles=len(inputs),
        seconds=round(seconds, 3),
        articles_per_s=round(len(inputs) / seconds, 1) if seconds else 0.0,
        load_s=round(load_s, 2),
        cpu_ms_per_article=round(best.cpu * 1000 / max(1, len(inputs)), 2),
        peak_rss_mib=round(peak_rss_mib(), 1),
        dead_lettered=passes[0].dead,
        stage_seconds={name: round(value, 3) for name, value in zip(names, best.spent, strict=True)},
    )
    return figures, passes[0].outputs if keep else []


def idle(inputs: Sequence[Record]) -> float:
    """Peak memory of a process that imported the stage runner and was handed the corpus, but built no stage."""
    return round(peak_rss_mib(), 1)


def in_fresh_process(work: Callable[..., Result], *args: Any) -> Result:
    """Call `work(*args)` in a newly spawned process (its own memory high-water mark) and return the result."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(work, *args).result()


@dataclass
class InProcess:
    """The in-process figures, and the records each stage produced (inputs of the later measurements)."""

    figures: dict[str, Figures]
    baseline_rss_mib: float
    outputs: dict[str, list[Record]]

    def to_json(self) -> dict[str, Any]:
        return {
            "stages": {name: figures.to_json() for name, figures in self.figures.items()},
            "process_baseline_rss_mib": self.baseline_rss_mib,
        }


def run(corpus: Sequence[Record], on_step: Callable[[str], None] | None = None, rounds: int = 1) -> InProcess:
    """All three stages chained, then each stage alone on its real inputs (what the previous stage produced)."""
    corpus = list(corpus)
    notify = on_step or (lambda _: None)
    notify("in-process: process baseline")
    baseline = in_fresh_process(idle, corpus)
    notify(f"in-process: {ALL}")
    chained, outputs = in_fresh_process(measure, STAGE_NAMES, corpus, True, rounds)
    produced = dict(zip(STAGE_NAMES, outputs, strict=True))
    figures = {}
    stage_inputs = [corpus, *outputs[:-1]]
    for name, inputs in zip(STAGE_NAMES, stage_inputs, strict=True):
        notify(f"in-process: {name}")
        figures[name], _ = in_fresh_process(measure, (name,), inputs, False, rounds)
    figures[ALL] = chained
    return InProcess(figures, baseline, produced)


def stage_benches(raw_corpus: Sequence[Record], entities_outputs: Sequence[Record]) -> dict[str, Any]:
    """The stage engineers' own benches (peer and method comparisons) where present; an error never stops the run.

    The normalize and entities benches get the raw corpus; classify's gets real entities-stage records."""
    results: dict[str, Any] = {}
    benches: list[tuple[str, str, Sequence[Record]]] = [
        ("normalize_peer", "bench.normalize_peer", raw_corpus),
        ("entities_bench", "bench.entities_bench", raw_corpus),
        ("classify_bench", "bench.classify_bench", entities_outputs),
    ]
    for name, module, records in benches:
        try:
            bench = __import__(module, fromlist=["run"])
        except ImportError:
            results[name] = {"skipped": f"{module} is not there"}
            continue
        try:
            results[name] = bench.run(list(records))
        except Exception as error:  # another engineer's bench in progress must not cost the whole run
            results[name] = {"error": f"{type(error).__name__}: {error}"}
    return results
