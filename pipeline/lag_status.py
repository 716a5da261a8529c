"""Burrow-style consumer status: judge a window of offset samples per partition as OK, WARN, STALL, STOP or REWIND."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise


class Status(StrEnum):
    """A partition's (or, as the worst of its partitions, a group's) health."""

    OK = "OK"
    WARN = "WARN"
    STALL = "STALL"
    STOP = "STOP"
    REWIND = "REWIND"

    @property
    def severity(self) -> int:
        return _SEVERITY[self]


_SEVERITY = {Status.OK: 0, Status.WARN: 1, Status.STALL: 2, Status.STOP: 3, Status.REWIND: 4}


@dataclass(frozen=True)
class PartitionSample:
    """One observation of a group's position on a partition.

    `committed` is None when the group never committed there; `position` is where it resumes (the committed
    offset, else the log start). `owned` says whether a live member of the group holds the partition: None
    when unknown (the group is rebalancing, or its assignment cannot be decoded).
    """

    at: float
    committed: int | None
    position: int
    end: int
    owned: bool | None

    @property
    def lag(self) -> int:
        return max(0, self.end - self.position)


@dataclass(frozen=True)
class Policy:
    """How much history the trend rules (STALL, WARN) need before they may fire.

    `min_span` is in seconds between the oldest and newest sample: shorter than a consumer's commit interval,
    and a busy but healthy consumer looks stalled.
    """

    window: int = 10
    min_span: float = 10.0


@dataclass(frozen=True)
class Verdict:
    """A status and the reason an operator reads next to it."""

    status: Status
    reason: str


def evaluate(samples: Sequence[PartitionSample], policy: Policy = Policy()) -> Verdict:
    """Judge the newest `policy.window` samples of one partition (oldest first).

    The rules, in order (Burrow's, with live group membership standing in for commit timestamps):
    1. no lag now: OK;
    2. the committed offset went backwards inside the window: REWIND;
    3. no live member holds the partition while lag is outstanding (commits stopped): STOP;
    4. the lag was zero at some point in the window: OK (it keeps catching up);
    5. with a long enough window: the committed offset never moved: STALL;
       the lag never shrank and ended higher than it started: WARN;
    6. otherwise OK.
    """
    if not samples:
        return Verdict(Status.OK, "no data")
    window = samples[-policy.window :]
    latest = window[-1]
    if latest.lag == 0:
        return Verdict(Status.OK, "caught up")
    for before, after in pairwise(window):
        if before.committed is not None and after.committed is not None and after.committed < before.committed:
            return Verdict(Status.REWIND, f"committed offset went back from {before.committed} to {after.committed}")
    if latest.owned is False:
        return Verdict(Status.STOP, f"no consumer is committing; {latest.lag} message(s) waiting")
    if any(sample.lag == 0 for sample in window):
        return Verdict(Status.OK, "caught up within the window")
    if len(window) < 2 or latest.at - window[0].at < policy.min_span:
        return Verdict(Status.OK, "consuming (window too short to judge a trend)")
    if all(sample.position == latest.position for sample in window):
        return Verdict(Status.STALL, f"offset stuck at {latest.position} with {latest.lag} message(s) waiting")
    lags = [sample.lag for sample in window]
    if latest.lag > lags[0] and all(after >= before for before, after in pairwise(lags)):
        return Verdict(Status.WARN, f"lag grew from {lags[0]} to {latest.lag} over the window")
    return Verdict(Status.OK, "consuming")


def worst(verdicts: Iterable[Verdict]) -> Verdict:
    """The group's verdict: its most severe partition's, the first among equals (OK when it has none)."""
    return max(verdicts, key=lambda verdict: verdict.status.severity, default=Verdict(Status.OK, "no partitions"))
