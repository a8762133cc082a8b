"""Span scoring modes: a registry, so a new mode is one function and one registration line.

A mode turns one document's spans — gold and predicted, in canonical order, with the matchings
that several modes and the error list share computed once (`DocumentSpans`) — into four sums per
label: precision numerator and denominator, recall numerator and denominator. The report lists
the modes in registration order; docs/evaluation.md says what each measures.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from typing import Callable, Iterator

from newsgold.spans.matching import exact_pairs, labelled_overlap_pairs, merge_intervals, partial_credit, strict_pairs

Labelled = tuple[int, int, str]
Sums = tuple[float, float, float, float]


@dataclass
class DocumentSpans:
    """One document's spans as the modes see them; each matching is computed once, on first use."""

    labels: tuple[str, ...]
    gold: list[Labelled]  # canonical order
    pred: list[Labelled]  # grounded, without duplicates, canonical order
    gold_by: dict[str, list[int]]  # label -> indexes into `gold`
    pred_by: dict[str, list[int]]
    unscored: dict[str, int]  # predictions outside the matching (duplicates, ungrounded): false positives
    ungrounded: dict[str, int]

    @cached_property
    def strict(self) -> list[tuple[int, int]]:
        return strict_pairs(self.gold, self.pred)

    @cached_property
    def exact(self) -> list[tuple[int, int]]:
        return exact_pairs(self.gold, self.pred, self.strict)

    @cached_property
    def overlap(self) -> list[tuple[int, int]]:
        return labelled_overlap_pairs(self.gold, self.pred)

    def predicted(self, label: str) -> int:
        """Predicted spans of a label, the unmatched ones (duplicates, ungrounded) included."""
        return len(self.pred_by[label]) + self.unscored[label]


@dataclass(frozen=True)
class SpanMode:
    """A registered scoring mode: its name in the report, what it measures, and its per-label sums."""

    name: str
    description: str
    sums: Callable[[DocumentSpans], Iterator[tuple[str, Sums]]]


SPAN_MODE_REGISTRY: dict[str, SpanMode] = {}


def register_mode(mode: SpanMode) -> SpanMode:
    """Add a span scoring mode (reported after the ones registered before it)."""
    SPAN_MODE_REGISTRY[mode.name] = mode
    return mode


def _counts(pairs: list[tuple[int, int]], spans: list[Labelled], side: int) -> defaultdict[str, int]:
    found: defaultdict[str, int] = defaultdict(int)
    for pair in pairs:
        found[spans[pair[side]][2]] += 1
    return found


def _strict(doc: DocumentSpans) -> Iterator[tuple[str, Sums]]:
    tp = _counts(doc.strict, doc.gold, 0)
    for label in doc.labels:
        yield label, (tp[label], doc.predicted(label), tp[label], len(doc.gold_by[label]))


def _exact(doc: DocumentSpans) -> Iterator[tuple[str, Sums]]:
    by_pred, by_gold = _counts(doc.exact, doc.pred, 1), _counts(doc.exact, doc.gold, 0)
    for label in doc.labels:
        yield label, (by_pred[label], doc.predicted(label), by_gold[label], len(doc.gold_by[label]))


def _overlap(doc: DocumentSpans) -> Iterator[tuple[str, Sums]]:
    tp = _counts(doc.overlap, doc.gold, 0)
    for label in doc.labels:
        yield label, (tp[label], doc.predicted(label), tp[label], len(doc.gold_by[label]))


def _partial(doc: DocumentSpans) -> Iterator[tuple[str, Sums]]:
    for label in doc.labels:
        gold = [doc.gold[i][:2] for i in doc.gold_by[label]]
        pred = [doc.pred[i][:2] for i in doc.pred_by[label]]
        if gold and pred:
            p_credit, n_pred, r_credit, n_gold = partial_credit(gold, pred)
        else:  # nothing to credit; the merged spans are still counted
            p_credit, n_pred, r_credit, n_gold = 0.0, len(merge_intervals(pred)), 0.0, len(merge_intervals(gold))
        yield label, (p_credit, n_pred + doc.ungrounded[label], r_credit, n_gold)


register_mode(SpanMode("strict", "same start, end and label as a gold span (one-to-one)", _strict))
register_mode(SpanMode("exact", "same start and end as a gold span, any label", _exact))
register_mode(SpanMode("overlap", "same label and a shared character (maximum one-to-one matching)", _overlap))
register_mode(SpanMode("partial", "character-level overlap credit (SemEval-2020 Task 11)", _partial))
