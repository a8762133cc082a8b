"""CoNLL IOB2 export: one token per line, one IOB2 column per label, on the corpus tokenization.

The same tokens and sentences as the dataset's `tokens` configuration: spaCy's rule-based
English tokenizer, tokens split at span boundaries, sentences merged where a span crosses their
break. A `# columns: token LABEL …` header, `-DOCSTART- <id>` per document, a blank line after
each sentence: the layout `eval score` reads back (`io.predictions`). IOB2 holds spans only:
attributes, relations and document meta are reported as not carried; so is a span that overlaps
another of its label (a layer holds one tag per token).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

from newsgold.io.carried import Carried
from newsgold.io.documents import atomic_writer, with_text
from newsgold.model.document import Document
from newsgold.model.schema import Schema
from newsgold.text.iob2 import merge_crossed_sentences, non_overlapping, refine_tokens, spans_to_tags

if TYPE_CHECKING:
    from newsgold.text.segment import Segmenter


def conll_lines(documents: Iterable[Document], schema: Schema, carried: Carried, segmenter: Segmenter) -> Iterator[str]:
    """The lines of a CoNLL IOB2 file for the documents, one document at a time (spans need offsets)."""
    labels = schema.label_names
    yield "# columns: token " + " ".join(labels)
    for document in documents:
        text = document.text or ""
        placed = [s for s in document.spans if s.start is not None and s.end is not None]
        carried.note("attribute value(s)", sum(len(s.attrs) for s in placed))
        carried.note("relation(s)", len(document.relations))
        carried.note("document meta field(s)", len(document.meta))
        if len(placed) < len(document.spans):
            carried.note("span(s) given by text alone (no offsets)", len(document.spans) - len(placed))
        by_label: dict[str, list[tuple[int, int]]] = {}
        for label in {s.label for s in placed}:
            offsets = [(s.start, s.end) for s in placed if s.label == label]
            by_label[label] = non_overlapping(offsets)  # type: ignore[arg-type]
            carried.note("span(s) overlapping another of their label (one tag per token)", len(offsets) - len(by_label[label]))
        segmentation = segmenter.segment(text)
        tokens = refine_tokens(segmentation.tokens, [b for s in placed for b in (s.start, s.end)])  # type: ignore[misc]
        yield f"-DOCSTART- {document.id}"
        for start, end in merge_crossed_sentences(segmentation.sentences, placed):
            sentence = [t for t in tokens if start <= t[0] < end]
            layers = [spans_to_tags(sentence, by_label.get(label, []), label) for label in labels]
            for index, (s, e) in enumerate(sentence):
                yield "\t".join([text[s:e], *(layer[index] for layer in layers)])
            yield ""


def write_conll(documents: Iterable[Document], path: str | Path, schema: Schema, carried: Carried,
                segmenter: Segmenter | None = None) -> int:
    """Write one CoNLL IOB2 file (atomically, streamed); returns the number of documents."""
    from newsgold.text.segment import Segmenter  # spaCy: imported when a file is written, not when the format is listed

    count = 0

    def counted() -> Iterator[Document]:
        nonlocal count
        for document in with_text(documents, "CoNLL export"):
            count += 1
            yield document

    with atomic_writer(path) as handle:
        for line in conll_lines(counted(), schema, carried, segmenter or Segmenter()):
            handle.write(line.encode("utf-8") + b"\n")
    return count
