"""`newsflow agreement`'s tables: how far a gold folder's annotators agree with each other."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from pipeline.evaluate.agreement import Agreement, SubtopicPanel, TopicPanel
from pipeline.evaluate.report import (
    COUNTS_COLUMNS,
    LANGUAGES,
    SECTIONS,
    counts_cells,
    language_table,
    tally_cells,
)


def render_agreement(result: Agreement, console: Console) -> None:
    """Each panel's pairwise agreement; for topics also Fleiss' kappa and the articles without a majority."""
    console.print(f"[bold]{len(result.articles)}[/] articles (gold: each panel's majority vote)")
    if result.topics:
        _render_topics(result.topics, console)
    if result.subtopics:
        console.print(_subtopic_table(result.subtopics))


def _render_topics(panel: TopicPanel, console: Console) -> None:
    names = ", ".join(panel.annotators)
    columns = ("articles", "same primary", "topic P", "R", "F1")
    pairs = [
        (f"{first} – {second}", [tally_cells(panel.pair(first, second, language)) for language in SECTIONS])
        for first, second in panel.pairs()
    ]
    title = f"Top-level topics: annotators {names} (the second scored against the first)"
    console.print(language_table(title, "annotators", columns, pairs))
    kappas = ", ".join(
        f"{language or 'all'} {kappa:.3f}"
        for language in SECTIONS
        if (kappa := panel.kappa(language)) is not None
    )
    console.print(f"Fleiss' kappa on the primary topic: {kappas}")
    for article in panel.without_majority():
        named = zip(panel.annotators, panel.votes(article), strict=True)
        votes = "; ".join(f"{name}: {vote.primary}" for name, vote in named)
        console.print(f"[yellow]no majority[/] {article.id} ({votes}); the gold keeps {panel.annotators[0]}'s")


def _subtopic_table(panel: SubtopicPanel) -> Table:
    names = ", ".join(panel.annotators)
    pairs = [
        (f"{first} – {second}", [counts_cells(panel.pair(first, second, language)) for language in SECTIONS])
        for first, second in panel.pairs()
    ]
    title = f"Second-level topics: annotators {names} (the second scored against the first)"
    return language_table(title, "annotators", (*COUNTS_COLUMNS[:3], "labels"), pairs)


def agreement_summary(result: Agreement) -> str | None:
    """One line for `newsflow eval`: the range of the annotators' pairwise primary-topic agreement per language."""
    panel = result.topics
    if panel is None:
        return None
    ranges = []
    for language in LANGUAGES:
        if panel.annotated(language):
            shares = [panel.pair(first, second, language).primary_accuracy for first, second in panel.pairs()]
            ranges.append(f"{language} {min(shares):.3f}–{max(shares):.3f}")
    return (
        f"The {len(panel.annotators)} annotators whose majority vote is this gold agree with each other on the "
        f"primary topic: {', '.join(ranges)} (newsflow agreement)."
    )
