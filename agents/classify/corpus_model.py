"""The corpus models: classifiers fitted on the bundled training corpus, the artefacts they ship as, their
rebuild."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib.resources import files
from pathlib import Path

from agents.classify.article import embedding_text
from agents.classify.encoder import embed
from agents.classify.features import Matrix
from agents.classify.main_subject import (
    MainSubjectModel,
    fit_main_subject_model,
    load_main_subject_model,
    save_main_subject_model,
)
from agents.classify.model import TrainedClassifier, label_topic, load_model
from agents.classify.train import Example, TrainOptions, read_all_examples, sources_sha256, train

CORPUS = Path(__file__).parent / "corpus"
NAME = "iptc-corpus"
MAIN_SUBJECT_FILE = "main-subject.npz"
# The encoder's embedding alone: on the development set TF-IDF columns added nothing to it (docs/classify.md),
# and without them the artefact is 17 x 512 weights.
OPTIONS = TrainOptions(max_terms=0, regularization=100.0)


def artefact_directory() -> Path:
    """Where the corpus models ship inside the package."""
    return Path(str(files("agents.classify").joinpath("data/corpus-model")))


def corpus_files() -> list[Path]:
    """The corpus's JSON-lines parts, in a stable order (present in a source checkout, not in a wheel)."""
    return sorted(CORPUS.glob("*.jsonl"))


@cache
def corpus_model() -> TrainedClassifier:
    """The shipped corpus model (which subjects apply), loaded once per process."""
    return load_model(artefact_directory())


@cache
def main_subject_model() -> MainSubjectModel:
    """The shipped main-subject model (which subject an article is mainly about), loaded once per process."""
    return load_main_subject_model(artefact_directory() / MAIN_SUBJECT_FILE)


def is_current() -> bool:
    """Whether both shipped models were fitted on exactly the corpus files of this checkout."""
    corpus_sha256 = sources_sha256(corpus_files())
    return bool(
        corpus_model().manifest["training"]["sha256"] == corpus_sha256
        and main_subject_model().sources_sha256 == corpus_sha256
    )


def fit_main_subject(
    examples: Sequence[Example], sources: str, embeddings: Matrix | None = None
) -> MainSubjectModel:
    """The main-subject model fitted on examples' primary labels (`embeddings`: theirs, when already computed)."""
    vectors = embed([embedding_text(example.record) for example in examples]) if embeddings is None else embeddings
    return fit_main_subject_model(vectors, [label_topic(example.labels[0]).code for example in examples], sources)


def rebuild() -> Path:
    """Fit both corpus models on the corpus and write them over the shipped artefacts."""
    directory = train(corpus_files(), artefact_directory(), CORPUS, NAME, OPTIONS, print)
    print("fitting the main-subject model")
    examples = read_all_examples(corpus_files())
    save_main_subject_model(fit_main_subject(examples, sources_sha256(corpus_files())), directory / MAIN_SUBJECT_FILE)
    return directory


if __name__ == "__main__":
    print(f"wrote {rebuild()}")
