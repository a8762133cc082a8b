"""Corpus statistics: documents, tokens, spans per label, attribute values, relations."""

from __future__ import annotations

from collections import Counter
from typing import Any, Iterable

from newsgold.document import Document
from newsgold.schema import Schema


class StatsAccumulator:
    """Counts documents one at a time (so a build can count while it streams)."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.docs = self.chars = self.tokens = self.sentences = self.segmented = 0
        self.spans: Counter[str] = Counter()
        self.relations: Counter[str] = Counter()
        self.values: dict[tuple[str, str], Counter[str]] = {}

    def add(self, document: Document) -> None:
        """Count one document."""
        self.docs += 1
        self.chars += len(document.text or "")
        if document.tokens is not None:
            self.segmented += 1
            self.tokens += len(document.tokens)
            self.sentences += len(document.sentences or ())
        for span in document.spans:
            self.spans[span.label] += 1
            for name, value in span.attrs.items():
                self.values.setdefault((span.label, name), Counter())[value] += 1
        for relation in document.relations:
            self.relations[relation.label] += 1

    def result(self) -> dict[str, Any]:
        """The counts, every schema label and value listed (zero included)."""
        attributes: dict[str, dict[str, Any]] = {}
        for label in self.schema.labels:
            per_label: dict[str, Any] = {}
            for attribute in label.attributes:
                seen = self.values.get((label.name, attribute.name), Counter())
                if attribute.kind == "choice":
                    per_label[attribute.name] = {value: seen.get(value, 0) for value in attribute.value_names}
                else:
                    per_label[attribute.name] = {"distinct": len(seen), "filled": sum(seen.values())}
            attributes[label.name] = per_label
        return {
            "schema_version": self.schema.version,
            "documents": self.docs,
            "characters": self.chars,
            "segmented_documents": self.segmented,
            "sentences": self.sentences,
            "tokens": self.tokens,
            "spans": {label: self.spans.get(label, 0) for label in self.schema.label_names},
            "relations": {name: self.relations.get(name, 0) for name in self.schema.relation_names},
            "attributes": attributes,
        }


def corpus_stats(documents: Iterable[Document], schema: Schema) -> dict[str, Any]:
    """Counts over a stream of documents: documents, tokens, spans per label, values, relations.

    Token and sentence counts cover the documents that carry a segmentation.
    """
    accumulator = StatsAccumulator(schema)
    for document in documents:
        accumulator.add(document)
    return accumulator.result()
