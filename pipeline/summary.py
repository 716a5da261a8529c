"""What each published article became, rendered for a person reading the terminal."""

from __future__ import annotations

from collections import Counter

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from pipeline.records import Record
from schemas.definitions import ENTITY_TYPES

SHOWN_NAMES = 8


def distinct_canonicals(record: Record, entity_type: str) -> list[str]:
    """The canonical names of one entity type, each once, in order of first mention."""
    names = [entity["canonical"] for entity in record["entities"] if entity["type"] == entity_type]
    return list(dict.fromkeys(names))


def topic_line(record: Record) -> str:
    """Top-level topics best first, each followed by its second-level topics."""
    topics = record["topics"]
    parts = []
    for topic in (topic for topic in topics if topic["level"] == 1):
        children = [child for child in topics if child["parent"] == topic["code"]]
        named = ", ".join(f"{child['label']} {child['score']:.2f}" for child in children)
        detail = f" ({named})" if children else ""
        parts.append(f"{topic['label']} {topic['score']:.2f}{detail}")
    return "; ".join(parts) or "none above the threshold"


def article_panel(record: Record) -> Panel:
    """One enriched article: title, languages, block kinds, entities by type, topics."""
    kinds = Counter(block["kind"] for block in record["blocks"] if not block["dropped"])
    dropped = sum(1 for block in record["blocks"] if block["dropped"])
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column()
    facts.add_row("languages", ", ".join(record["languages"]))
    blocks = ", ".join(f"{count} {kind}" for kind, count in kinds.items())
    facts.add_row("blocks", blocks + (f", {dropped} dropped" if dropped else ""))
    for entity_type in ENTITY_TYPES:
        names = distinct_canonicals(record, entity_type)
        more = f" … (+{len(names) - SHOWN_NAMES})" if len(names) > SHOWN_NAMES else ""
        facts.add_row(entity_type, (", ".join(names[:SHOWN_NAMES]) + more) or "-")
    facts.add_row("topics", topic_line(record))
    return Panel(Group(Text(record["title"], style="bold"), facts), title=record["id"], title_align="left")


def render_results(console: Console, enriched: dict[str, Record], dead: dict[str, Record], sent: list[str]) -> None:
    """A panel per enriched article, a line per dead-lettered or missing one."""
    for article_id in sent:
        if article_id in enriched:
            console.print(article_panel(enriched[article_id]))
        elif article_id in dead:
            letter = dead[article_id]
            console.print(
                f"[red]{article_id}: dead-lettered at {letter['stage']} ({letter['reason']}): "
                f"{letter['error']['message']}[/]",
                highlight=False,
            )
        else:
            console.print(f"[red]{article_id}: did not arrive before the timeout[/]")
