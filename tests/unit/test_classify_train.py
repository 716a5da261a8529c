"""`newsflow classify train`: reading labelled lines, refusing bad data, writing and loading an artefact."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agents.classify.model import load_model
from agents.classify.train import TrainingDataError, TrainOptions, read_examples, train
from agents.classify.transform import load_classifier
from pipeline.errors import ConfigError

SPORT = ["The striker scored twice and the team won the league match.",
         "The coach praised the players after the cup final at the stadium.",
         "المنتخب يفوز بالمباراة بهدفين ويتأهل إلى نهائي البطولة.",
         "The tennis champion won the tournament in three sets.",
         "اللاعب يسجل هدف الفوز في الدوري والمدرب يشيد بالفريق."]
LOCAL = ["The city council approved a new bus route for the district.",
         "Residents of the town complained about potholes on the main road.",
         "البلدية تفتتح حديقة جديدة في الحي وتعد السكان بمزيد من الخدمات.",
         "The mayor opened the renovated library in the town centre.",
         "المجلس البلدي يناقش مشكلة النفايات في شوارع المدينة."]


def write_lines(path: Path, lines: list[object]) -> Path:
    path.write_text("\n".join(line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)
                              for line in lines) + "\n", "utf-8")
    return path


def examples_file(tmp_path: Path) -> Path:
    lines: list[object] = [{"text": text, "labels": ["sport"]} for text in SPORT]
    lines += [{"text": text, "labels": ["Local news"]} for text in LOCAL]
    return write_lines(tmp_path / "train.jsonl", lines)


def test_train_writes_a_versioned_artefact_that_classifies(tmp_path: Path) -> None:
    notes: list[str] = []
    directory = train([examples_file(tmp_path)], tmp_path / "model", tmp_path, "mine",
                      TrainOptions(regularization=100.0), notes.append)
    manifest = json.loads((directory / "manifest.json").read_text("utf-8"))
    assert manifest["version"].startswith("mine-")
    assert manifest["training"]["examples"] == 10
    assert {label["code"] for label in manifest["labels"]} == {"medtop:15000000", "custom:local-news"}
    assert manifest["created_at"] and "metrics" in manifest and notes

    classifier = load_classifier(directory, threshold=0.5)
    assert classifier.version == manifest["version"]
    result = classifier({"title": "Derby", "text": "The team scored a late goal to win the match.", "entities": []})
    assert result["primary_topic"]["code"] == "medtop:15000000"
    assert result["primary_topic"]["label_ar"] == "الرياضة"
    local = classifier({"title": "", "text": "The council will repair the road near the town library.",
                        "entities": []})
    assert local["primary_topic"]["code"] == "custom:local-news"


def test_enriched_records_with_topics_are_training_examples(tmp_path: Path) -> None:
    record = {"title": "t", "text": "body", "topics": [{"code": "medtop:16000000"}, {"code": "medtop:11000000"}],
              "primary_topic": {"code": "medtop:11000000"}}
    [example] = read_examples(write_lines(tmp_path / "r.jsonl", [record]))
    assert example.labels == ("medtop:11000000", "medtop:16000000")


def test_bad_lines_are_reported_with_their_numbers(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "bad.jsonl", [{"text": "ok", "labels": ["a"]}, "{not json", "",
                                                {"labels": ["a"]}, {"text": "x", "labels": []}])
    with pytest.raises(TrainingDataError) as caught:
        read_examples(path)
    message = str(caught.value)
    assert "3 unusable line(s)" in message
    assert "line 2: not JSON" in message and "line 4:" in message and "line 5:" in message


def test_missing_file_and_scarce_labels_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        read_examples(tmp_path / "absent.jsonl")
    lines: list[object] = [{"text": "a b", "labels": ["x"]} for _ in range(5)]
    lines.append({"text": "c", "labels": ["y"]})
    path = write_lines(tmp_path / "few.jsonl", lines)
    with pytest.raises(TrainingDataError, match=r"fewer than 3 examples: y \(1\)"):
        train([path], tmp_path / "m", tmp_path, "m", TrainOptions(), lambda note: None)


def test_loading_something_that_is_not_an_artefact_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_model(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match=r"manifest\.json is missing"):
        load_model(tmp_path / "empty")


def test_cli_trains_and_prints_the_artefact_path(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from agents.classify.cli import classify_app

    runner = CliRunner()
    output = tmp_path / "cli-model"
    result = runner.invoke(classify_app, ["train", str(examples_file(tmp_path)), "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert (output / "manifest.json").is_file()
    missing = runner.invoke(classify_app, ["train", str(tmp_path / "absent.jsonl")])
    assert isinstance(missing.exception, ConfigError)


def test_several_files_train_one_encoder_only_model(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from agents.classify.cli import classify_app

    sport = write_lines(tmp_path / "sport.jsonl", [{"text": text, "labels": ["sport"]} for text in SPORT])
    local = write_lines(tmp_path / "local.jsonl", [{"text": text, "labels": ["Local news"]} for text in LOCAL])
    output = tmp_path / "two-files"
    result = CliRunner().invoke(classify_app, ["train", str(sport), str(local), "--terms", "0", "-o", str(output)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((output / "manifest.json").read_text("utf-8"))
    assert manifest["training"]["sources"] == ["sport.jsonl", "local.jsonl"]
    assert manifest["training"]["examples"] == 10 and manifest["features"]["tfidf_terms"] == 0
    derby = load_model(output)({"title": "Derby", "text": "The team scored a late goal to win the match.",
                                "entities": []})
    assert derby["primary_topic"]["code"] == "medtop:15000000"
