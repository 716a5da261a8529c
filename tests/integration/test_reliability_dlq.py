"""`newsflow dlq list|replay` on a real broker: dead letters summarised, re-driven once after a fix, enriched."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import orjson
import pytest

from pipeline.__main__ import main
from pipeline.config import Settings
from pipeline.dlq import dlq_summary, replay
from pipeline.records import raw_record
from pipeline.runner import Supervisor
from pipeline.topics import RAW
from tests.integration.harness import Feeder, Item, Tally, read_results, restarts_counter

pytestmark = [pytest.mark.integration, pytest.mark.reliability]

SMALL_CAP = 12_000
LARGE_CAP = 400_000


def article(index: int, size: int) -> Item:
    sentence = "The ministers met in Cairo on Monday to discuss the ceasefire. "
    text = f"Cairo talks, part {index}.\n\n" + sentence * size
    record = raw_record(text, source="dlq-test", url=f"https://dlq.test/{uuid.uuid4().hex}/{index}")
    return Item(RAW, record["id"].encode(), orjson.dumps(record))


def rows(settings: Settings) -> dict[tuple[str, str], tuple[int, int]]:
    return {(row.stage, row.reason): (row.count, row.replayed) for row in dlq_summary(settings)}


def test_dead_letters_are_replayed_once_each_after_the_fix(
    make_settings: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    strict = make_settings("dlq", max_record_bytes=SMALL_CAP)
    prefix = strict.topic_prefix
    small = [article(index, 1) for index in range(2)]
    big = [article(index, 300) for index in range(3)]  # ~20 KB of raw text each: over the strict cap
    junk = [Item(RAW, f"junk-{index}".encode(), b"{not json " + bytes([index])) for index in range(2)]
    items = [*small, *big, *junk]
    restarts: list[tuple[str, int]] = []

    with Supervisor(strict) as supervisor:
        feeder = Feeder(strict, items)
        read_results(
            strict,
            lambda tally: tally.settled(items),
            tick=lambda: (feeder.tick(), supervisor.check(restarts_counter(restarts)))[-1],
            timeout_s=180,
        )
        assert feeder.finish() == []
    assert rows(strict) == {("normalize", "oversize"): (3, 0), ("normalize", "json"): (2, 0)}

    # The fix: a larger cap. The workers restart with it; the oversize letters are re-driven, once.
    fixed = strict.model_copy(update={"max_record_bytes": LARGE_CAP})
    with Supervisor(fixed) as supervisor:
        monkeypatch.setenv("NEWSFLOW_TOPIC_PREFIX", prefix)
        monkeypatch.setenv("NEWSFLOW_HOME", str(strict.home))
        monkeypatch.setenv("NEWSFLOW_MAX_RECORD_BYTES", str(LARGE_CAP))
        assert main(["dlq", "replay", "--reason", "oversize", "--dry-run", "-b", strict.bootstrap]) == 0
        assert "would re-drive 3 dead letter(s)" in capsys.readouterr().err
        assert rows(strict)[("normalize", "oversize")] == (3, 0)  # a dry run marks nothing

        first = replay(fixed, stage="normalize", reason="oversize")
        second = replay(fixed, stage="normalize", reason="oversize")
        assert (len(first.sent), first.already_replayed, first.problems) == (3, 0, [])
        assert (len(second.sent), second.already_replayed) == (0, 3)
        # A wider filter later skips them too; the junk is re-driven and fails again (a new dead letter each).
        wider = replay(fixed)
        assert (len(wider.sent), wider.already_replayed) == (2, 3)

        def replayed_and_failed_again(tally: Tally) -> bool:
            return all(tally.enriched[item.key] for item in big) and all(tally.dead[item.key] == 2 for item in junk)

        tally = read_results(
            fixed, replayed_and_failed_again, tick=lambda: supervisor.check(restarts_counter(restarts)), timeout_s=180
        )
    assert all(tally.enriched[item.key] == 1 for item in [*small, *big])
    assert rows(fixed) == {("normalize", "oversize"): (3, 3), ("normalize", "json"): (4, 2)}
    assert restarts == []

    assert main(["dlq", "list", "--json", "-b", strict.bootstrap]) == 0
    listed = [orjson.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(row["stage"], row["reason"], row["count"], row["replayed"]) for row in listed] == [
        ("normalize", "json", 4, 2),
        ("normalize", "oversize", 3, 3),
    ]
    assert main(["dlq", "replay", "--stage", "normalise", "-b", strict.bootstrap]) == 2  # a typo is one clear line
    assert "unknown stage 'normalise'" in capsys.readouterr().err
