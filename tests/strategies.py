"""Hypothesis strategies shared by the tests: documents and corpora of the shipped schema, spans,
tokens and sentences. One place, so every property test draws from the same kinds of input."""

from __future__ import annotations

import random
from dataclasses import replace

from hypothesis import strategies as st

from newsgold.io.config import load_schema
from newsgold.model.document import Document, Relation, Span

SCHEMA = load_schema()
WORDS = ["Russia", "said", "the", "UN", "aid", "“truce”", "rebels", "attack", "he", "she", "city", "failed", "not", "😀x", "talks"]


def attrs_for(label: str, rng: random.Random) -> dict[str, str]:
    attrs = {}
    for attribute in SCHEMA.label(label).attributes:
        attrs[attribute.name] = rng.choice(attribute.value_names) if attribute.kind == "choice" else rng.choice(["Russia", "UN", "Maria"])
    return attrs


@st.composite
def documents(draw, doc_id: str = "d", separators: tuple[str, ...] = (" ",)) -> Document:  # type: ignore[no-untyped-def]
    """A valid gold document: words, spans of every label (nested across labels), relations.

    `separators` between words (e.g. " ", "\r\n" for Windows line endings inside spans).
    """
    words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=30))
    gaps = [draw(st.sampled_from(separators)) for _ in words[1:]]
    text = words[0] + "".join(gap + word for gap, word in zip(gaps, words[1:]))
    starts, position = [], 0
    for index, word in enumerate(words):
        starts.append((position, position + len(word)))
        position += len(word) + (len(gaps[index]) if index < len(gaps) else 0)
    rng = random.Random(draw(st.integers(0, 10**6)))
    spans: list[Span] = []
    for label in SCHEMA.label_names:
        cuts = sorted(draw(st.sets(st.integers(0, len(words)), max_size=8)))
        for a, b in zip(cuts[::2], cuts[1::2]):
            spans.append(Span(id=f"{label[0]}{a}", label=label, start=starts[a][0], end=starts[b - 1][1], attrs=attrs_for(label, rng)))
    relations = []
    heads = {label for relation in SCHEMA.relations for label in relation.head}
    claims = [s for s in spans if s.label in heads]
    for relation in SCHEMA.relations:
        tails = [s for s in spans if s.label in relation.tail]
        for claim in claims:
            if tails and rng.random() < 0.6:
                relations.append(Relation(relation.name, claim.id, rng.choice(tails).id))
    return Document(id=doc_id, text=text, spans=spans, relations=relations)


corpora = st.lists(documents(), min_size=1, max_size=4).map(
    lambda docs: [replace(d, id=f"d{i}") for i, d in enumerate(docs)]
)


labelled_spans = st.lists(
    st.tuples(st.integers(0, 40), st.integers(1, 8), st.sampled_from(["A", "B", "C"])).map(lambda t: (t[0], t[0] + t[1], t[2])),
    max_size=25,
)


@st.composite
def tokens_and_spans(draw):  # type: ignore[no-untyped-def]
    lengths = draw(st.lists(st.integers(1, 6), min_size=1, max_size=25))
    tokens, offset = [], 0
    for length in lengths:
        tokens.append((offset, offset + length))
        offset += length + draw(st.integers(1, 2))
    cuts = sorted(draw(st.sets(st.integers(0, offset), max_size=12)))
    spans = []
    for start, end in zip(cuts[::2], cuts[1::2]):
        # snap to non-whitespace, as the validator guarantees for gold
        inside = [t for t in tokens if t[0] < end and t[1] > start]
        if inside:
            spans.append((max(start, inside[0][0]), min(end, inside[-1][1])))
    return tokens, spans


@st.composite
def sentences_and_spans(draw):  # type: ignore[no-untyped-def]
    sentences, position = [], 0
    for _ in range(draw(st.integers(1, 8))):
        start = position + draw(st.integers(0, 3))
        position = start + draw(st.integers(1, 6))
        sentences.append((start, position))
    spans = []
    for _ in range(draw(st.integers(0, 5))):
        start = draw(st.integers(sentences[0][0], position - 1))
        spans.append((start, draw(st.integers(start + 1, position))))
    return sentences, spans
