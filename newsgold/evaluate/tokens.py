"""Token-level strict IOB2 scoring over the corpus tokenization.

The tokens are those of the dataset's `tokens` configuration: spaCy's rule-based tokenizer,
split at gold span boundaries, in sentences merged where a gold span crosses one. Each label is
its own tag layer (labels nest). The IOB2 entities of a layer are computed straight from the
spans — what tagging with `spans_to_tags` and decoding would give, including a later span's B-
overwriting a token an earlier one ends in — so no tag sequence is built on the hot path. The
numbers equal seqeval's `classification_report(mode="strict", scheme=IOB2)` on the same layers
(tested on random corpora); `with_tags=True` also returns the tag sequences so that seqeval itself
can be run (`newsgold eval score --seqeval`).
"""

from __future__ import annotations

import math
import warnings
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import Any, Iterable

import numpy as np

from newsgold.model.document import Document
from newsgold.text.iob2 import merge_crossed_sentences, non_overlapping, refine_arrays, refine_lists, spans_to_tags
from newsgold.text.segment import Segmentation, Segmenter

Offsets = tuple[int, int]


@dataclass
class TokenLayers:
    """Tag sequences of a corpus for seqeval (filled only when asked for)."""

    y_true: list[list[str]] = field(default_factory=list)
    y_pred: list[list[str]] = field(default_factory=list)


def layer_entities(token_starts: list[int], token_ends: list[int], spans: Iterable[Offsets]) -> list[Offsets]:
    """IOB2 entities (as character offsets of whole tokens) of one label's spans in one sentence.

    Equal to `tags_to_spans(tokens, spans_to_tags(tokens, spans))`: a token is in a span when they
    overlap, spans are tagged in order, and a span starting inside the token where the previous one
    ends takes that token over (the previous entity is cut before it, or vanishes).
    """
    ranges: list[list[int]] = []  # [first token, last token]
    for start, end in sorted(spans):
        first = bisect_right(token_ends, start)  # first token ending after the span starts
        last = bisect_left(token_starts, end) - 1  # last token starting before the span ends
        if first > last:
            continue
        while ranges and ranges[-1][1] >= first:
            if ranges[-1][0] >= first:
                ranges.pop()
            else:
                ranges[-1][1] = first - 1
                break
        ranges.append([first, last])
    return [(token_starts[a], token_ends[b]) for a, b in ranges]


SMALL_REFINE = 256  # boundaries up to which token refinement runs on lists (numpy's fixed cost is higher)


def document_cells(
    gold: Document,
    pred: Document,
    labels: tuple[str, ...],
    segmenter: Segmenter,
    *,
    layers: TokenLayers | None = None,
    segmentation: Segmentation | None = None,
) -> dict[str, tuple[int, int, int]]:
    """Per-label token-level counts (true positives, predicted, gold entities) of one document;
    tag sequences appended to `layers` if given.

    The gold entities of a layer are the gold spans themselves: tokens are split at every gold
    boundary and sentences merged where a gold span crosses one, so tagging and decoding a gold
    span gives it back. Only predicted spans need snapping to tokens, sentence by sentence.
    `segmentation`: the gold text's, when the caller has segmented it already (in a batch).
    """
    text = gold.text or ""
    boundaries = [b for s in gold.spans for b in (s.start, s.end)]
    if gold.tokens is None or gold.sentences is None:
        segmentation = segmentation if segmentation is not None else segmenter.segment(text)
        starts, ends, sentences = segmentation.starts, segmentation.ends, segmentation.sentences
    else:
        sentences = gold.sentences
        starts = np.array([s for s, _ in gold.tokens], dtype=np.int64)
        ends = np.array([e for _, e in gold.tokens], dtype=np.int64)
    if len(boundaries) <= SMALL_REFINE:
        token_starts, token_ends = refine_lists(starts.tolist(), ends.tolist(), boundaries)  # type: ignore[arg-type]
    else:
        refined_starts, refined_ends = refine_arrays(starts, ends, np.array(boundaries, dtype=np.int64))
        token_starts, token_ends = refined_starts.tolist(), refined_ends.tolist()
    sentences = merge_crossed_sentences(sentences, gold.spans)
    sentence_starts = [start for start, _ in sentences]
    if layers is not None:
        _append_layers(layers, gold, pred, labels, list(zip(token_starts, token_ends)), sentences, sentence_starts)
    true_entities: dict[str, set[Offsets]] = {label: set() for label in labels}
    for span in gold.spans:
        if span.label in true_entities:
            true_entities[span.label].add((span.start, span.end))  # type: ignore[arg-type]
    # predicted spans by (label, sentence): a span crossing sentences goes to each of them
    groups: dict[str, dict[int, list[Offsets]]] = {label: {} for label in labels}
    n_sentences = len(sentences)
    for span in pred.spans:
        start, end = span.start, span.end
        if start is None or span.label not in groups:
            continue
        by_sentence = groups[span.label]
        index = max(bisect_right(sentence_starts, start) - 1, 0)
        while index < n_sentences and sentences[index][0] < end:  # type: ignore[operator]
            if sentences[index][1] > start:
                by_sentence.setdefault(index, []).append((start, end))  # type: ignore[arg-type]
            index += 1
    counts: dict[str, tuple[int, int, int]] = {}
    for label in labels:
        true = true_entities[label]
        if not groups[label]:
            counts[label] = (0, 0, len(true))
            continue
        pred_entities: set[Offsets] = set()
        for index, group in groups[label].items():
            lo = bisect_left(token_starts, sentences[index][0])
            hi = bisect_left(token_starts, sentences[index][1])
            pred_entities.update(layer_entities(token_starts[lo:hi], token_ends[lo:hi], non_overlapping(group)))
        counts[label] = (len(true & pred_entities), len(pred_entities), len(true))
    return counts


def _append_layers(
    layers: TokenLayers,
    gold: Document,
    pred: Document,
    labels: tuple[str, ...],
    tokens: list[Offsets],
    sentences: list[Offsets],
    sentence_starts: list[int],
) -> None:
    """Tag sequences of every (sentence, label) layer, for running seqeval itself."""
    gold_by = _by_sentence(((s.label, s.start, s.end) for s in gold.spans), sentences, sentence_starts)  # type: ignore[misc]
    pred_by = _by_sentence(
        ((s.label, s.start, s.end) for s in pred.spans if s.start is not None), sentences, sentence_starts  # type: ignore[misc]
    )
    token_starts = [start for start, _ in tokens]
    for index, (start, end) in enumerate(sentences):
        sentence = tokens[bisect_left(token_starts, start) : bisect_left(token_starts, end)]
        for label in labels:
            layers.y_true.append(spans_to_tags(sentence, gold_by.get((index, label), []), label))
            layers.y_pred.append(spans_to_tags(sentence, non_overlapping(pred_by.get((index, label), [])), label))


def _by_sentence(
    spans: Iterable[tuple[str, int, int]], sentences: list[tuple[int, int]], starts: list[int]
) -> dict[tuple[int, str], list[Offsets]]:
    """Spans grouped by (sentence index, label); a span crossing sentences goes to each of them."""
    grouped: dict[tuple[int, str], list[Offsets]] = {}
    for label, start, end in spans:
        first = max(bisect_right(starts, start) - 1, 0)
        for index in range(first, len(sentences)):
            if sentences[index][0] >= end:
                break
            if sentences[index][1] > start:
                grouped.setdefault((index, label), []).append((start, end))
    return grouped


def seqeval_report(layers: TokenLayers) -> dict[str, Any]:
    """seqeval's strict IOB2 classification report (per label, micro, macro) as a JSON-safe dict."""
    from seqeval.metrics import classification_report
    from seqeval.scheme import IOB2

    if not layers.y_true:
        return {}
    with warnings.catch_warnings():  # seqeval averages an empty set when no entity exists at all
        warnings.simplefilter("ignore", RuntimeWarning)
        report = classification_report(
            layers.y_true, layers.y_pred, mode="strict", scheme=IOB2, output_dict=True, zero_division=0
        )
    return {row: {name: _plain(name, value) for name, value in values.items()} for row, values in report.items()}


def _plain(name: str, value: Any) -> int | float | None:
    """JSON-safe numbers: support as int, NaN (seqeval's undefined averages) as None."""
    if name == "support":
        return int(value)
    number = float(value)
    return None if math.isnan(number) else number
