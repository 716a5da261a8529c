"""`newsflow classify`: train a classifier on your own labels, and see why an article got its topics."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from pipeline.config import load_settings
from pipeline.errors import ConfigError
from pipeline.records import Record

classify_app = typer.Typer(
    help="Train a topic classifier on your own labels, or explain the built-in one's scores.",
    no_args_is_help=True,
)
console = Console(stderr=True)


@classify_app.command()
def train(
    data: Annotated[list[Path], typer.Argument(help="JSON-lines files: {\"text\": ..., \"labels\": [...]} or "
                                                    "records with `topics` (enriched records, corrections).",
                                               show_default=False)],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Artefact directory. Default: "
                                                "NEWSFLOW_HOME/models/<version>.", show_default=False)] = None,
    name: Annotated[str, typer.Option(help="Name that starts the model version.")] = "topics",
    min_examples: Annotated[int, typer.Option(min=1, help="Fewest examples a label may have.")] = 3,
    regularization: Annotated[float, typer.Option(min=1e-6, help="Inverse regularisation strength (C).")] = 100.0,
    holdout: Annotated[float, typer.Option(min=0.0, max=0.5, help="Share held out to measure the model "
                                           "before the final fit on everything.")] = 0.2,
    terms: Annotated[int, typer.Option(min=0, help="Most TF-IDF word features beside the encoder's 512 "
                                       "(0: the encoder alone).")] = 20000,
) -> None:
    """Fit a classifier for your labels and write a versioned artefact the classify agent can load."""
    from agents.classify.train import TrainOptions
    from agents.classify.train import train as fit_and_save

    options = TrainOptions(min_examples=min_examples, regularization=regularization, max_terms=terms,
                           holdout=holdout)
    settings = load_settings()
    with console.status("training…") as status:
        directory = fit_and_save(data, output, settings.home, name, options, lambda note: status.update(note))
    manifest = json.loads((directory / "manifest.json").read_text("utf-8"))
    console.print(f"[green]trained[/] {manifest['version']} on {manifest['training']['examples']} examples, "
                  f"{len(manifest['labels'])} labels", highlight=False)
    holdout_metrics = manifest["metrics"]["holdout"]
    if holdout_metrics:
        console.print(f"held-out ({holdout_metrics['examples']} articles): primary accuracy "
                      f"{holdout_metrics['primary_accuracy']:.3f}, micro F1 {holdout_metrics['micro_f1']:.3f}",
                      highlight=False)
    else:
        console.print("too few examples to hold some out: no held-out measurement", highlight=False)
    console.print(f"use it with: NEWSFLOW_CLASSIFY_MODEL={directory}", highlight=False)
    typer.echo(str(directory))


def _records(path: Path) -> list[Record]:
    if not path.is_file():
        raise ConfigError(f"{path} does not exist")
    text = path.read_text("utf-8")
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    if path.suffix == ".json":
        loaded = json.loads(text)
        return loaded if isinstance(loaded, list) else [loaded]
    title = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return [{"title": title, "text": text, "blocks": [], "entities": []}]


@classify_app.command()
def explain(
    path: Annotated[Path, typer.Argument(help="A raw article (.txt) or records (.json, .jsonl).", show_default=False)],
    method: Annotated[str, typer.Option(help="accurate (keywords + encoder) or fast (keywords).")] = "accurate",
    top: Annotated[int, typer.Option(min=1, help="Subjects to show.")] = 5,
) -> None:
    """Show each subject's score with the evidence behind it: keyword points and, for the accurate method, the
    encoder's two readings (its share of each distribution over the 17 subjects): `encoder`, which subjects the
    article is about, and `main`, which one it is mainly about."""
    from agents.classify.taxonomy import by_code, children, top_level
    from agents.classify.transform import IptcClassifier

    if method not in ("accurate", "fast"):
        raise ConfigError(f"unknown method {method!r}: use accurate or fast")
    classifier = IptcClassifier(method="accurate" if method == "accurate" else "fast")
    topics = by_code()
    for record in _records(path):
        readings = classifier.reading(record) if classifier.method == "accurate" else None
        scores = classifier.scores(record, readings)
        evidence = classifier.evidence(record)
        codes = [topic.code for topic in top_level()]
        reading = dict(zip(codes, readings.subjects, strict=True)) if readings else {}
        main_reading = dict(zip(codes, readings.main, strict=True)) if readings else {}
        table = Table(title=record.get("title") or record.get("id") or str(path))
        for column in ("score", "topic", "points", "encoder", "main", "keywords (weighted mentions)"):
            table.add_column(column)
        best = sorted(scores, key=lambda code: -scores[code])
        shown = [code for code in best if topics[code].level == 1][:top]
        for code in shown:
            below = [child.code for child in children(code)]
            rows = [code, *sorted(below, key=lambda child: -scores[child])]
            for row_code in rows:
                found = evidence.get(row_code)
                if row_code != code and (found is None or scores[row_code] < 0.05):
                    continue
                words = ", ".join(f"{word} ×{count:g}" for word, count in
                                  sorted((found.mentions if found else {}).items(), key=lambda item: -item[1])[:8])
                label = topics[row_code].label if row_code == code else f"  └ {topics[row_code].label}"
                share = f"{reading[row_code]:.2f}" if row_code in reading else ""
                main_share = f"{main_reading[row_code]:.2f}" if row_code in main_reading else ""
                points = f"{found.points:.1f}" if found else "0"
                table.add_row(f"{scores[row_code]:.2f}", label, points, share, main_share, words)
        console.print(table)
