"""The one record every stage reads and writes: `Document`, `Span`, `Relation`, and their parsing.

Offsets are 0-based, end-exclusive indices into `text` in code points (Python `str` indices).
`parse_document` turns plain JSON data into a Document and lists every structural problem with
its field; reading files is `newsgold.io.documents`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from newsgold.model.errors import DocumentError
from newsgold.model.problems import Problem


@dataclass(slots=True)
class Span:
    """A labelled span; `start`/`end` may be None in predictions that give only `text`.

    `occurrence` (1-based) lets such a prediction say which occurrence of its text it means.
    """

    id: str
    label: str
    start: int | None
    end: int | None
    text: str | None = None
    attrs: dict[str, str] = field(default_factory=dict)
    occurrence: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict in the canonical key order; absent fields are left out."""
        data: dict[str, Any] = {"id": self.id, "label": self.label}
        if self.start is not None:
            data["start"] = self.start
        if self.end is not None:
            data["end"] = self.end
        if self.text is not None:
            data["text"] = self.text
        if self.attrs:
            data["attrs"] = dict(self.attrs)
        if self.occurrence is not None:
            data["occurrence"] = self.occurrence
        return data


@dataclass(slots=True)
class Relation:
    """A directed relation from the span `head` to the span `tail` (span ids)."""

    label: str
    head: str
    tail: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"label": self.label, "head": self.head, "tail": self.tail}


@dataclass
class Document:
    """An article with its annotations; `tokens`/`sentences` are (start, end) offset pairs."""

    id: str
    text: str | None
    meta: dict[str, Any] = field(default_factory=dict)
    spans: list[Span] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    sentences: list[tuple[int, int]] | None = None
    tokens: list[tuple[int, int]] | None = None

    def span(self, span_id: str) -> Span:
        """The span with this id; KeyError if there is none."""
        for span in self.spans:
            if span.id == span_id:
                return span
        raise KeyError(span_id)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict in the canonical key order."""
        data: dict[str, Any] = {"id": self.id}
        if self.text is not None:
            data["text"] = self.text
        data["meta"] = dict(self.meta)
        if self.sentences is not None:
            data["sentences"] = [list(pair) for pair in self.sentences]
        if self.tokens is not None:
            data["tokens"] = [list(pair) for pair in self.tokens]
        data["spans"] = [span.to_dict() for span in self.spans]
        data["relations"] = [relation.to_dict() for relation in self.relations]
        return data

    @classmethod
    def from_dict(cls, data: Any) -> Document:
        """Build a Document from JSON data; raises DocumentError listing every structural problem."""
        document, problems = parse_document(data)
        if problems or document is None:
            raise DocumentError(problems)
        return document


def text_sha256(text: str) -> str:
    """Hex SHA-256 of the text encoded as UTF-8: the identity of a document's text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------------------------
# Parsing: JSON data -> Document, collecting structural problems


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_document(data: Any, *, require_text: bool = True) -> tuple[Document | None, list[Problem]]:
    """Turn one JSON value into a Document, returning it with every structural problem found.

    Structure only (types, required fields); the schema rules live in `newsgold.validation`.
    """
    if not isinstance(data, dict):
        return None, [Problem(f"a document must be a JSON object, got {type(data).__name__}")]
    problems: list[Problem] = []
    doc_id = data.get("id")
    if not isinstance(doc_id, str) or not doc_id:
        problems.append(Problem(f"id must be a non-empty string, got {doc_id!r}", field="id"))
        place_id = None
    else:
        place_id = doc_id
    known = {"id", "text", "meta", "spans", "relations", "sentences", "tokens"}
    for key in data:
        if key not in known:
            problems.append(Problem(f"unknown field (allowed: {', '.join(sorted(known))})", doc_id=place_id, field=key))

    text = data.get("text")
    if text is None and require_text:
        problems.append(Problem("missing document text", doc_id=place_id, field="text"))
    elif text is not None and not isinstance(text, str):
        problems.append(Problem(f"text must be a string, got {type(text).__name__}", doc_id=place_id, field="text"))
        text = None

    meta = data.get("meta", {})
    if not isinstance(meta, dict):
        problems.append(Problem(f"meta must be an object, got {type(meta).__name__}", doc_id=place_id, field="meta"))
        meta = {}

    spans: list[Span] = []
    raw_spans = data.get("spans", [])
    if not isinstance(raw_spans, list):
        problems.append(Problem("spans must be a list", doc_id=place_id, field="spans"))
        raw_spans = []
    for index, raw in enumerate(raw_spans):
        span = _parse_span(raw, index, place_id, problems)
        if span is not None:
            spans.append(span)

    relations: list[Relation] = []
    raw_relations = data.get("relations", [])
    if not isinstance(raw_relations, list):
        problems.append(Problem("relations must be a list", doc_id=place_id, field="relations"))
        raw_relations = []
    for index, raw in enumerate(raw_relations):
        relation = _parse_relation(raw, index, place_id, problems)
        if relation is not None:
            relations.append(relation)

    sentences = _parse_pairs(data.get("sentences"), "sentences", place_id, problems)
    tokens = _parse_pairs(data.get("tokens"), "tokens", place_id, problems)
    if doc_id is None or not isinstance(doc_id, str) or not doc_id:
        return None, problems
    document = Document(
        id=doc_id, text=text, meta=meta, spans=spans, relations=relations, sentences=sentences, tokens=tokens
    )
    return document, problems


_FAST_SPAN_KEYS = frozenset({"id", "label", "start", "end", "text", "attrs"})


def _parse_span(raw: Any, index: int, doc_id: str | None, problems: list[Problem]) -> Span | None:
    if type(raw) is dict and raw.keys() <= _FAST_SPAN_KEYS:  # fast path: a well-formed span with offsets
        span_id, label, start, end = raw.get("id"), raw.get("label"), raw.get("start"), raw.get("end")
        text, attrs = raw.get("text"), raw.get("attrs")
        if (
            type(span_id) is str and span_id and type(label) is str and label
            and type(start) is int and type(end) is int and (text is None or type(text) is str)
            and (attrs is None or (type(attrs) is dict and all(type(v) is str for v in attrs.values())))
        ):
            return Span(id=span_id, label=label, start=start, end=end, text=text, attrs=dict(attrs) if attrs else {})
    if not isinstance(raw, dict):
        problems.append(Problem(f"span #{index} must be an object", doc_id=doc_id, field=f"spans[{index}]"))
        return None
    span_id = raw.get("id")
    if not isinstance(span_id, str) or not span_id:
        problems.append(
            Problem(f"span #{index} needs a non-empty string id, got {span_id!r}", doc_id=doc_id, field=f"spans[{index}].id")
        )
        return None
    ok = True

    def bad(message: str, name: str) -> None:
        nonlocal ok
        ok = False
        problems.append(Problem(message, doc_id=doc_id, span_id=span_id, field=name))

    for key in raw:
        if key not in {"id", "label", "start", "end", "text", "attrs", "occurrence"}:
            bad("unknown field (allowed: attrs, end, id, label, occurrence, start, text)", key)
    label = raw.get("label")
    if not isinstance(label, str) or not label:
        bad(f"label must be a non-empty string, got {label!r}", "label")
    start, end = raw.get("start"), raw.get("end")
    for name, value in (("start", start), ("end", end)):
        if value is not None and not _is_int(value):
            bad(f"{name} must be an integer, got {value!r}", name)
    if (start is None) != (end is None):
        bad("start and end must be given together", "start" if start is None else "end")
    text = raw.get("text")
    if text is not None and not isinstance(text, str):
        bad(f"text must be a string, got {type(text).__name__}", "text")
    if start is None and end is None and text is None:
        bad("a span needs offsets (start, end) or its text", "start")
    attrs = raw.get("attrs", {})
    if attrs is None:
        attrs = {}
    if not isinstance(attrs, dict):
        bad(f"attrs must be an object, got {type(attrs).__name__}", "attrs")
    else:
        for name, value in attrs.items():
            if not isinstance(value, str):
                bad(f"attribute values must be strings, got {value!r}", f"attrs.{name}")
    occurrence = raw.get("occurrence")
    if occurrence is not None and (not _is_int(occurrence) or occurrence < 1):
        bad(f"occurrence must be a positive integer, got {occurrence!r}", "occurrence")
    if not ok or not isinstance(label, str):  # `ok` already covers a missing label; the check is for the type
        return None
    return Span(id=span_id, label=label, start=start, end=end, text=text, attrs=dict(attrs), occurrence=occurrence)


def _parse_relation(raw: Any, index: int, doc_id: str | None, problems: list[Problem]) -> Relation | None:
    if not isinstance(raw, dict):
        problems.append(Problem("a relation must be an object", doc_id=doc_id, relation=index))
        return None
    ok = True
    for key in raw:
        if key not in {"label", "head", "tail"}:
            ok = False
            problems.append(Problem("unknown field (allowed: head, label, tail)", doc_id=doc_id, relation=index, field=key))
    for key in ("label", "head", "tail"):
        value = raw.get(key)
        if not isinstance(value, str) or not value:
            ok = False
            problems.append(
                Problem(f"{key} must be a non-empty string, got {value!r}", doc_id=doc_id, relation=index, field=key)
            )
    if not ok:
        return None
    return Relation(label=raw["label"], head=raw["head"], tail=raw["tail"])


def _parse_pairs(raw: Any, name: str, doc_id: str | None, problems: list[Problem]) -> list[tuple[int, int]] | None:
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(
        isinstance(pair, list) and len(pair) == 2 and all(_is_int(v) for v in pair) for pair in raw
    ):
        problems.append(Problem("must be a list of [start, end] integer pairs", doc_id=doc_id, field=name))
        return None
    return [(pair[0], pair[1]) for pair in raw]


