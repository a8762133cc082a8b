"""Token-level strict IOB2 scoring through seqeval, over the corpus tokenization.

The tokens are those of the dataset's `tokens` configuration: spaCy's rule-based tokenizer,
split at gold span boundaries, in sentences merged where a gold span crosses one. Each label is
its own tag layer (labels nest), and every layer of every sentence is one sequence for seqeval.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

from seqeval.metrics import classification_report
from seqeval.scheme import IOB2

from newsgold.corpus.bio import refine_tokens, spans_to_tags, tags_to_spans
from newsgold.corpus.rows import merge_crossed_sentences
from newsgold.corpus.segment import Segmenter
from newsgold.document import Document
from newsgold.evaluate.metrics import Cell


@dataclass
class TokenLayers:
    """All tag sequences of a corpus: y_true / y_pred for seqeval, and per-document cells."""

    y_true: list[list[str]] = field(default_factory=list)
    y_pred: list[list[str]] = field(default_factory=list)


def document_layers(
    gold: Document, pred: Document, labels: tuple[str, ...], segmenter: Segmenter
) -> tuple[list[list[str]], list[list[str]], dict[str, Cell]]:
    """Tag sequences (gold, predicted) for one document, and its per-label token-level cells."""
    text = gold.text or ""
    tokens, sentences = gold.tokens, gold.sentences
    if tokens is None or sentences is None:
        segmentation = segmenter.segment(text)
        tokens, sentences = segmentation.tokens, segmentation.sentences
    tokens = refine_tokens(tokens, [b for s in gold.spans for b in (s.start, s.end)])  # type: ignore[misc]
    sentences = merge_crossed_sentences(sentences, gold.spans)
    y_true: list[list[str]] = []
    y_pred: list[list[str]] = []
    cells: dict[str, Cell] = {label: Cell() for label in labels}
    position = 0
    for start, end in sentences:
        first = position
        while position < len(tokens) and tokens[position][0] < end:
            position += 1
        sentence = [t for t in tokens[first:position] if t[0] >= start]
        for label in labels:
            gold_spans = [(s.start, s.end) for s in gold.spans if s.label == label and s.start < end and s.end > start]  # type: ignore[operator]
            pred_spans = [
                (s.start, s.end)
                for s in pred.spans
                if s.label == label and s.start is not None and s.start < end and s.end > start  # type: ignore[operator]
            ]
            true_tags = spans_to_tags(sentence, gold_spans, label)
            pred_tags = spans_to_tags(sentence, _non_overlapping(pred_spans), label)
            y_true.append(true_tags)
            y_pred.append(pred_tags)
            true_entities = set(tags_to_spans(sentence, true_tags))
            pred_entities = set(tags_to_spans(sentence, pred_tags))
            cells[label] = cells[label] + Cell.counts(len(true_entities & pred_entities), len(pred_entities), len(true_entities))
    return y_true, y_pred, cells


def _non_overlapping(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Predicted spans of one label may overlap; a tag layer cannot: keep the earliest, longest."""
    kept: list[tuple[int, int]] = []
    for start, end in sorted(spans, key=lambda s: (s[0], -s[1])):
        if not kept or start >= kept[-1][1]:
            kept.append((start, end))
    return kept


def seqeval_report(layers: TokenLayers) -> dict[str, Any]:
    """seqeval's strict IOB2 classification report (per label, micro, macro) as a dict."""
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
