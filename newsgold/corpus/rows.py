"""One merged document -> the rows of each dataset configuration (ClassLabels already encoded)."""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from typing import Any, Iterator

from newsgold.corpus.bio import refined_token_arrays
from newsgold.corpus.features import CLAIM_LABEL, attribute_column, claim_links, tags_column
from newsgold.document import Document, Span
from newsgold.schema import Schema


class RowMaker:
    """Builds the rows of every configuration for a document; holds the schema's label indexes."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.label_index = {name: i for i, name in enumerate(schema.label_names)}
        self.relation_index = {name: i for i, name in enumerate(schema.relation_names)}
        self.tag_index = {
            label: {tag: i for i, tag in enumerate(schema.bio_tags(label))} for label in schema.label_names
        }
        self.attr_columns = [
            (label.name, attribute.name, attribute_column(label.name, attribute.name))
            for label in schema.labels
            for attribute in label.attributes
        ]
        claim = schema.label(CLAIM_LABEL)
        self.claim_choices = {
            a.name: {v: i for i, v in enumerate(a.value_names)} for a in claim.attributes if a.kind == "choice"
        }
        self.claim_texts = [a.name for a in claim.attributes if a.kind == "text"]
        self.links = claim_links(schema)

    # ---------------------------------------------------------------- documents
    def document_row(self, document: Document) -> dict[str, Any]:
        """The `documents` row: text, provenance, spans with a flat attrs struct, relations."""
        text = document.text or ""
        spans = []
        for span in document.spans:
            attrs = {column: None for _, _, column in self.attr_columns}
            for label, name, column in self.attr_columns:
                if label == span.label and name in span.attrs:
                    attrs[column] = span.attrs[name]
            spans.append(
                {
                    "id": span.id,
                    "label": self.label_index[span.label],
                    "start": span.start,
                    "end": span.end,
                    "text": text[span.start : span.end],  # type: ignore[misc]
                    "attrs": attrs,
                }
            )
        return {
            "id": document.id,
            "text": text,
            "source": document.meta.get("source"),
            "sha256": document.meta.get("sha256"),
            "meta": json.dumps(document.meta, ensure_ascii=False, sort_keys=True),
            "spans": spans,
            "relations": [
                {"label": self.relation_index[r.label], "head": r.head, "tail": r.tail} for r in document.relations
            ],
        }

    # ---------------------------------------------------------------- tokens
    def token_rows(self, document: Document) -> Iterator[dict[str, Any]]:
        """The `tokens` rows: one per sentence, each with one IOB2 layer per label.

        Tokens are split at span boundaries inside a token, and sentences that a span crosses are
        merged, so decoding the tags gives back every gold span exactly.
        """
        text = document.text or ""
        boundaries = [offset for span in document.spans for offset in (span.start, span.end)]
        starts, ends = refined_token_arrays(document.tokens or [], boundaries)  # type: ignore[arg-type]
        tokens = list(zip(starts, ends))
        sentences = merge_crossed_sentences(document.sentences or [], document.spans)
        by_label: dict[str, list[tuple[int, int]]] = {label: [] for label in self.schema.label_names}
        for span in document.spans:
            by_label[span.label].append((span.start, span.end))  # type: ignore[arg-type]
        # one tag code array per label over the whole document, then sliced per sentence: gold
        # spans of one label never overlap, and never cross the (merged) sentences
        layers = {}
        for label, spans in by_label.items():
            codes = self.tag_index[label]
            inside, begin = codes[f"I-{label}"], codes[f"B-{label}"]
            layer = [codes["O"]] * len(tokens)
            for start, end in spans:
                first = bisect_right(ends, start)
                last = bisect_left(starts, end) - 1
                if first <= last:
                    layer[first] = begin
                    layer[first + 1 : last + 1] = [inside] * (last - first)
            layers[label] = layer
        for index, (sentence_start, sentence_end) in enumerate(sentences):
            lo, hi = bisect_left(starts, sentence_start), bisect_left(starts, sentence_end)
            row: dict[str, Any] = {
                "id": f"{document.id}-s{index}",
                "document_id": document.id,
                "sentence_index": index,
                "tokens": [text[s:e] for s, e in tokens[lo:hi]],
                "token_starts": starts[lo:hi],
                "token_ends": ends[lo:hi],
            }
            for label, layer in layers.items():
                row[tags_column(label)] = layer[lo:hi]
            yield row

    # ---------------------------------------------------------------- claims
    def claim_rows(self, document: Document) -> Iterator[dict[str, Any]]:
        """The `claims` rows: one per CLAIM span, with its speaker and event joined in."""
        text = document.text or ""
        spans = {span.id: span for span in document.spans}
        for span in document.spans:
            if span.label != CLAIM_LABEL:
                continue
            row: dict[str, Any] = {
                "id": f"{document.id}-{span.id}",
                "document_id": document.id,
                "claim_id": span.id,
                "text": text[span.start : span.end],  # type: ignore[misc]
                "start": span.start,
                "end": span.end,
            }
            for name, codes in self.claim_choices.items():
                row[name] = codes[span.attrs[name]] if name in span.attrs else -1
            for name in self.claim_texts:
                row[name] = span.attrs.get(name)
            for relation_name, tail_label in self.links:
                tail = _first_tail(document, span.id, relation_name, spans)
                prefix = tail_label.lower()
                for attribute in self.schema.label(tail_label).attributes:
                    value = tail.attrs.get(attribute.name) if tail is not None else None
                    row[attribute_column(tail_label, attribute.name)] = value
                row[f"{prefix}_text"] = text[tail.start : tail.end] if tail is not None else None  # type: ignore[misc]
                row[f"{prefix}_start"] = tail.start if tail is not None else None
                row[f"{prefix}_end"] = tail.end if tail is not None else None
            yield row


def _first_tail(document: Document, head: str, relation: str, spans: dict[str, Span]) -> Span | None:
    """The tail of the first `relation` from `head`, in document order (None if there is none)."""
    for candidate in document.relations:
        if candidate.head == head and candidate.label == relation and candidate.tail in spans:
            return spans[candidate.tail]
    return None


def merge_crossed_sentences(sentences: list[tuple[int, int]], spans: list[Span]) -> list[tuple[int, int]]:
    """Merge consecutive sentences that one span crosses, so no span straddles a sentence break."""
    if not sentences:
        return []
    join = [False] * len(sentences)
    starts = [start for start, _ in sentences]
    for span in spans:
        if span.start is None or span.end is None:
            continue
        first = max(bisect_right(starts, span.start) - 1, 0)
        last = max(bisect_right(starts, span.end - 1) - 1, 0)
        for index in range(first, last):
            join[index] = True
    merged: list[tuple[int, int]] = []
    current_start, current_end = sentences[0]
    for index in range(1, len(sentences)):
        if join[index - 1]:
            current_end = sentences[index][1]
        else:
            merged.append((current_start, current_end))
            current_start, current_end = sentences[index]
    merged.append((current_start, current_end))
    return merged
