"""The JSON Schema of every topic, built from one set of field definitions (the files are generated)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import orjson

Schema = dict[str, Any]

SCHEMA_DIR = Path(__file__).parent
DRAFT = "http://json-schema.org/draft-07/schema#"
BASE_ID = "https://newsflow.dev/schemas/"

ISO_LANG = {"type": ["string", "null"], "pattern": "^[a-z]{2}$"}
NULLABLE_STRING = {"type": ["string", "null"]}
ARTICLE_ID = {"type": "string", "pattern": "^[0-9a-f]{16}$"}
OFFSET = {"type": "integer", "minimum": 0}

PROVENANCE = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["stage", "version", "at"],
        "properties": {
            "stage": {"type": "string"},
            "version": {"type": "string"},
            "at": {"type": "string"},
            "model": {"type": "string"},
        },
    },
}

RAW_FIELDS: Schema = {
    "schema_version": {"const": 1},
    "id": ARTICLE_ID,
    "source": {"type": "string", "minLength": 1},
    "url": NULLABLE_STRING,
    "raw": {"type": "string"},
    "title": NULLABLE_STRING,
    "published_at": NULLABLE_STRING,
    "ingested_at": {"type": "string"},
    "lang_hint": ISO_LANG,
    "meta": {"type": "object"},
    "provenance": PROVENANCE,
}

BLOCK_KINDS = ["title", "caption", "paragraph", "subheading", "credit", "dateline", "artefact"]

NORMALIZED_FIELDS: Schema = {
    "title": {"type": "string"},
    "text": {"type": "string"},
    "blocks": {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["kind", "text", "lang", "start", "end", "raw_start", "raw_end", "dropped", "reason"],
            "properties": {
                "kind": {"enum": BLOCK_KINDS},
                "text": {"type": "string"},
                "lang": ISO_LANG,
                "start": {"type": ["integer", "null"], "minimum": 0},
                "end": {"type": ["integer", "null"], "minimum": 0},
                "raw_start": OFFSET,
                "raw_end": OFFSET,
                "dropped": {"type": "boolean"},
                "reason": NULLABLE_STRING,
            },
        },
    },
    "language": ISO_LANG,
    "languages": {"type": "array", "items": {"type": "string", "pattern": "^[a-z]{2}$"}},
    "offset_map": {
        "type": "array",
        "items": {"type": "array", "items": OFFSET, "minItems": 2, "maxItems": 2},
    },
    "word_count": {"type": "integer", "minimum": 0},
    "reading_time_s": {"type": "integer", "minimum": 0},
    "content_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
    "simhash": {"type": "string", "pattern": "^[0-9a-f]{16}$"},
    "flags": {"type": "array", "items": {"type": "string"}},
}

ENTITY_TYPES = ["PER", "ORG", "LOC", "DATE"]

ENTITIES_FIELDS: Schema = {
    "entities": {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["type", "text", "start", "end", "canonical", "lang", "id", "confidence", "method"],
            "properties": {
                "type": {"enum": ENTITY_TYPES},
                "text": {"type": "string", "minLength": 1},
                "start": OFFSET,
                "end": OFFSET,
                "canonical": {"type": "string"},
                "lang": ISO_LANG,
                "id": NULLABLE_STRING,
                "confidence": {"type": "number", "minimum": 0, "maximum": 1},
                "method": {"type": "string"},
            },
        },
    },
}

TOPIC = {
    "type": "object",
    "required": ["code", "label", "label_ar", "score", "level", "parent"],
    "properties": {
        # IPTC `medtop:NNNNNNNN`, or a namespaced code of a user-trained model's own label (`custom:local-news`)
        "code": {"type": "string", "pattern": "^[a-z][a-z0-9_-]*:\\S+$"},
        "label": {"type": "string"},
        "label_ar": {"type": "string"},
        "score": {"type": "number", "minimum": 0, "maximum": 1},
        "level": {"enum": [1, 2]},
        "parent": NULLABLE_STRING,
    },
}

ENRICHED_FIELDS: Schema = {
    "topics": {"type": "array", "items": TOPIC},
    "primary_topic": {"oneOf": [TOPIC, {"type": "null"}]},
}

DLQ_FIELDS: Schema = {
    "schema_version": {"const": 1},
    "stage": {"type": "string"},
    "reason": {
        "enum": ["decode", "json", "schema", "output_schema", "oversize", "empty", "rejected", "error"]
    },
    "error": {
        "type": "object",
        "required": ["class", "message"],
        "properties": {"class": {"type": "string"}, "message": {"type": "string"}},
    },
    "source": {
        "type": "object",
        "required": ["topic", "partition", "offset", "timestamp", "key"],
        "properties": {
            "topic": {"type": "string"},
            "partition": {"type": ["integer", "null"]},
            "offset": {"type": ["integer", "null"]},
            "timestamp": {"type": ["integer", "null"]},
            "key": NULLABLE_STRING,
        },
    },
    "failed_at": {"type": "string"},
    "original": {"type": "string", "contentEncoding": "base64"},
    "original_size": {"type": "integer", "minimum": 0},
    "original_sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
    "original_truncated": {"type": "boolean"},
    "id": NULLABLE_STRING,
}


def _object(topic: str, description: str, *field_groups: Schema) -> Schema:
    fields: Schema = {}
    for group in field_groups:
        fields.update(group)
    return {
        "$schema": DRAFT,
        "$id": f"{BASE_ID}{topic}.json",
        "title": topic,
        "description": description,
        "type": "object",
        "required": list(fields),
        "properties": fields,
    }


def topic_schemas() -> dict[str, Schema]:
    """Every topic's schema by logical topic name; each stage's schema extends the one before."""
    return {
        "articles.raw": _object("articles.raw", "An article as delivered by a producer.", RAW_FIELDS),
        "articles.normalized": _object(
            "articles.normalized",
            "Structured, cleaned, language-tagged article.",
            RAW_FIELDS,
            NORMALIZED_FIELDS,
        ),
        "articles.entities": _object(
            "articles.entities",
            "Normalized article with PER/ORG/LOC/DATE entities.",
            RAW_FIELDS,
            NORMALIZED_FIELDS,
            ENTITIES_FIELDS,
        ),
        "articles.enriched": _object(
            "articles.enriched",
            "Fully enriched article with IPTC Media Topics.",
            RAW_FIELDS,
            NORMALIZED_FIELDS,
            ENTITIES_FIELDS,
            ENRICHED_FIELDS,
        ),
        "articles.dlq": _object(
            "articles.dlq", "A record a stage could not process, with the reason.", DLQ_FIELDS
        ),
    }


def render(schema: Schema) -> bytes:
    """A schema as the bytes of its file: indented, keys in definition order, trailing newline."""
    return orjson.dumps(schema, option=orjson.OPT_INDENT_2) + b"\n"


def write_all(directory: Path = SCHEMA_DIR) -> list[Path]:
    """(Re)write every schema file; returns the paths written."""
    written = []
    for topic, schema in topic_schemas().items():
        path = directory / f"{topic}.json"
        path.write_bytes(render(schema))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_all():
        sys.stdout.write(f"wrote {path}\n")
