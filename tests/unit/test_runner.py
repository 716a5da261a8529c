"""The run supervisor hands its exact settings to the worker processes it starts."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from pipeline.config import Settings
from pipeline.runner import Results, settings_environment


def test_settings_survive_the_trip_through_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    original = Settings(
        bootstrap="127.0.0.1:9999",
        home=tmp_path,
        topic_prefix="x.",
        partitions=3,
        security_protocol="SASL_SSL",
        sasl_mechanism="SCRAM-SHA-512",
        sasl_username="user",
        sasl_password=SecretStr("secret"),
    )
    for name, value in settings_environment(original).items():
        monkeypatch.setenv(name, value)
    assert Settings() == original


def test_results_are_settled_when_every_id_arrived_either_way() -> None:
    results = Results(enriched={"a": {}}, dead_letters={"b": {}})
    assert results.settled({"a", "b"})
    assert not results.settled({"a", "b", "c"})
