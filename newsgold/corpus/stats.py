"""Corpus statistics: documents, tokens, spans per label, attribute values, relations."""

from __future__ import annotations

from collections import Counter
from typing import Any, Iterable

from newsgold.model.document import Document
from newsgold.model.schema import Schema


class StatsAccumulator:
    """Counts documents one at a time (so a build can count while it streams)."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.docs = self.chars = self.tokens = self.sentences = self.segmented = 0
        self.spans: Counter[str] = Counter()
        self.relations: Counter[str] = Counter()
        self.values: Counter[tuple[str, str, str]] = Counter()  # (label, attribute, value)

    def add(self, document: Document, *, tokens: int | None = None) -> None:
        """Count one document; `tokens` is its token count when the document does not carry them."""
        self.docs += 1
        self.chars += len(document.text or "")
        if tokens is None and document.tokens is not None:
            tokens = len(document.tokens)
        if tokens is not None:
            self.segmented += 1
            self.tokens += tokens
            self.sentences += len(document.sentences or ())
        self.spans.update(span.label for span in document.spans)
        self.values.update((span.label, name, value) for span in document.spans for name, value in span.attrs.items())
        self.relations.update(relation.label for relation in document.relations)

    def merge(self, other: StatsAccumulator) -> None:
        """Add the counts of another accumulator (one per batch when building in parallel)."""
        self.docs += other.docs
        self.chars += other.chars
        self.tokens += other.tokens
        self.sentences += other.sentences
        self.segmented += other.segmented
        self.spans.update(other.spans)
        self.relations.update(other.relations)
        self.values.update(other.values)

    def result(self) -> dict[str, Any]:
        """The counts, every schema label and value listed (zero included)."""
        by_attribute: dict[tuple[str, str], Counter[str]] = {}
        for (label_name, name, value), count in self.values.items():
            by_attribute.setdefault((label_name, name), Counter())[value] += count
        attributes: dict[str, dict[str, Any]] = {}
        for label in self.schema.labels:
            per_label: dict[str, Any] = {}
            for attribute in label.attributes:
                seen = by_attribute.get((label.name, attribute.name), Counter())
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
