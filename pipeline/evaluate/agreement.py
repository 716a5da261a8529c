"""Labels from several annotators of a gold folder: how far they agree, and the majority vote the gold holds.

Top-level topics (primary and set) come from `topic-annotations.jsonl`, second-level topics from
`subtopic-annotations.jsonl`; each line is one annotator's labels for one article."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any, Generic, TypeVar

from pipeline.evaluate.gold import GoldArticle, GoldError, load_gold, topic_label
from pipeline.evaluate.scoring import Counts, TopicTally, label_set_counts

ANNOTATIONS = "topic-annotations.jsonl"
SUBTOPIC_ANNOTATIONS = "subtopic-annotations.jsonl"
Labels = TypeVar("Labels")


@dataclass(frozen=True)
class TopicLabels:
    """One annotator's labels for one article: the primary topic and every topic that applies, primary first."""

    primary: str
    topics: tuple[str, ...]


def majority_set(votes: Sequence[Iterable[str]]) -> tuple[str, ...]:
    """Every label more than half the annotators gave, in the order they gave them."""
    ballots = [tuple(dict.fromkeys(vote)) for vote in votes]
    counts = Counter(label for ballot in ballots for label in ballot)
    ordered = dict.fromkeys(label for ballot in ballots for label in ballot)
    return tuple(label for label in ordered if counts[label] > len(votes) / 2)


def majority_primary(votes: Sequence[TopicLabels]) -> str | None:
    """The primary topic more than half the annotators chose, if there is one."""
    primary, count = Counter(vote.primary for vote in votes).most_common(1)[0]
    return primary if count > len(votes) / 2 else None


def majority(votes: Sequence[TopicLabels]) -> TopicLabels:
    """The adjudicated labels: the primary topic more than half the annotators chose (the first annotator's when
    none has a majority), then every other topic more than half chose, in the order annotators gave them."""
    primary = majority_primary(votes) or votes[0].primary
    return TopicLabels(primary, (primary, *(t for t in majority_set([vote.topics for vote in votes]) if t != primary)))


def fleiss_kappa(ratings: Sequence[Sequence[str]]) -> float:
    """Fleiss' kappa of categorical ratings: one row per item, the same number of raters per row."""
    raters = len(ratings[0]) if ratings else 0
    if raters < 2 or any(len(row) != raters for row in ratings):
        raise ValueError("Fleiss' kappa needs the same number (at least two) of ratings per item")
    category_totals: Counter[str] = Counter()
    observed = 0.0
    for row in ratings:
        counts = Counter(row)
        category_totals.update(counts)
        observed += (sum(n * n for n in counts.values()) - raters) / (raters * (raters - 1))
    observed /= len(ratings)
    everything = len(ratings) * raters
    expected = sum((total / everything) ** 2 for total in category_totals.values())
    return 1.0 if expected == 1 else (observed - expected) / (1 - expected)


@dataclass(frozen=True)
class Panel(Generic[Labels]):
    """One annotation file: its annotators, in file order, and each one's labels per article id."""

    annotators: tuple[str, ...]
    labels: dict[str, dict[str, Labels]]
    articles: list[GoldArticle]

    def pairs(self) -> list[tuple[str, str]]:
        """Every pair of annotators."""
        return list(combinations(self.annotators, 2))

    def votes(self, article: GoldArticle) -> list[Labels]:
        """The article's labels from every annotator, in file order."""
        return [self.labels[article.id][name] for name in self.annotators]

    def annotated(self, language: str | None) -> list[GoldArticle]:
        """The articles, or those of one primary language."""
        return [article for article in self.articles if language is None or article.language == language]


class TopicPanel(Panel[TopicLabels]):
    """Top-level topic annotations."""

    def pair(self, first: str, second: str, language: str | None = None) -> TopicTally:
        """The second annotator scored against the first (primary agreement, set F1), over one language or all."""
        tally = TopicTally()
        for article in self.annotated(language):
            reference, other = self.labels[article.id][first], self.labels[article.id][second]
            tally.add(reference.primary, reference.topics, other.primary, other.topics)
        return tally

    def kappa(self, language: str | None = None) -> float | None:
        """Fleiss' kappa of the annotators' primary topics (None without articles in that language)."""
        articles = self.annotated(language)
        if not articles:
            return None
        return fleiss_kappa([[vote.primary for vote in self.votes(article)] for article in articles])

    def adjudicated(self, article: GoldArticle) -> TopicLabels:
        """The majority vote of the article's annotators."""
        return majority(self.votes(article))

    def without_majority(self) -> list[GoldArticle]:
        """Articles on whose primary topic no majority of annotators agrees."""
        return [article for article in self.articles if majority_primary(self.votes(article)) is None]

    def is_current(self, article: GoldArticle) -> bool:
        """Whether the gold's primary topic and topic set are the majority vote."""
        vote = self.adjudicated(article)
        topics = {topic_label(topic) for topic in article.topics}
        return topic_label(article.primary_topic) == vote.primary and topics == set(vote.topics)


class SubtopicPanel(Panel[tuple[str, ...]]):
    """Second-level topic annotations."""

    def pair(self, first: str, second: str, language: str | None = None) -> Counts:
        """The second annotator's second-level topics scored against the first's."""
        total = Counts()
        for article in self.annotated(language):
            total.add(label_set_counts(self.labels[article.id][first], self.labels[article.id][second]))
        return total

    def adjudicated(self, article: GoldArticle) -> tuple[str, ...]:
        """The second-level topics more than half the annotators gave."""
        return majority_set(self.votes(article))

    def is_current(self, article: GoldArticle) -> bool:
        """Whether the gold's second-level topics are the majority vote."""
        return article.subtopics is not None and set(article.subtopics) == set(self.adjudicated(article))


@dataclass(frozen=True)
class Agreement:
    """A gold folder's annotator panels (either may be absent)."""

    articles: list[GoldArticle]
    topics: TopicPanel | None
    subtopics: SubtopicPanel | None

    def out_of_date(self) -> list[GoldArticle]:
        """Gold articles whose topics or second-level topics are not their annotators' majority vote."""
        return [
            article
            for article in self.articles
            if (self.topics and not self.topics.is_current(article))
            or (self.subtopics and not self.subtopics.is_current(article))
        ]


def _topic_labels(item: dict[str, Any]) -> TopicLabels:
    primary = topic_label(item["primary_topic"])
    if primary is None:
        raise ValueError("no primary topic")
    others = (topic_label(topic) for topic in item["topics"])
    return TopicLabels(primary, tuple(dict.fromkeys([primary, *(topic for topic in others if topic)])))


def _subtopic_labels(item: dict[str, Any]) -> tuple[str, ...]:
    subtopics = item["subtopics"]
    if not isinstance(subtopics, list):
        raise TypeError("subtopics must be a list")
    return tuple(dict.fromkeys(str(label) for label in subtopics))


def _read_panel(
    folder: Path, name: str, parse: Callable[[dict[str, Any]], Labels], articles: list[GoldArticle]
) -> tuple[tuple[str, ...], dict[str, dict[str, Labels]]] | None:
    path = folder / name
    if not path.exists():
        return None
    labels: dict[str, dict[str, Labels]] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item: Any = json.loads(line)
            labels.setdefault(str(item["id"]), {})[str(item["annotator"])] = parse(item)
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
            raise GoldError(f"{path}:{number}: not an annotation line ({error})") from error
    annotators = tuple(dict.fromkeys(annotator for by_annotator in labels.values() for annotator in by_annotator))
    for article in articles:
        missing = [annotator for annotator in annotators if annotator not in labels.get(article.id, {})]
        if missing:
            raise GoldError(f"{path}: {article.id} has no labels from annotator {', '.join(missing)}")
    return annotators, labels


def agreement(folder: Path) -> Agreement:
    """The folder's gold articles with every annotator's labels; each article must have all of them."""
    articles = load_gold(folder)
    topics = _read_panel(folder, ANNOTATIONS, _topic_labels, articles)
    subtopics = _read_panel(folder, SUBTOPIC_ANNOTATIONS, _subtopic_labels, articles)
    if topics is None and subtopics is None:
        raise GoldError(f"{folder} has neither {ANNOTATIONS} nor {SUBTOPIC_ANNOTATIONS}: nothing to compare")
    return Agreement(
        articles,
        TopicPanel(*topics, articles) if topics else None,
        SubtopicPanel(*subtopics, articles) if subtopics else None,
    )


def write_adjudicated(result: Agreement) -> list[GoldArticle]:
    """Rewrite each out-of-date gold annotation's topics (and second-level topics) to the majority vote."""
    stale = result.out_of_date()
    for article in stale:
        annotation = article.path.with_suffix(".json")
        data = json.loads(annotation.read_text(encoding="utf-8"))
        if result.topics:
            vote = result.topics.adjudicated(article)
            data["primary_topic"], data["topics"] = vote.primary, list(vote.topics)
        if result.subtopics:
            data["subtopics"] = list(result.subtopics.adjudicated(article))
        annotation.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return stale
