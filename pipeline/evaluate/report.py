"""The evaluation report: per-article results, score tables for the terminal, and a JSON form."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.table import Table

from pipeline.evaluate.scoring import Counts, EntityResult, TopicTally, label_set_counts

TYPES = ("PER", "ORG", "LOC", "DATE")
LANGUAGES = ("ar", "en")
SECTIONS = (None, *LANGUAGES)  # a score table's lines: all languages, then each
TALLY_COLUMNS = ("articles", "primary acc", "P", "R", "F1")
COUNTS_COLUMNS = ("P", "R", "F1", "gold")


@dataclass
class ArticleResult:
    """One gold article's outcome."""

    id: str
    language: str
    gold_primary: str | None
    gold_topics: list[str]
    entities: EntityResult
    topics: dict[str, tuple[str | None, list[str]]]  # classifier name -> (primary label, labels)
    gold_subtopics: list[str] | None = None  # None: the gold does not annotate second-level topics
    subtopics: dict[str, list[str]] = field(default_factory=dict)  # classifier name -> second-level labels
    error: str | None = None


@dataclass
class EvalReport:
    """Everything `newsflow eval` measured on one gold set."""

    path: str
    articles: list[ArticleResult]
    classifiers: list[str]
    entity_seconds: float = 0.0

    def entity_counts(self, type_: str | None = None, language: str | None = None) -> Counts:
        """Micro-averaged tally over all articles for one type and/or mention language (None: all)."""
        total = Counts()
        for article in self.articles:
            total.add(article.entities.counts(type_, language))
        return total

    def topic_tally(self, classifier: str, language: str | None = None) -> TopicTally:
        """Primary accuracy and set F1 of one classifier over the articles (of one primary language)."""
        tally = TopicTally()
        for article in self.articles:
            if language and article.language != language:
                continue
            primary, labels = article.topics.get(classifier, (None, []))
            tally.add(article.gold_primary, article.gold_topics, primary, labels)
        return tally

    def subtopic_counts(self, classifier: str, language: str | None = None) -> Counts:
        """Micro P/R/F1 of one classifier's second-level topics over the articles whose gold annotates them."""
        total = Counts()
        for article in self.articles:
            if article.gold_subtopics is None or (language and article.language != language):
                continue
            total.add(label_set_counts(article.gold_subtopics, article.subtopics.get(classifier, [])))
        return total

    def subtopic_classifiers(self) -> list[str]:
        """The classifiers to score on second-level topics: those that emitted any, if the gold annotates them."""
        if all(article.gold_subtopics is None for article in self.articles):
            return []
        return [name for name in self.classifiers if any(article.subtopics.get(name) for article in self.articles)]


def report_json(report: EvalReport) -> dict[str, Any]:
    """The report as JSON-ready data: scores by type and language, topic scores, per-article errors."""
    entities: dict[str, Any] = {"all": report.entity_counts().as_dict()}
    for language in LANGUAGES:
        entities[language] = report.entity_counts(language=language).as_dict()
    for type_ in TYPES:
        entities[type_] = report.entity_counts(type_).as_dict()
        for language in LANGUAGES:
            entities[f"{type_}.{language}"] = report.entity_counts(type_, language).as_dict()
    return {
        "path": report.path,
        "articles": len(report.articles),
        "entities": entities,
        "topics": {
            name: {
                "all": report.topic_tally(name).as_dict(),
                **{language: report.topic_tally(name, language).as_dict() for language in LANGUAGES},
            }
            for name in report.classifiers
        },
        "subtopics": {
            name: {
                "all": report.subtopic_counts(name).as_dict(),
                **{language: report.subtopic_counts(name, language).as_dict() for language in LANGUAGES},
            }
            for name in report.subtopic_classifiers()
        },
        "entity_articles_per_second": round(len(report.articles) / report.entity_seconds, 1)
        if report.entity_seconds
        else None,
        "per_article": [
            {
                "id": article.id,
                "language": article.language,
                "error": article.error,
                "missed": [[pair[0], text] for pair, text in article.entities.missed.items()],
                "spurious": [[pair[0], text] for pair, text in article.entities.spurious.items()],
                "topics": {
                    "gold": [article.gold_primary, article.gold_topics],
                    **{name: [primary, labels] for name, (primary, labels) in article.topics.items()},
                },
                "subtopics": {"gold": article.gold_subtopics, **article.subtopics},
            }
            for article in report.articles
        ],
    }


def render(report: EvalReport, console: Console, *, details: bool = False) -> None:
    """Print the entity and topic tables (and, with `details`, each article's misses and false alarms)."""
    console.print(f"[bold]{len(report.articles)}[/] gold articles from {report.path}")
    table = Table(title="Entities (micro over distinct type+surface pairs per article; language of the mention)")
    table.add_column("language")
    table.add_column("type")
    for column in ("P", "R", "F1", "gold"):
        table.add_column(column, justify="right")
    for language in SECTIONS:
        for type_ in (*TYPES, None):
            counts = report.entity_counts(type_, language)
            table.add_row(
                (language or "all") if type_ == TYPES[0] else "",
                type_ or "[bold]all[/]",
                f"{counts.precision:.3f}",
                f"{counts.recall:.3f}",
                f"{counts.f1:.3f}",
                str(counts.tp + counts.fn),
                end_section=type_ is None,
            )
    console.print(table)
    topics = language_table(
        "Topics (by the article's primary language)",
        "classifier",
        TALLY_COLUMNS,
        [(name, [tally_cells(report.topic_tally(name, language)) for language in SECTIONS])
         for name in report.classifiers],
    )
    console.print(topics)
    if report.subtopic_classifiers():
        console.print(_subtopic_table(report))
    failed = [article for article in report.articles if article.error]
    for article in failed:
        console.print(f"[red]{article.id}[/]: pipeline failed ({article.error})")
    if details:
        for article in report.articles:
            result = article.entities
            if result.missed or result.spurious:
                console.print(f"[bold]{article.id}[/]")
                for pair, text in result.missed.items():
                    console.print(f"  [yellow]missed[/]   {pair[0]:4} {text}")
                for pair, text in result.spurious.items():
                    console.print(f"  [red]spurious[/] {pair[0]:4} {text}")


def _subtopic_table(report: EvalReport) -> Table:
    return language_table(
        "Second-level topics (micro over each article's set)",
        "classifier",
        COUNTS_COLUMNS,
        [(name, [counts_cells(report.subtopic_counts(name, language)) for language in SECTIONS])
         for name in report.subtopic_classifiers()],
    )


def tally_cells(tally: TopicTally) -> list[str]:
    """A topic tally's cells: articles, primary accuracy, set precision, recall and F1."""
    sets = tally.sets
    return [str(tally.articles), f"{tally.primary_accuracy:.3f}", f"{sets.precision:.3f}", f"{sets.recall:.3f}",
            f"{sets.f1:.3f}"]


def counts_cells(counts: Counts) -> list[str]:
    """A tally's cells: precision, recall, F1 and the number of gold items."""
    return [f"{counts.precision:.3f}", f"{counts.recall:.3f}", f"{counts.f1:.3f}", str(counts.tp + counts.fn)]


def language_table(
    title: str, row_name: str, columns: Sequence[str], rows: Iterable[tuple[str, list[list[str]]]]
) -> Table:
    """A table with a section per named row and a line per entry of SECTIONS (all languages, then each), whose
    cells each row gives in that order."""
    table = Table(title=title)
    table.add_column(row_name)
    table.add_column("language")
    for column in columns:
        table.add_column(column, justify="right")
    for name, lines in rows:
        for language, cells in zip(SECTIONS, lines, strict=True):
            table.add_row(
                name if language is None else "",
                language or "all",
                *cells,
                end_section=language == SECTIONS[-1],
            )
    return table
