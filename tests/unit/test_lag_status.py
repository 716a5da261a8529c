"""Burrow-style status rules over hand-made windows of samples (no broker)."""

from __future__ import annotations

import pytest

from pipeline.lag_status import PartitionSample, Policy, Status, Verdict, evaluate, worst

POLICY = Policy(window=5, min_span=10.0)


def window(*points: tuple[int | None, int], owned: bool | None = True, step: float = 5.0) -> list[PartitionSample]:
    """Samples `step` seconds apart from (committed, end) pairs; position = committed, or 0 when never committed."""
    return [
        PartitionSample(at=index * step, committed=committed, position=committed or 0, end=end, owned=owned)
        for index, (committed, end) in enumerate(points)
    ]


CASES = [
    # name, samples, expected status
    ("no samples", [], Status.OK),
    ("caught up now", window((10, 10)), Status.OK),
    ("caught up after lagging", window((0, 10), (5, 10), (10, 10)), Status.OK),
    ("idle empty group, nothing produced", window((None, 0), (None, 0), owned=False), Status.OK),
    ("single sample with lag and a live consumer", window((5, 10)), Status.OK),
    ("single sample with lag and nobody consuming", window((5, 10), owned=False), Status.STOP),
    ("never committed, messages waiting, no members", window((None, 7), owned=False), Status.STOP),
    ("consumer left while behind", window((1, 10), (2, 10), (3, 10), owned=False), Status.STOP),
    ("offset went backwards", window((8, 10), (9, 12), (2, 12)), Status.REWIND),
    ("rewind beats stop", window((8, 10), (2, 10), owned=False), Status.REWIND),
    ("live consumer, offset stuck, lag outstanding", window((4, 10), (4, 10), (4, 11)), Status.STALL),
    ("unknown ownership (rebalancing) and stuck", window((4, 10), (4, 10), (4, 10), owned=None), Status.STALL),
    ("moving but lag grows every sample", window((1, 10), (2, 12), (3, 15)), Status.WARN),
    ("moving, lag flat", window((1, 10), (3, 12), (5, 14)), Status.OK),
    ("moving, lag shrinking", window((1, 10), (4, 12), (8, 13)), Status.OK),
    ("lag grew then shrank", window((1, 10), (2, 14), (6, 15)), Status.OK),
    ("lag was zero inside the window", window((10, 10), (10, 12), (10, 14)), Status.OK),
    ("stuck but the window spans under min_span", window((4, 10), (4, 10), step=1.0), Status.OK),
    ("growing but the window spans under min_span", window((1, 10), (2, 12), (3, 15), step=1.0), Status.OK),
    (
        "only the newest `window` samples count: an old rewind has aged out",
        window((9, 20), (2, 20), (3, 20), (4, 20), (5, 20), (6, 20), (7, 20)),
        Status.OK,
    ),
    (
        "only the newest samples count: stuck for the whole window",
        window((1, 20), (2, 20), (7, 20), (7, 20), (7, 20), (7, 20), (7, 20)),
        Status.STALL,
    ),
]


@pytest.mark.parametrize(("samples", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_status_rules(samples: list[PartitionSample], expected: Status) -> None:
    assert evaluate(samples, POLICY).status is expected


def test_reasons_name_the_figures() -> None:
    assert evaluate(window((4, 10), (4, 10), (4, 11)), POLICY).reason == "offset stuck at 4 with 7 message(s) waiting"
    assert "from 8 to 2" in evaluate(window((8, 10), (2, 10)), POLICY).reason
    assert "3 message(s) waiting" in evaluate(window((7, 10), owned=False), POLICY).reason


def test_lag_never_negative_when_position_passes_end() -> None:
    sample = PartitionSample(at=0.0, committed=12, position=12, end=10, owned=True)
    assert sample.lag == 0


def test_worst_picks_the_most_severe_and_ok_when_empty() -> None:
    verdicts = [
        Verdict(Status.WARN, "w"),
        Verdict(Status.STOP, "s"),
        Verdict(Status.STALL, "t"),
        Verdict(Status.OK, ""),
    ]
    assert worst(verdicts).status is Status.STOP
    assert worst([]).status is Status.OK
    assert [status.severity for status in Status] == sorted(status.severity for status in Status)
