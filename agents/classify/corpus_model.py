"""The corpus model: a classifier fitted on the bundled training corpus, the artefact it ships as, its rebuild."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

from agents.classify.model import TrainedClassifier, load_model
from agents.classify.train import TrainOptions, sources_sha256, train

CORPUS = Path(__file__).parent / "corpus"
NAME = "iptc-corpus"
# The encoder's embedding alone: on the development set TF-IDF columns added nothing to it (docs/classify.md),
# and without them the artefact is 17 x 512 weights.
OPTIONS = TrainOptions(max_terms=0, regularization=100.0)


def artefact_directory() -> Path:
    """Where the corpus model ships inside the package."""
    return Path(str(files("agents.classify").joinpath("data/corpus-model")))


def corpus_files() -> list[Path]:
    """The corpus's JSON-lines parts, in a stable order (present in a source checkout, not in a wheel)."""
    return sorted(CORPUS.glob("*.jsonl"))


@cache
def corpus_model() -> TrainedClassifier:
    """The shipped corpus model, loaded once per process."""
    return load_model(artefact_directory())


def is_current() -> bool:
    """Whether the shipped artefact was fitted on exactly the corpus files of this checkout."""
    return bool(corpus_model().manifest["training"]["sha256"] == sources_sha256(corpus_files()))


def rebuild() -> Path:
    """Fit the corpus model on the corpus and write it over the shipped artefact."""
    return train(corpus_files(), artefact_directory(), CORPUS, NAME, OPTIONS, print)


if __name__ == "__main__":
    print(f"wrote {rebuild()}")
