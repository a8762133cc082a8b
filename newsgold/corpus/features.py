"""Hugging Face `Features` of the three dataset configurations, all derived from the schema."""

from __future__ import annotations

from datasets import ClassLabel, Features, List, Value

from newsgold.model.errors import SchemaError
from newsgold.model.schema import Schema

CONFIG_NAMES = ("documents", "tokens", "claims")


def attribute_column(label: str, attribute: str) -> str:
    """Column name of a span attribute in the flat `attrs` struct: `speaker_entity`."""
    return f"{label.lower()}_{attribute}"


def tags_column(label: str) -> str:
    """Column name of one label's IOB2 tag sequence: `claim_tags`."""
    return f"{label.lower()}_tags"


def documents_features(schema: Schema) -> Features:
    """One row per article: text, provenance, spans with their attributes, relations."""
    attrs = {
        attribute_column(label.name, attribute.name): Value("string")
        for label in schema.labels
        for attribute in label.attributes
    }
    return Features(
        {
            "id": Value("string"),
            "text": Value("string"),
            "source": Value("string"),
            "sha256": Value("string"),
            "meta": Value("string"),
            "spans": List(
                {
                    "id": Value("string"),
                    "label": ClassLabel(names=list(schema.label_names)),
                    "start": Value("int32"),
                    "end": Value("int32"),
                    "text": Value("string"),
                    "attrs": attrs,
                }
            ),
            "relations": List(
                {
                    "label": ClassLabel(names=list(schema.relation_names)),
                    "head": Value("string"),
                    "tail": Value("string"),
                }
            ),
        }
    )


def tokens_features(schema: Schema) -> Features:
    """One row per sentence: tokens, their document offsets, one IOB2 layer per label."""
    columns = {
        "id": Value("string"),
        "document_id": Value("string"),
        "sentence_index": Value("int32"),
        "tokens": List(Value("string")),
        "token_starts": List(Value("int32")),
        "token_ends": List(Value("int32")),
    }
    for label in schema.label_names:
        columns[tags_column(label)] = List(ClassLabel(names=list(schema.bio_tags(label))))
    return Features(columns)


def claim_label(schema: Schema) -> str:
    """The label of the `claims` configuration's rows: the one label every relation starts from (CLAIM).

    Derived from the schema, not named here: a schema whose relations start from several labels,
    or that has none, has no claims configuration and is refused by the build.
    """
    heads = {label for relation in schema.relations for label in relation.head}
    if len(heads) != 1:
        raise SchemaError(
            f"the claims configuration needs the relations to start from one label, got {sorted(heads) or 'none'}",
            path=schema.source, field="relations",
        )
    return next(iter(heads))


def claim_links(schema: Schema) -> list[tuple[str, str]]:
    """(relation, tail label) pairs that hang off the claim label: each becomes a group of claim columns."""
    claim = claim_label(schema)
    return [
        (relation.name, relation.tail[0])
        for relation in schema.relations
        if claim in relation.head and len(relation.tail) == 1
    ]


def claims_features(schema: Schema) -> Features:
    """One row per claim (`claim_label`): its text, offsets and attributes, and each linked span (speaker, event).

    Linked spans come from the relations whose head is CLAIM: for `attributed_to` -> SPEAKER the
    columns are `speaker_text`, `speaker_start`, `speaker_end` and one per SPEAKER attribute
    (`speaker_entity`, `speaker_mention`); they are null when the claim has no such relation.
    """
    claim = schema.label(claim_label(schema))
    columns = {
        "id": Value("string"),
        "document_id": Value("string"),
        "claim_id": Value("string"),
        "text": Value("string"),
        "start": Value("int32"),
        "end": Value("int32"),
    }
    for attribute in claim.attributes:
        columns[attribute.name] = (
            ClassLabel(names=list(attribute.value_names)) if attribute.kind == "choice" else Value("string")
        )
    for _, tail in claim_links(schema):
        prefix = tail.lower()
        for attribute in schema.label(tail).attributes:
            columns[attribute_column(tail, attribute.name)] = Value("string")
        columns.update(
            {f"{prefix}_text": Value("string"), f"{prefix}_start": Value("int32"), f"{prefix}_end": Value("int32")}
        )
    return Features(columns)


def config_features(schema: Schema) -> dict[str, Features]:
    """Features of every configuration, by name."""
    return {
        "documents": documents_features(schema),
        "tokens": tokens_features(schema),
        "claims": claims_features(schema),
    }
