"""Token and sentence boundaries as character offsets, from spaCy's rule-based English tokenizer.

`spacy.blank("en")` with the rule-based `sentencizer`: no statistical model, nothing downloaded.
Rules on top of spaCy's: whitespace tokens are dropped (offsets of real tokens only), a line
break always ends a sentence (news text has one paragraph per line), and sentences are trimmed
to their first and last non-whitespace token.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Iterable, Iterator, Sequence

import numpy as np
import spacy
from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LENGTH
from spacy.lang.en import English
from spacy.language import Language
from spacy.tokens import Doc
from spacy.vocab import Vocab, create_vocab

from newsgold.model.document import Document


@dataclass(frozen=True)
class Segmentation:
    """Token and sentence offsets of one text, end-exclusive.

    Token offsets are numpy arrays (`starts`, `ends`), for vectorised consumers; `tokens` gives
    them as a list of (start, end) pairs, made on first use. `sentences` is a list of pairs.
    """

    starts: np.ndarray
    ends: np.ndarray
    sentences: list[tuple[int, int]]

    @cached_property
    def tokens(self) -> list[tuple[int, int]]:
        """Token offsets as (start, end) pairs."""
        return list(zip(self.starts.tolist(), self.ends.tolist()))

    @classmethod
    def empty(cls) -> Segmentation:
        """The segmentation of a text without tokens."""
        return cls(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), [])


def blank_english(*, lexical_getters: Iterable[int] | None = None) -> Language:
    """A blank English spaCy pipeline with the rule-based sentencizer.

    `lexical_getters` keeps only those lexical attribute getters (spaCy attribute ids) in the
    vocabulary, before the tokenizer's special cases create their ~1,000 words.
    """
    vocab: Vocab | bool = True
    if lexical_getters is not None:
        vocab = create_vocab("en", English.Defaults)
        getters = vocab.lex_attr_getters
        vocab.lex_attr_getters = {attr: getters[attr] for attr in lexical_getters if attr in getters}
    nlp = spacy.blank("en", vocab=vocab)
    nlp.add_pipe("sentencizer")
    return nlp


class Segmenter:
    """Tokenizes and sentence-splits texts; build one and reuse it (building spaCy costs ~0.5 s).

    Runs spaCy's tokenizer, then the sentencizer's rule (a sentence starts at the first token
    after a token in its `punct_chars` that is neither punctuation nor in `punct_chars`) on the
    token arrays, which gives the same boundaries as the `sentencizer` component (tested) at a
    fraction of its cost, since no Token objects are created.
    """

    def __init__(self, nlp: Language | None = None) -> None:
        if nlp is None:
            # A new word costs spaCy one call per lexical attribute getter (~20: shape, like_num,
            # is_stop, ...); only the two flags read here are kept. Tokenization is unchanged
            # (it never reads lexical attributes; tested against spaCy's own pipeline), and
            # segmenting unseen text gets ~40% faster.
            nlp = blank_english(lexical_getters=(IS_SPACE, IS_PUNCT))
        self.nlp = nlp
        punct_chars = self.nlp.get_pipe("sentencizer").punct_chars
        if any(len(char) != 1 for char in punct_chars):
            raise ValueError("the sentencizer's punct_chars must be single characters")
        self.punct_table = code_table(punct_chars)
        whitespace_table()  # made now, so that forked workers inherit it

    def segment(self, text: str) -> Segmentation:
        """Segment one text."""
        return self.segment_many([text])[0]

    def segment_many(self, texts: Sequence[str]) -> list[Segmentation]:
        """Segment several texts: spaCy tokenizes each one, the array work is done once for all.

        The same result as `segment` on each text; for short texts (a few hundred tokens) most
        of the cost of segmenting one by one is numpy's per-call overhead, which this shares.
        """
        docs = [self.nlp.tokenizer(text) for text in texts]
        return _segmentations(docs, texts, self.punct_table)

    def pipe(self, texts: Iterable[str], *, batch_size: int = 64) -> Iterator[Segmentation]:
        """Segment a stream of texts lazily, in order (memory stays flat for any corpus size)."""
        batch: list[str] = []
        for text in texts:
            batch.append(text)
            if len(batch) == batch_size:
                yield from self.segment_many(batch)
                batch = []
        if batch:
            yield from self.segment_many(batch)

    def segment_documents(self, documents: Iterable[Document]) -> Iterator[Document]:
        """Set `tokens` and `sentences` on a stream of documents, lazily and in order."""
        for document in documents:
            segmentation = self.segment(document.text or "")
            document.tokens = segmentation.tokens
            document.sentences = segmentation.sentences
            yield document


@lru_cache(maxsize=1)
def whitespace_table() -> np.ndarray:
    """A flag per code point: whether `str.isspace()` is true for it (computed once per process).

    `re`'s `\\s` on str patterns is the same predicate (tested), and scanning all of Unicode with
    it takes a quarter of the time of calling `isspace` a million times.
    """
    every = np.arange(sys.maxunicode + 1, dtype="<u4").tobytes().decode("utf-32-le", "surrogatepass")
    return code_table(match.group() for match in re.finditer(r"\s", every))


def code_table(chars: Iterable[str]) -> np.ndarray:
    """A boolean lookup table over every code point, true for `chars` (single characters)."""
    table = np.zeros(sys.maxunicode + 1, dtype=bool)
    table[[ord(char) for char in chars]] = True
    return table


def code_points(text: str) -> np.ndarray:
    """The text as an array of code points, indexed like the str (character offsets)."""
    return np.frombuffer(text.encode("utf-32-le"), dtype="<u4")


def sentence_starts(punct_or_in: np.ndarray, in_punct: np.ndarray, firsts: np.ndarray | None = None) -> np.ndarray:
    """Sentence-start flags of spaCy's Sentencizer.predict, computed from token flag arrays.

    The rule: a sentence starts at the first token that is neither punctuation nor one of
    `punct_chars` and comes after a `punct_chars` token with only such tokens in between.
    `in_punct`: the token is one of `punct_chars`; `punct_or_in`: that, or `is_punct`.
    `firsts`: indices of the first token of each text when the arrays hold several texts end to
    end (default: one text); each starts a sentence and the rule never looks across them.
    """
    n = len(in_punct)
    flags = np.zeros(n, dtype=bool)
    if n == 0:
        return flags
    firsts = np.zeros(1, dtype=np.int64) if firsts is None else firsts
    flags[firsts] = True
    words = np.flatnonzero(~punct_or_in)
    if words.size:
        seen = np.zeros(n + 1, dtype=np.int64)  # seen[i]: punct_chars tokens before i
        np.cumsum(in_punct, out=seen[1:])
        # the rule looks back to the previous word of the same text, or to the text's first token
        text_start = firsts[np.searchsorted(firsts, words, side="right") - 1]
        after_previous_word = np.empty(len(words), dtype=np.int64)
        after_previous_word[0] = text_start[0]
        after_previous_word[1:] = np.maximum(words[:-1] + 1, text_start[1:])
        flags[words[seen[words] > seen[after_previous_word]]] = True
    return flags


def _segmentations(docs: Sequence[Doc], texts: Sequence[str], punct_table: np.ndarray) -> list[Segmentation]:
    """Offsets of the non-whitespace tokens and of the sentences of each text, from spaCy's token
    arrays: the texts are laid end to end and every step runs once over all of them."""
    counts = np.array([len(doc) for doc in docs], dtype=np.int64)
    if not counts.any():
        return [Segmentation.empty() for _ in docs]
    text = "".join(texts)
    bases = np.zeros(len(texts), dtype=np.int64)
    np.cumsum([len(t) for t in texts[:-1]], out=bases[1:])
    array = np.concatenate([doc.to_array([IDX, LENGTH, IS_SPACE, IS_PUNCT]) for doc in docs if len(doc)]).astype(np.int64)
    token_doc = np.repeat(np.arange(len(docs)), counts)  # which text each token belongs to
    starts, lengths, spaces = array[:, 0] + bases[token_doc], array[:, 1], array[:, 2].astype(bool)
    ends = starts + lengths
    firsts = np.cumsum(counts) - counts
    firsts = firsts[counts > 0]
    codes = code_points(text)
    in_punct = (lengths == 1) & punct_table[codes[starts]]  # punct_chars are single characters
    sent_starts = sentence_starts(array[:, 3].astype(bool) | in_punct, in_punct, firsts)
    # a whitespace token ends the sentence when it holds a line break (one paragraph per line), and
    # passes on a sentence start that the rule put on it to the next real token
    breaks = spaces & sent_starts
    for i in np.flatnonzero(spaces & ~sent_starts).tolist():  # few: extra spaces and line breaks
        piece = text[starts[i] : ends[i]]
        breaks[i] = "\n" in piece or "\r" in piece
    keep = np.flatnonzero(~spaces)
    if keep.size == 0:
        return [Segmentation.empty() for _ in docs]
    token_starts, token_ends = starts[keep], ends[keep]
    blank = whitespace_table()
    for j in np.flatnonzero(blank[codes[token_starts]] | blank[codes[token_ends - 1]]):  # rare: edge whitespace
        raw = text[token_starts[j] : token_ends[j]]
        token_ends[j] = token_starts[j] + len(raw.rstrip())
        token_starts[j] += len(raw) - len(raw.lstrip())
    kept_doc = token_doc[keep]
    seen_breaks = np.cumsum(breaks)[keep]
    new_sentence = sent_starts[keep]
    new_sentence[1:] |= (np.diff(seen_breaks) > 0) | (np.diff(kept_doc) > 0)  # each text starts a sentence
    new_sentence[0] = True
    first = np.flatnonzero(new_sentence)
    last = np.append(first[1:] - 1, keep.size - 1)
    sentence_doc = kept_doc[first]
    sentence_base = bases[sentence_doc]
    sentences = list(zip((token_starts[first] - sentence_base).tolist(), (token_ends[last] - sentence_base).tolist()))
    kept_base = bases[kept_doc]
    token_starts -= kept_base
    token_ends -= kept_base
    doc_range = np.arange(len(docs) + 1)
    token_cut = np.searchsorted(kept_doc, doc_range).tolist()
    sentence_cut = np.searchsorted(sentence_doc, doc_range).tolist()
    result = []
    for d in range(len(docs)):
        a, b = token_cut[d], token_cut[d + 1]
        if a == b:
            result.append(Segmentation.empty())
        else:
            result.append(Segmentation(starts=token_starts[a:b], ends=token_ends[a:b], sentences=sentences[sentence_cut[d] : sentence_cut[d + 1]]))
    return result
