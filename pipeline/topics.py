"""The article topology: topic names, and creating them explicitly with matching partition counts."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from kafka.admin import KafkaAdminClient
from kafka.errors import TopicAlreadyExistsError

from pipeline.clients import admin_client
from pipeline.config import Settings

RAW = "articles.raw"
NORMALIZED = "articles.normalized"
ENTITIES = "articles.entities"
ENRICHED = "articles.enriched"
DLQ = "articles.dlq"

STAGE_TOPICS = (RAW, NORMALIZED, ENTITIES, ENRICHED)
ALL_TOPICS = (*STAGE_TOPICS, DLQ)
RETENTION_MS = {DLQ: 30 * 24 * 3600 * 1000}


def physical(settings: Settings, logical: str) -> str:
    """The topic's name on the cluster: the logical name behind the configured prefix."""
    return f"{settings.topic_prefix}{logical}"


@dataclass(frozen=True)
class TopicState:
    """One topic after `create_topics`: its name, partition count and whether this call created it."""

    name: str
    partitions: int
    created: bool


def create_missing(admin: KafkaAdminClient, wanted: Mapping[str, dict[str, Any]]) -> set[str]:
    """Create those of the wanted topics ({name: creation options}) the cluster lacks; the names it created."""
    existing = set(admin.list_topics())
    missing = {topic: options for topic, options in wanted.items() if topic not in existing}
    if missing:
        with suppress(TopicAlreadyExistsError):  # another process created them between list and create
            admin.create_topics(missing, wait_for_metadata=True)
    return set(missing)


def create_topics(settings: Settings) -> list[TopicState]:
    """Create every pipeline topic that is missing (idempotent) and report each one's partition count."""
    wanted = {
        physical(settings, logical): {
            "num_partitions": settings.partitions,
            "replication_factor": settings.replication_factor,
            "configs": {"retention.ms": str(RETENTION_MS[logical])} if logical in RETENTION_MS else {},
        }
        for logical in ALL_TOPICS
    }
    with admin_client(settings) as admin:
        created = create_missing(admin, wanted)
        described = {item["name"]: len(item["partitions"]) for item in admin.describe_topics(list(wanted))}
    return [TopicState(topic, described.get(topic, 0), topic in created) for topic in wanted]


def missing_topics(settings: Settings, names: list[str]) -> list[str]:
    """Which of these physical topic names do not exist on the cluster."""
    with admin_client(settings) as admin:
        existing = set(admin.list_topics())
    return [name for name in names if name not in existing]
