"""Entities stage speed on one core: articles/s beside normalize's, and vs a naive one-name-at-a-time scan."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

Record = dict[str, Any]
NAIVE_SAMPLE = 50


def _rate(work: Callable[[Record], Any], records: Sequence[Record], rounds: int) -> tuple[float, float]:
    """(best articles/s over `rounds` passes, seconds of that pass), timed with the process CPU clock."""
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        for record in records:
            work(record)
        best = min(best, time.process_time() - started)
    return len(records) / best if best else float("inf"), best


def _naive_scan(record: Record) -> int:
    """The baseline the brief rules out: every gazetteer name looked for one by one."""
    from agents.entities.gazetteer import load
    from agents.entities.keys import fold

    text = fold(record["text"]).text
    return sum(1 for key in load().names if key in text)


def run(corpus: Sequence[Record], rounds: int = 3) -> dict[str, Any]:
    """Normalize the raw corpus, then time normalize and entities over it; rates and ratios as a dict."""
    from agents.entities.gazetteer import load
    from agents.entities.transform import extract_entities
    from agents.normalize import normalize
    from agents.stage import Rejected

    started = time.perf_counter()
    load()
    extract_entities({"text": "warm-up", "blocks": [], "language": "en"})
    load_seconds = time.perf_counter() - started

    normalized = []
    for record in corpus:
        try:
            normalized.append(normalize(record))
        except Rejected:
            continue
    normalize_rate, _ = _rate(normalize, corpus, rounds)
    entities_rate, entities_seconds = _rate(extract_entities, normalized, rounds)
    sample = normalized[:NAIVE_SAMPLE]
    naive_rate, _ = _rate(_naive_scan, sample, 1)
    entity_count = sum(len(extract_entities(record)["entities"]) for record in normalized)
    return {
        "stage": "entities",
        "articles": len(normalized),
        "entities": entity_count,
        "entities_per_article": round(entity_count / max(1, len(normalized)), 1),
        "load_s": round(load_seconds, 3),
        "entities_articles_per_s": round(entities_rate, 1),
        "entities_seconds": round(entities_seconds, 3),
        "normalize_articles_per_s": round(normalize_rate, 1),
        "entities_vs_normalize": round(entities_rate / normalize_rate, 2),
        "naive_scan_articles_per_s": round(naive_rate, 1),
        "speedup_vs_naive_scan": round(entities_rate / naive_rate, 1),
        "target_articles_per_s": 1000,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    from bench.corpus import build

    result = run(build(args.articles), rounds=args.rounds)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"entities on {result['articles']} articles, one core (best of {args.rounds}, CPU time)")
    print(f"  entities   {result['entities_articles_per_s']:9.1f} articles/s   "
          f"({result['entities_per_article']} entities/article, gazetteer load {result['load_s']:.2f} s)")
    print(f"  normalize  {result['normalize_articles_per_s']:9.1f} articles/s   "
          f"(entities runs at {result['entities_vs_normalize']:.2f}x normalize's rate)")
    print(f"  naive scan {result['naive_scan_articles_per_s']:9.1f} articles/s   "
          f"(multi-pattern matching is {result['speedup_vs_naive_scan']:.0f}x faster)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
