"""The CLI's contract: every subcommand exists, bad input is one clear line and a non-zero exit code."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.__main__ import main

COMMANDS = [
    ["broker", "start"],
    ["broker", "stop"],
    ["broker", "status"],
    ["topics", "create"],
    ["run"],
    ["agent"],
    ["produce"],
    ["replay"],
    ["enrich"],
    ["tail"],
    ["eval"],
    ["agreement"],
]


@pytest.fixture(autouse=True)
def no_broker(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No configured broker and an empty home, whatever the developer's environment says."""
    monkeypatch.delenv("NEWSFLOW_BOOTSTRAP", raising=False)
    monkeypatch.setenv("NEWSFLOW_HOME", str(tmp_path / "home"))


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_contract_command_has_help(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*command, "--help"]) == 0
    assert "Usage: newsflow" in capsys.readouterr().out


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_a_missing_path_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["enrich", str(tmp_path / "nope.txt")]) == 2
    assert one_error_line(capsys) == f"newsflow: error: {tmp_path / 'nope.txt'}: no such file or directory"


def test_an_unknown_format_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.pdf").write_bytes(b"%PDF")
    assert main(["produce", str(tmp_path / "a.pdf")]) == 2
    assert "unknown format '.pdf'" in one_error_line(capsys)


def test_no_configured_broker_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tail", "enriched"]) == 3
    assert "no Kafka broker configured" in one_error_line(capsys)


def test_an_unreachable_broker_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["topics", "create", "--bootstrap", "127.0.0.1:1"]) == 3
    assert "cannot reach Kafka at 127.0.0.1:1" in one_error_line(capsys)


def test_an_unknown_stage_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["agent", "translate", "--bootstrap", "127.0.0.1:1"]) == 2
    assert "unknown stage 'translate'" in one_error_line(capsys)


def test_since_without_topic_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", "--since", "2026-01-01", "--bootstrap", "127.0.0.1:1"]) != 0
    assert "newsflow: error:" in capsys.readouterr().err
