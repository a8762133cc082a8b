"""spaCy DocBin export: one `Doc` per document, ready for `spacy train` with a span categorizer.

Tokens are the corpus tokenization (spaCy's rule-based tokenizer, split at span boundaries), and
the whitespace between them is kept as spaCy keeps it (one trailing space per token, any other
whitespace as whitespace tokens), so `doc.text` is the document text exactly and every span is a
whole-token `Span`. Each label gets its own span group (`doc.spans["CLAIM"]`, …) and all spans
together are the group `sc`, the default key of spaCy's `spancat`. Attributes, relations, span
ids and the document meta travel in `doc.user_data["newsgold"]` (saved with the DocBin), so
`read_docbin` gives the documents back whole.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from spacy.tokens import Doc, DocBin
from spacy.tokens import Span as SpacySpan
from spacy.vocab import Vocab

from newsgold.io.carried import Carried
from newsgold.io.documents import atomic_write_bytes, with_text
from newsgold.model.document import Document, Relation, Span
from newsgold.model.errors import DocumentError
from newsgold.model.problems import Problem
from newsgold.model.schema import Schema
from newsgold.text.iob2 import refine_tokens
from newsgold.text.segment import Segmenter

ALL_SPANS_KEY = "sc"  # spaCy spancat's default spans_key
USER_DATA_KEY = "newsgold"


def to_doc(document: Document, vocab: Vocab, segmenter: Segmenter) -> Doc:
    """The spaCy Doc of one document: exact text, whole-token spans in groups, the rest in user_data."""
    text = document.text or ""
    placed = [s for s in document.spans if s.start is not None and s.end is not None]
    tokens = refine_tokens(segmenter.segment(text).tokens, [b for s in placed for b in (s.start, s.end)])  # type: ignore[misc]
    words: list[str] = []
    spaces: list[bool] = []
    position = 0
    for start, end in [*tokens, (len(text), len(text))]:
        gap = text[position:start]
        if gap == " " and words and not spaces[-1]:
            spaces[-1] = True
        elif gap:
            words.append(gap)  # any other whitespace is a whitespace token
            spaces.append(False)
        if end > start:
            words.append(text[start:end])
            spaces.append(False)
        position = end
    doc = Doc(vocab, words=words, spaces=spaces)
    groups: dict[str, list[SpacySpan]] = {}
    for span in sorted(placed, key=lambda s: (s.start, s.end, s.label, s.id)):
        found = doc.char_span(span.start, span.end, label=span.label, alignment_mode="strict")
        if found is None:  # cannot happen: tokens are split at every span boundary
            raise DocumentError([Problem("span does not fall on token boundaries", doc_id=document.id, span_id=span.id)])
        groups.setdefault(span.label, []).append(found)
    for label, spans in groups.items():
        doc.spans[label] = spans
    doc.spans[ALL_SPANS_KEY] = [s for spans in groups.values() for s in spans]
    doc.user_data[USER_DATA_KEY] = {
        "id": document.id,
        "meta": dict(document.meta),
        "spans": [{"id": s.id, "label": s.label, "start": s.start, "end": s.end, "attrs": dict(s.attrs)} for s in placed],
        "relations": [{"label": r.label, "head": r.head, "tail": r.tail} for r in document.relations],
    }
    return doc


def write_docbin(documents: Iterable[Document], path: str | Path, schema: Schema, carried: Carried,
                 segmenter: Segmenter | None = None) -> int:
    """Write a `.spacy` file (atomically); returns the number of documents. A DocBin is serialised
    whole, so it holds every Doc in memory (spaCy's design): split a very large corpus in parts."""
    segmenter = segmenter or Segmenter()
    vocab = Vocab()
    docbin = DocBin(store_user_data=True)
    for document in with_text(documents, "a spaCy Doc"):
        unplaced = sum(1 for s in document.spans if s.start is None)
        if unplaced:
            carried.note("span(s) given by text alone (no offsets)", unplaced)
        docbin.add(to_doc(document, vocab, segmenter))
    atomic_write_bytes(path, docbin.to_bytes())
    return len(docbin)


def read_docbin(path: str | Path) -> list[Document]:
    """The documents of a `.spacy` file written by `write_docbin`."""
    docbin = DocBin(store_user_data=True).from_disk(path)
    documents = []
    for doc in docbin.get_docs(Vocab()):
        data: dict[str, Any] = doc.user_data.get(USER_DATA_KEY) or {}
        spans = [Span(id=s["id"], label=s["label"], start=s["start"], end=s["end"], text=doc.text[s["start"]:s["end"]],
                      attrs=dict(s["attrs"])) for s in data.get("spans", [])]
        relations = [Relation(label=r["label"], head=r["head"], tail=r["tail"]) for r in data.get("relations", [])]
        documents.append(Document(id=str(data.get("id", "")), text=doc.text, meta=dict(data.get("meta", {})), spans=spans,
                                  relations=relations))
    return documents
