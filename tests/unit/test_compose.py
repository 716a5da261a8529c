"""docker-compose.yml runs commands the CLI has: one worker per stage, the topics and a seed replay."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from agents.registry import STAGE_NAMES
from pipeline.__main__ import main
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    return dict(compose["services"])


def newsflow_commands(services: dict[str, Any]) -> dict[str, list[str]]:
    return {name: service["command"] for name, service in services.items() if name != "kafka"}


def test_there_is_a_kraft_kafka(services: dict[str, Any]) -> None:
    kafka = services["kafka"]
    assert kafka["image"].startswith("apache/kafka:3.9")
    assert kafka["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"


def test_each_stage_has_a_worker_service(services: dict[str, Any]) -> None:
    commands = newsflow_commands(services)
    assert {name: commands[name][:2] for name in STAGE_NAMES} == {n: ["agent", n] for n in STAGE_NAMES}
    assert commands["topics"] == ["topics", "create"]
    assert commands["replay-seeds"][0] == "replay"


def test_every_service_talks_to_the_compose_kafka(services: dict[str, Any]) -> None:
    for name in newsflow_commands(services):
        assert services[name]["environment"]["NEWSFLOW_BOOTSTRAP"] == "kafka:9092", name


def test_every_command_parses_with_the_cli(services: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    for name, command in newsflow_commands(services).items():
        assert main([*command, "--help"]) == 0, f"{name}: {command}"
    capsys.readouterr()
