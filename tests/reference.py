"""Simple reference implementations: the definitions, written plainly, that every fast path is tested against.

Nothing here is fast or clever on purpose. Each function states a rule the way the docs state it;
the library's optimised code (sweeps, vectorised numpy, shared lookups) must give the same answer.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from scipy.optimize import linear_sum_assignment

from newsgold.model.document import Document
from newsgold.model.schema import Schema

Labelled = tuple[int, int, str]


def overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    """Characters two spans share."""
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def overlap_matching_per_label(gold: Sequence[Labelled], pred: Sequence[Labelled]) -> dict[str, tuple[int, int]]:
    """Overlap mode's matching, one label at a time, as one global assignment per label over the whole
    document: most pairs first, then most shared characters. Per label: (pairs, shared characters)."""
    result: dict[str, tuple[int, int]] = {}
    for label in sorted({lab for *_, lab in gold} | {lab for *_, lab in pred}):
        g = [s[:2] for s in gold if s[2] == label]
        p = [s[:2] for s in pred if s[2] == label]
        if not g or not p:
            result[label] = (0, 0)
            continue
        weights = np.array([[(1 << 32) + overlap(a, b) if overlap(a, b) else 0 for b in p] for a in g], dtype=np.int64)
        rows, cols = linear_sum_assignment(weights, maximize=True)
        chosen = [(r, c) for r, c in zip(rows, cols) if weights[r, c]]
        result[label] = (len(chosen), sum(overlap(g[r], p[c]) for r, c in chosen))
    return result


def merged_sentences(sentences: list[tuple[int, int]], spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join sentence i+1 to the previous one while some span starts before it and reaches into it."""
    merged = [list(sentences[0])]
    for start, end in sentences[1:]:
        if any(s < start and e > start for s, e in spans):
            merged[-1][1] = end
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def relation_matches(gold: Document, pred: Document, relation: str, alignment: set[tuple[str, str]], schema: Schema) -> int:
    """Relation matching by its definition: every (gold, predicted) pair tried, then a maximum one-to-one matching."""
    from newsgold.evaluate.relations import _TailMatcher

    gold_spans, pred_spans = {s.id: s for s in gold.spans}, {s.id: s for s in pred.spans}
    gold_rels = sorted({(r.head, r.tail) for r in gold.relations if r.label == relation})
    pred_rels = sorted({(r.head, r.tail) for r in pred.relations if r.label == relation})
    tails = _TailMatcher(gold, schema)
    weights = np.zeros((len(gold_rels), len(pred_rels)), dtype=np.int64)
    for i, (gh, gt) in enumerate(gold_rels):
        for j, (ph, pt) in enumerate(pred_rels):
            weights[i, j] = (gh, ph) in alignment and tails.matches(gold_spans[gt], pred_spans[pt])
    if not weights.size:
        return 0
    rows, cols = linear_sum_assignment(weights, maximize=True)
    return int(weights[rows, cols].sum())
