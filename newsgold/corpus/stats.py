"""Corpus statistics: documents, tokens, spans per label, attribute values, relations."""

from __future__ import annotations

from collections import Counter
from typing import Any, Iterable

from newsgold.document import Document
from newsgold.schema import Schema


def corpus_stats(documents: Iterable[Document], schema: Schema) -> dict[str, Any]:
    """Counts over a stream of documents, every schema label and value listed (zero included).

    Token and sentence counts cover the documents that carry a segmentation (ingested ones).
    """
    docs = chars = tokens = sentences = segmented = 0
    spans: Counter[str] = Counter()
    relations: Counter[str] = Counter()
    values: dict[tuple[str, str], Counter[str]] = {}
    for document in documents:
        docs += 1
        chars += len(document.text or "")
        if document.tokens is not None:
            segmented += 1
            tokens += len(document.tokens)
            sentences += len(document.sentences or ())
        for span in document.spans:
            spans[span.label] += 1
            for name, value in span.attrs.items():
                values.setdefault((span.label, name), Counter())[value] += 1
        for relation in document.relations:
            relations[relation.label] += 1

    attributes: dict[str, dict[str, Any]] = {}
    for label in schema.labels:
        per_label: dict[str, Any] = {}
        for attribute in label.attributes:
            seen = values.get((label.name, attribute.name), Counter())
            if attribute.kind == "choice":
                per_label[attribute.name] = {value: seen.get(value, 0) for value in attribute.value_names}
            else:
                per_label[attribute.name] = {"distinct": len(seen), "filled": sum(seen.values())}
        attributes[label.name] = per_label
    return {
        "schema_version": schema.version,
        "documents": docs,
        "characters": chars,
        "segmented_documents": segmented,
        "sentences": sentences,
        "tokens": tokens,
        "spans": {label: spans.get(label, 0) for label in schema.label_names},
        "relations": {name: relations.get(name, 0) for name in schema.relation_names},
        "attributes": attributes,
    }
