"""Classify stage speed and memory: articles/s on one core and peak RSS, per method, beside the baseline."""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

METHODS = ("baseline", "fast", "accurate")
Record = dict[str, Any]


def classify_input(record: Record) -> Record:
    """What classify reads, from any record: entity-stage records pass; raw ones get a title and text."""
    if "text" in record:
        return record
    raw = record.get("raw") or ""
    title = record.get("title") or next((line.strip() for line in raw.splitlines() if line.strip()), "")
    return {**record, "title": title, "text": raw, "blocks": [], "entities": []}


def _measure(method: str, corpus: Sequence[Record], results: Any) -> None:
    """In a fresh process: load the classifier, classify the corpus, report rate and peak RSS."""
    from agents.classify.baseline import load_baseline
    from agents.classify.transform import load_classifier
    from bench.inprocess import peak_rss_mib

    started = time.perf_counter()
    classifier = load_baseline() if method == "baseline" else load_classifier(method=method)  # type: ignore[arg-type]
    classifier(corpus[0])  # loads the model and the encoder's weights
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    with_topics = sum(1 for record in corpus if classifier(record)["primary_topic"] is not None)
    elapsed = time.perf_counter() - started
    results.put({
        "method": method,
        "version": classifier.version,
        "articles": len(corpus),
        "seconds": round(elapsed, 3),
        "articles_per_s": round(len(corpus) / elapsed, 1),
        "load_s": round(loaded, 2),
        "peak_rss_mib": round(peak_rss_mib(), 1),
        "with_primary_topic": with_topics,
    })


def run(corpus: Sequence[Record], methods: Sequence[str] = METHODS) -> dict[str, Any]:
    """Each method in its own single-threaded process over the same corpus; rates relative to the baseline."""
    records = [classify_input(record) for record in corpus]
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = "1"  # one core, as one classify worker gets
    context = multiprocessing.get_context("spawn")
    measured: dict[str, Any] = {}
    for method in methods:
        queue = context.Queue()
        process = context.Process(target=_measure, args=(method, records, queue))
        process.start()
        measured[method] = queue.get()
        process.join()
    base = measured.get("baseline")
    for result in measured.values():
        if base:
            result["speed_vs_baseline"] = round(result["articles_per_s"] / base["articles_per_s"], 2)
    return {"stage": "classify", "articles": len(records), "methods": measured}


def load_corpus(count: int) -> list[Record]:
    """The shared benchmark corpus (bench/corpus.py) brought to the entity stage, as classify receives it."""
    from bench.corpus import build

    return to_entity_stage(build(count))


def to_entity_stage(raw_records: Sequence[Record]) -> list[Record]:
    """Raw records through the normalize and entities stages (records a stage refuses are left out)."""
    from agents.registry import build_stage
    from agents.stage import StageFailure, apply
    from pipeline.config import load_settings

    settings = load_settings()
    stages = [build_stage(name, settings) for name in ("normalize", "entities")]
    records = []
    for record in raw_records:
        try:
            for stage in stages:
                record = apply(stage, record)
        except StageFailure:
            continue
        records.append(record)
    return records


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    result = run(load_corpus(args.articles), args.methods)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"classify on {result['articles']} articles, one core")
    for method, figures in result["methods"].items():
        ratio = f"  ({figures['speed_vs_baseline']:.2f}x baseline)" if "speed_vs_baseline" in figures else ""
        print(f"  {method:9s} {figures['articles_per_s']:8.1f} articles/s{ratio}  peak RSS "
              f"{figures['peak_rss_mib']:7.1f} MiB  load {figures['load_s']:.2f} s  [{figures['version']}]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
