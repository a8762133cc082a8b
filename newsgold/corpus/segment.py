"""Token and sentence boundaries as character offsets, from spaCy's rule-based English tokenizer.

`spacy.blank("en")` with the rule-based `sentencizer`: no statistical model, nothing downloaded.
Rules on top of spaCy's: whitespace tokens are dropped (offsets of real tokens only), a line
break always ends a sentence (news text has one paragraph per line), and sentences are trimmed
to their first and last non-whitespace token.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from newsgold.document import Document

DEFAULT_BATCH_SIZE = 256


@dataclass(frozen=True)
class Segmentation:
    """Token and sentence offsets of one text: lists of (start, end), end-exclusive."""

    tokens: list[tuple[int, int]]
    sentences: list[tuple[int, int]]


def blank_english() -> Language:
    """A blank English spaCy pipeline with the rule-based sentencizer."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


class Segmenter:
    """Tokenizes and sentence-splits texts; build one and reuse it (building spaCy costs ~0.5 s)."""

    def __init__(self, nlp: Language | None = None) -> None:
        self.nlp = nlp if nlp is not None else blank_english()

    def segment(self, text: str) -> Segmentation:
        """Segment one text."""
        return _segmentation(self.nlp(text))

    def pipe(self, texts: Iterable[str], *, batch_size: int = DEFAULT_BATCH_SIZE) -> Iterator[Segmentation]:
        """Segment a stream of texts lazily, in order (memory stays flat for any corpus size)."""
        for doc in self.nlp.pipe(texts, batch_size=batch_size):
            yield _segmentation(doc)

    def segment_documents(
        self, documents: Iterable[Document], *, batch_size: int = DEFAULT_BATCH_SIZE
    ) -> Iterator[Document]:
        """Set `tokens` and `sentences` on a stream of documents, lazily and in order."""
        pairs = ((document.text or "", document) for document in documents)
        for doc, document in self.nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
            segmentation = _segmentation(doc)
            document.tokens = segmentation.tokens
            document.sentences = segmentation.sentences
            yield document


def _segmentation(doc: Doc) -> Segmentation:
    tokens: list[tuple[int, int]] = []
    sentences: list[tuple[int, int]] = []
    sentence_start: int | None = None
    previous_end = 0
    break_pending = False
    for token in doc:
        if token.is_space:
            if "\n" in token.text or "\r" in token.text:
                break_pending = True
            continue
        raw = token.text
        start = token.idx + (len(raw) - len(raw.lstrip()))
        end = token.idx + len(raw.rstrip())
        if sentence_start is not None and (token.is_sent_start or break_pending):
            sentences.append((sentence_start, previous_end))
            sentence_start = None
        if sentence_start is None:
            sentence_start = start
        break_pending = False
        tokens.append((start, end))
        previous_end = end
    if sentence_start is not None:
        sentences.append((sentence_start, previous_end))
    return Segmentation(tokens=tokens, sentences=sentences)
