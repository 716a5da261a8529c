"""Scaling: which stages are slow, and the pipeline's capacity with one versus two workers for each of them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agents.registry import STAGE_NAMES
from bench.e2e import Phase
from bench.inprocess import Figures

SLOW_SHARE = 0.25  # a stage taking at least this share of an article's in-process time is worth a second worker


def slow_stages(figures: Mapping[str, Figures]) -> list[str]:
    """Stages whose in-process time per article is at least SLOW_SHARE of the three stages' total."""
    per_article = {name: figures[name].seconds / max(1, figures[name].articles) for name in STAGE_NAMES}
    total = sum(per_article.values())
    if total <= 0:
        return []
    return [name for name in STAGE_NAMES if per_article[name] >= SLOW_SHARE * total]


def scaled_workers(slow: list[str], processes: int = 2) -> dict[str, int]:
    """Worker processes per stage: `processes` for each slow stage, one for the others."""
    return {name: processes if name in slow else 1 for name in STAGE_NAMES}


def compare(single: Phase, scaled: Phase, workers: Mapping[str, int], partitions: int) -> dict[str, Any]:
    """The scaled run beside the single-worker one: throughput of each and their ratio."""
    ratio = scaled.throughput_per_s / single.throughput_per_s if single.throughput_per_s else None
    return {
        "partitions": partitions,
        "workers": dict(workers),
        "single_per_s": single.throughput_per_s,
        "scaled_per_s": scaled.throughput_per_s,
        "ratio": round(ratio, 2) if ratio is not None else None,
    }
