"""The bench's pure parts and a 20-article in-process run (no broker, no timing assertions)."""

from __future__ import annotations

import itertools
import os
from typing import Any

import orjson
import pytest

from agents.registry import STAGE_NAMES
from agents.stage import Origin, apply, process
from bench import __main__ as bench_main
from bench import e2e, identity, inprocess, passthrough, report, scaling, suite, workers
from bench.corpus import build
from pipeline.config import Settings
from pipeline.topics import STAGE_TOPICS, physical
from schemas import validator


@pytest.fixture(scope="module")
def chained() -> tuple[inprocess.Figures, list[list[dict[str, Any]]]]:
    """All three stages over 20 corpus articles, in this process."""
    return inprocess.measure(STAGE_NAMES, build(20), keep=True)


def test_in_process_run_counts_every_article_and_keeps_each_stages_output(chained: Any) -> None:
    figures, outputs = chained
    assert figures.name == inprocess.ALL
    assert figures.articles == 20
    assert set(figures.stage_seconds) == set(STAGE_NAMES)
    assert figures.peak_rss_mib > 0
    assert figures.cpu_ms_per_article > 0
    assert len(outputs) == 3
    assert len(outputs[-1]) + figures.dead_lettered == 20
    for record in outputs[-1]:
        validator("articles.enriched")(record)


def test_one_stage_alone_returns_no_outputs_unless_asked_and_keeps_the_fastest_pass() -> None:
    figures, outputs = inprocess.measure(("normalize",), build(20), rounds=2)
    assert figures.name == "normalize"
    assert figures.articles == 20 and figures.dead_lettered == 0
    assert figures.articles_per_s > 0 and figures.stage_seconds["normalize"] == figures.seconds
    assert outputs == []


def test_an_enriched_record_passes_every_identity_hop_with_its_schemas(chained: Any) -> None:
    """The identity baseline relies on this: the enriched record is valid input and output of every stage."""
    enriched = chained[1][-1][0]
    for name in STAGE_NAMES:
        stage = identity.identity_stage(name)
        outcome = process(stage, orjson.dumps(enriched), Origin(topic=stage.input_topic), 2_000_000)
        assert outcome.dead_letter is None, outcome.dead_letter
        assert outcome.record is not None
        assert outcome.record["provenance"][-1]["stage"] == name


def test_identity_stages_keep_the_real_topics() -> None:
    pairs = [(identity.identity_stage(name).input_topic, identity.identity_stage(name).output_topic)
             for name in STAGE_NAMES]  # fmt: skip
    assert pairs == list(itertools.pairwise(STAGE_TOPICS))
    record = {"a": 1}
    assert identity.identity(record) is record
    with pytest.raises(SystemExit):
        identity.identity_stage("nope")


def test_identity_transform_alone_cannot_make_a_raw_record_valid_downstream() -> None:
    """Why the identity baseline is fed enriched records: raw ones fail the normalized schema."""
    raw = build(1)[0]
    outcome = process(identity.identity_stage("normalize"), orjson.dumps(raw), Origin(topic="articles.raw"), 2_000_000)
    assert outcome.dead_letter is not None
    assert outcome.dead_letter["reason"] == "output_schema"


def test_passthrough_hops_chain_the_pipeline_topics() -> None:
    settings = Settings(topic_prefix="t.")
    specs = passthrough.specs(settings)
    topics = [physical(settings, name) for name in STAGE_TOPICS]
    assert [spec.command[-3:-1] for spec in specs] == [(a, b) for a, b in itertools.pairwise(topics)]
    assert len({spec.group for spec in specs}) == 3
    assert all(spec.group.startswith("t.") for spec in specs)


def test_pipeline_specs_start_the_requested_number_of_workers_per_stage() -> None:
    settings = Settings(topic_prefix="p.")
    specs = e2e.pipeline_specs(settings, {"classify": 2})
    assert [spec.stage for spec in specs] == ["normalize", "entities", "classify", "classify"]
    assert specs[2].group == specs[3].group == "p.newsflow-classify"
    assert specs[0].command[-3:] == ("pipeline", "agent", "normalize")


def test_relabel_gives_every_message_a_fresh_traceable_id() -> None:
    records = build(3)
    messages = e2e.relabel(records, 7, "tag")
    assert len(messages) == 7
    assert len({message.key for message in messages}) == 7
    for message in messages:
        value = orjson.loads(message.value)
        assert value["id"].encode() == message.key
        validator("articles.raw")(value)
    assert e2e.relabel(records, 7, "tag") == messages
    assert e2e.relabel(records, 7, "other")[0].key != messages[0].key


def test_percentiles_and_sustained_rate() -> None:
    assert e2e.percentiles([]) == {}
    figures = e2e.percentiles([float(value) for value in range(1, 101)])
    assert figures["p50"] == pytest.approx(50.5)
    assert figures["p99"] == pytest.approx(99.0, abs=0.05)
    assert figures["max"] == 100
    steady = [index * 10 for index in range(1000)]  # one record every 10 ms
    assert e2e.sustained_rate(steady) == pytest.approx(100.0)
    slow_start = [0] * 50 + [5000 + index * 10 for index in range(950)]  # a fill delay outside the window
    assert e2e.sustained_rate(slow_start) == pytest.approx(100.0)
    assert e2e.sustained_rate([5]) == 0.0


def _figures(name: str, seconds: float) -> inprocess.Figures:
    return inprocess.Figures(name, 100, seconds, 100 / seconds, 0.1, seconds * 10, 50.0, 0, {name: seconds})


def test_slow_stages_are_those_with_a_large_share_of_the_time() -> None:
    figures = {"normalize": _figures("normalize", 0.5), "entities": _figures("entities", 2.0),
               "classify": _figures("classify", 15.0)}  # fmt: skip
    assert scaling.slow_stages(figures) == ["classify"]
    assert scaling.scaled_workers(["classify"]) == {"normalize": 1, "entities": 1, "classify": 2}
    even = {name: _figures(name, 1.0) for name in STAGE_NAMES}
    assert scaling.slow_stages(even) == list(STAGE_NAMES)


def _phase(rate: float, p99: float = 100.0) -> dict[str, Any]:
    return e2e.Phase("x", None, 10, 10, 0, 0, 1.0, 100.0, rate, {"p50": 1.0, "p95": 2.0, "p99": p99, "max": p99},
                     {"normalize": 1.0}).to_json()  # fmt: skip


def _results(identity_rate: float, pipeline_rate: float, p99: float) -> dict[str, Any]:
    configuration = {"workers": {"normalize": 1}, "peak_rss_mib": {"normalize": 80.0}, "mean_message_bytes": 1}
    return {
        "corpus": {"articles": 100},
        "machine": {"cpus": 2, "load_average": [1.0, 1.0, 1.0]},
        "in_process": {
            "stages": {inprocess.ALL: _figures(inprocess.ALL, 2.0).to_json()},
            "process_baseline_rss_mib": 60.0,
        },
        "end_to_end": {
            "partitions": 4,
            "pipeline": {**configuration, "phases": [_phase(pipeline_rate), _phase(pipeline_rate / 2, p99)]},
            "passthrough": {**configuration, "phases": [_phase(1000.0)]},
            "identity": {**configuration, "phases": [_phase(identity_rate)]},
            "scaling": {"ratio": 1.2},
        },
    }


def test_ratios_compare_with_the_targets() -> None:
    met = suite.ratios(_results(identity_rate=600.0, pipeline_rate=40.0, p99=300.0))
    assert met["identity_vs_passthrough"] == {"value": 0.6, "target": ">= 0.5", "met": True}
    assert met["e2e_vs_in_process"]["value"] == 0.8 and met["e2e_vs_in_process"]["met"]
    assert met["p99_half_load_ms"]["met"]
    assert met["scaled_vs_single"] == {"value": 1.2}
    assert met["in_process_vs_e2e_cpu"] == {"value": 20.0}  # 20 ms in-process against 1 ms in the workers
    missed = suite.ratios(_results(identity_rate=400.0, pipeline_rate=20.0, p99=1500.0))
    assert not any(missed[name]["met"] for name in suite.TARGETS)


def test_report_renders_every_table_as_markdown() -> None:
    results = _results(identity_rate=600.0, pipeline_rate=40.0, p99=300.0)
    results["ratios"] = suite.ratios(results)
    text = report.markdown(results)
    assert "| all three |" in text
    assert "| (a) aiokafka passthrough |" in text
    assert "| (b) identity pipeline |" in text
    assert "NOT met" not in text and "| met |" in text


def test_quick_plan_and_explicit_flags() -> None:
    plan = bench_main.plan_from(bench_main.parse(["--quick", "--articles", "50", "--skip-e2e"]))
    assert plan.articles == 50
    assert plan.transport_messages == suite.QUICK.transport_messages
    assert not plan.e2e and not plan.scaling and not plan.stage_benches
    full = bench_main.plan_from(bench_main.parse(["--no-scaling", "--stage-benches"]))
    assert full.articles == suite.Plan().articles and not full.scaling and full.stage_benches


def test_process_figures_of_a_live_process() -> None:
    assert (workers.cpu_seconds(os.getpid()) or 0) > 0
    assert (workers.peak_rss_mib(os.getpid()) or 0) > 0
    assert workers.cpu_seconds(2**22 + 12345) is None


def test_bench_skips_e2e_on_a_tiny_run(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """The whole command, in-process part only, on 20 articles (spawned measurement processes, no broker)."""
    out = tmp_path / "results.json"
    markdown = tmp_path / "results.md"
    code = bench_main.main(["--skip-e2e", "--articles", "20", "--json", str(out), "--markdown", str(markdown)])
    assert code == 0
    results = orjson.loads(out.read_bytes())
    assert set(results["in_process"]["stages"]) == {*STAGE_NAMES, inprocess.ALL}
    assert "end_to_end" not in results
    assert "| normalize |" in markdown.read_text()
    assert "articles/s" in capsys.readouterr().out


def test_apply_of_a_stage_matches_what_the_measurement_runs() -> None:
    """measure() runs agents.stage.apply, the worker's own path: same output for the same input."""
    from agents.registry import build_stage

    raw = build(1)[0]
    figures, outputs = inprocess.measure(("normalize",), [raw], keep=True)
    expected = apply(build_stage("normalize", Settings()), raw)
    assert outputs[0][0]["text"] == expected["text"]
    assert figures.dead_lettered == 0
