"""IOB2 encoding and decoding, token refinement, and parity of decoding with seqeval."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import merged_sentences
from seqeval.metrics.sequence_labeling import get_entities
from strategies import sentences_and_spans, tokens_and_spans

from newsgold.model.document import Span
from newsgold.text.iob2 import (
    merge_crossed_sentences,
    refine_arrays,
    refine_lists,
    refine_tokens,
    spans_to_tags,
    tags_to_spans,
)


@pytest.mark.parametrize(
    ("tokens", "boundaries", "expected"),
    [
        ([(0, 5)], [2], [(0, 2), (2, 5)]),
        ([(0, 5)], [0, 5], [(0, 5)]),
        ([(0, 5), (6, 9)], [1, 3, 7], [(0, 1), (1, 3), (3, 5), (6, 7), (7, 9)]),
        ([], [3], []),
    ],
)
def test_refine_tokens(tokens, boundaries, expected) -> None:  # type: ignore[no-untyped-def]
    assert refine_tokens(tokens, boundaries) == expected


def test_tags_for_nested_and_adjacent_spans() -> None:
    tokens = [(0, 3), (4, 7), (8, 11), (12, 15)]
    assert spans_to_tags(tokens, [(0, 7), (8, 11)], "X") == ["B-X", "I-X", "B-X", "O"]
    assert spans_to_tags(tokens, [], "X") == ["O"] * 4


def test_decoding_is_lenient_like_seqeval() -> None:
    tokens = [(0, 1), (2, 3), (4, 5)]
    assert tags_to_spans(tokens, ["I-A", "I-A", "B-B"]) == [("A", 0, 3), ("B", 4, 5)]
    with pytest.raises(ValueError, match="invalid IOB2 tag"):
        tags_to_spans(tokens, ["X-A", "O", "O"])


@settings(max_examples=200, deadline=None)
@given(tokens_and_spans())
def test_round_trip_after_refinement(data) -> None:  # type: ignore[no-untyped-def]
    tokens, spans = data
    refined = refine_tokens(tokens, [b for span in spans for b in span])
    tags = spans_to_tags(refined, spans, "L")
    assert [(s, e) for _, s, e in tags_to_spans(refined, tags)] == sorted(spans)
    # seqeval reads the same entities from the same tags (token indexes, inclusive ends)
    expected = [("L", refined.index(next(t for t in refined if t[0] == s)),
                 refined.index(next(t for t in refined if t[1] == e))) for s, e in sorted(spans)]
    assert get_entities(tags) == expected


@settings(max_examples=300, deadline=None)
@given(sentences_and_spans())
def test_merge_crossed_sentences_matches_the_naive_rule(case) -> None:  # type: ignore[no-untyped-def]
    sentences, spans = case
    objects = [Span(id=f"T{i}", label="CLAIM", start=s, end=e) for i, (s, e) in enumerate(spans)]
    assert merge_crossed_sentences(sentences, objects) == merged_sentences(sentences, spans)
    # more than 64 spans skip the plain-Python crossing check and go straight to the array code
    assert merge_crossed_sentences(sentences, objects * 20) == merged_sentences(sentences, spans)


@settings(max_examples=300, deadline=None)
@given(tokens_and_spans(), st.lists(st.integers(0, 200), max_size=30))
def test_refine_lists_equals_refine_arrays(data, extra_cuts) -> None:  # type: ignore[no-untyped-def]
    tokens, spans = data
    boundaries = [b for span in spans for b in span] + extra_cuts  # repeated cuts and cuts past the text too
    starts, ends = [s for s, _ in tokens], [e for _, e in tokens]
    array_starts, array_ends = refine_arrays(np.array(starts), np.array(ends), np.array(boundaries, dtype=np.int64))
    assert refine_lists(starts, ends, boundaries) == (array_starts.tolist(), array_ends.tolist())
