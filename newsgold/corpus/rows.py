"""Merged documents -> one Arrow table per dataset configuration (ClassLabels already encoded).

Tables are built column by column (flat value lists plus list offsets) rather than from row
dicts: for a large corpus this is several times faster, and the build spends its time where the
user expects it to, in tokenization.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Sequence

import numpy as np
import pyarrow as pa
from datasets import Features

from newsgold.corpus.features import attribute_column, claim_label, claim_links, config_features, tags_column
from newsgold.model.document import Document, Span
from newsgold.model.schema import Schema
from newsgold.text.iob2 import merge_crossed_sentences, refine_arrays

TokenArrays = tuple[np.ndarray, np.ndarray]  # token starts, token ends


class RowMaker:
    """Builds the table of every configuration for a batch of documents; holds the label indexes."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.features: dict[str, Features] = config_features(schema)
        self.arrow = {name: feats.arrow_schema for name, feats in self.features.items()}
        self.label_index = {name: i for i, name in enumerate(schema.label_names)}
        self.relation_index = {name: i for i, name in enumerate(schema.relation_names)}
        self.tag_codes = {
            label: (tags.index("O"), tags.index(f"B-{label}"), tags.index(f"I-{label}"))
            for label in schema.label_names
            for tags in [list(schema.bio_tags(label))]
        }
        self.attr_columns = [
            (label.name, attribute.name, attribute_column(label.name, attribute.name))
            for label in schema.labels
            for attribute in label.attributes
        ]
        self.claim_label = claim_label(schema)
        claim = schema.label(self.claim_label)
        self.claim_choices = {
            a.name: {v: i for i, v in enumerate(a.value_names)} for a in claim.attributes if a.kind == "choice"
        }
        self.claim_texts = [a.name for a in claim.attributes if a.kind == "text"]
        self.link_columns = [
            (relation, tail, tail.lower(), [(a.name, attribute_column(tail, a.name)) for a in schema.label(tail).attributes])
            for relation, tail in claim_links(schema)
        ]

    def tables(self, documents: Sequence[Document], token_arrays: Sequence[TokenArrays] | None = None) -> dict[str, pa.Table]:
        """The `documents`, `tokens` and `claims` tables of segmented documents, in their order.

        `token_arrays`: each document's token (starts, ends) as numpy arrays when the caller has
        them (`Segmentation.starts`/`.ends`), which spares converting `Document.tokens` back.
        """
        return {
            "documents": self.documents_table(documents),
            "tokens": self.tokens_table(documents, token_arrays),
            "claims": self.claims_table(documents),
        }

    # ---------------------------------------------------------------- documents
    def documents_table(self, documents: Sequence[Document]) -> pa.Table:
        """One row per article: text, provenance, spans with a flat attrs struct, relations."""
        schema = self.arrow["documents"]
        spans_type = schema.field("spans").type
        relations_type = schema.field("relations").type
        spans = [span for document in documents for span in document.spans]
        relations = [relation for document in documents for relation in document.relations]
        labels = [span.label for span in spans]
        positions: dict[str, list[int]] = {label: [] for label in self.label_index}
        for position, label in enumerate(labels):
            positions[label].append(position)
        attrs: dict[str, list[Any]] = {}
        for label, name, column in self.attr_columns:  # a label's attribute is None on other labels' spans
            values: list[Any] = [None] * len(spans)
            for position in positions[label]:
                values[position] = spans[position].attrs.get(name)
            attrs[column] = values
        span_columns = {
            "id": [span.id for span in spans],
            "label": [self.label_index[label] for label in labels],
            "start": [span.start for span in spans],
            "end": [span.end for span in spans],
            "text": [(document.text or "")[span.start : span.end] for document in documents for span in document.spans],
            "attrs": _struct(attrs, spans_type.value_type.field("attrs").type),
        }
        relation_columns = {
            "label": [self.relation_index[relation.label] for relation in relations],
            "head": [relation.head for relation in relations],
            "tail": [relation.tail for relation in relations],
        }
        columns = {
            "id": [d.id for d in documents],
            "text": [d.text or "" for d in documents],
            "source": [d.meta.get("source") for d in documents],
            "sha256": [d.meta.get("sha256") for d in documents],
            "meta": [json.dumps(d.meta, ensure_ascii=False, sort_keys=True) for d in documents],
            "spans": _lists(_offsets(len(d.spans) for d in documents), _struct(span_columns, spans_type.value_type), spans_type),
            "relations": _lists(
                _offsets(len(d.relations) for d in documents), _struct(relation_columns, relations_type.value_type), relations_type
            ),
        }
        return _table(columns, schema)

    # ---------------------------------------------------------------- tokens
    def tokens_table(self, documents: Sequence[Document], token_arrays: Sequence[TokenArrays] | None = None) -> pa.Table:
        """One row per sentence, each with one IOB2 layer per label.

        Tokens are split at span boundaries inside a token, and sentences that a span crosses are
        merged, so decoding the tags gives back every gold span exactly.
        """
        ids: list[str] = []
        document_ids: list[str] = []
        sentence_indexes: list[int] = []
        words: list[str] = []
        all_starts: list[np.ndarray] = []
        all_ends: list[np.ndarray] = []
        all_layers: dict[str, list[np.ndarray]] = {label: [] for label in self.schema.label_names}
        row_offsets: list[np.ndarray] = [np.zeros(1, dtype=np.int64)]
        seen_tokens = 0
        for index, document in enumerate(documents):
            arrays = token_arrays[index] if token_arrays is not None else None
            starts, ends, sentence_bounds, layers = self.document_tokens(document, arrays)
            text = document.text or ""
            words.extend([text[s:e] for s, e in zip(starts.tolist(), ends.tolist())])
            all_starts.append(starts)
            all_ends.append(ends)
            for label, layer in layers.items():
                all_layers[label].append(layer)
            row_offsets.append(sentence_bounds[1:] + seen_tokens)
            seen_tokens += len(starts)
            count = len(sentence_bounds) - 1
            ids.extend(f"{document.id}-s{i}" for i in range(count))
            document_ids.extend([document.id] * count)
            sentence_indexes.extend(range(count))
        offsets = np.concatenate(row_offsets).astype(np.int32)
        schema = self.arrow["tokens"]

        def listed(name: str, values: Any) -> pa.Array:
            return _lists(offsets, values, schema.field(name).type)

        columns: dict[str, Any] = {
            "id": ids,
            "document_id": document_ids,
            "sentence_index": sentence_indexes,
            "tokens": listed("tokens", pa.array(words, pa.string())),
            "token_starts": listed("token_starts", _concat(all_starts, np.int32)),
            "token_ends": listed("token_ends", _concat(all_ends, np.int32)),
        }
        for label, layers in all_layers.items():
            columns[tags_column(label)] = listed(tags_column(label), _concat(layers, np.int64))
        return _table(columns, schema)

    def document_tokens(
        self, document: Document, arrays: TokenArrays | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        """Refined token starts/ends, sentence boundaries as token indexes, a tag code array per label."""
        if arrays is None:
            tokens = document.tokens or []
            arrays = (np.array([s for s, _ in tokens], dtype=np.int64), np.array([e for _, e in tokens], dtype=np.int64))
        starts, ends = arrays
        boundaries = np.array([offset for span in document.spans for offset in (span.start, span.end)], dtype=np.int64)
        starts, ends = refine_arrays(starts, ends, boundaries)
        sentences = merge_crossed_sentences(document.sentences or [], document.spans)
        bounds = np.searchsorted(starts, np.array([s for s, _ in sentences] + [np.iinfo(np.int64).max], dtype=np.int64))
        bounds[0] = 0
        # one tag code array per label over the whole document: gold spans of one label never
        # overlap, and never cross the (merged) sentences
        layers = {}
        for label in self.schema.label_names:
            outside, begin, inside = self.tag_codes[label]
            spans = [(span.start, span.end) for span in document.spans if span.label == label]
            layer = np.full(len(starts), outside, dtype=np.int64)
            if spans:
                bounds_of = np.array(spans, dtype=np.int64)
                first = np.searchsorted(ends, bounds_of[:, 0], side="right")
                last = np.searchsorted(starts, bounds_of[:, 1], side="left") - 1
                keep = first <= last
                first, last = first[keep], last[keep]
                depth = np.zeros(len(starts) + 1, dtype=np.int64)
                np.add.at(depth, first, 1)
                np.add.at(depth, last + 1, -1)
                layer[np.cumsum(depth[:-1]) > 0] = inside
                layer[first] = begin
            layers[label] = layer
        return starts, ends, bounds, layers

    def token_rows(self, document: Document) -> list[dict[str, Any]]:
        """The `tokens` rows of one segmented document, as plain dicts (for inspection and tests)."""
        return self.tokens_table([document]).to_pylist()

    # ---------------------------------------------------------------- claims
    def claims_table(self, documents: Sequence[Document]) -> pa.Table:
        """One row per CLAIM span, with the tail of its first relation of each linked kind joined in.

        For `attributed_to` -> SPEAKER the columns are `speaker_text`, `speaker_start`,
        `speaker_end` and one per SPEAKER attribute; they are null when the claim has no such relation.
        """
        claims: list[tuple[Document, Span]] = []
        tails: list[dict[tuple[str, str], Span]] = []  # per claim: (head, relation) -> first tail
        for document in documents:
            spans = {span.id: span for span in document.spans}
            first: dict[tuple[str, str], Span] = {}
            for relation in document.relations:
                if relation.tail in spans:
                    first.setdefault((relation.head, relation.label), spans[relation.tail])
            for span in document.spans:
                if span.label == self.claim_label:
                    claims.append((document, span))
                    tails.append(first)
        columns: dict[str, Any] = {
            "id": [f"{document.id}-{span.id}" for document, span in claims],
            "document_id": [document.id for document, _ in claims],
            "claim_id": [span.id for _, span in claims],
            "text": [(document.text or "")[span.start : span.end] for document, span in claims],
            "start": [span.start for _, span in claims],
            "end": [span.end for _, span in claims],
        }
        for name, codes in self.claim_choices.items():
            columns[name] = [codes[span.attrs[name]] if name in span.attrs else -1 for _, span in claims]
        for name in self.claim_texts:
            columns[name] = [span.attrs.get(name) for _, span in claims]
        for relation_name, _, prefix, attribute_columns in self.link_columns:
            linked = [first.get((span.id, relation_name)) for (_, span), first in zip(claims, tails)]
            for attribute, column in attribute_columns:
                columns[column] = [tail.attrs.get(attribute) if tail is not None else None for tail in linked]
            columns[f"{prefix}_text"] = [
                (document.text or "")[tail.start : tail.end] if tail is not None else None
                for (document, _), tail in zip(claims, linked)
            ]
            columns[f"{prefix}_start"] = [tail.start if tail is not None else None for tail in linked]
            columns[f"{prefix}_end"] = [tail.end if tail is not None else None for tail in linked]
        return _table(columns, self.arrow["claims"])


def _offsets(lengths: Iterable[int]) -> np.ndarray:
    """List offsets from list lengths: [0, l0, l0 + l1, ...]."""
    counts = np.fromiter(lengths, dtype=np.int64)
    offsets = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return offsets


def _concat(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)


def _struct(columns: dict[str, Any], struct_type: pa.StructType) -> pa.StructArray:
    """A struct array from one value list (or array) per field, typed exactly as `struct_type`."""
    fields = list(struct_type)
    arrays = [
        columns[f.name] if isinstance(columns[f.name], pa.Array) else pa.array(columns[f.name], f.type) for f in fields
    ]
    return pa.StructArray.from_arrays(arrays, fields=fields)


def _lists(offsets: Any, values: Any, list_type: pa.ListType) -> pa.ListArray:
    """A list array: row i holds values[offsets[i]:offsets[i+1]]."""
    values = values if isinstance(values, pa.Array) else pa.array(values, list_type.value_type)
    return pa.ListArray.from_arrays(pa.array(np.asarray(offsets, dtype=np.int32), pa.int32()), values, type=list_type)


def _table(columns: dict[str, Any], schema: pa.Schema) -> pa.Table:
    arrays = [
        columns[f.name] if isinstance(columns[f.name], pa.Array) else pa.array(columns[f.name], f.type) for f in schema
    ]
    return pa.Table.from_arrays(arrays, schema=schema)
