"""Span matching per document and label: strict, exact, overlap (optimal one-to-one) and partial.

All functions take spans as plain `(start, end, label)` tuples and sort them canonically first,
so no result depends on the order of the input lists. Predictions may repeat a span: every copy
after the first finds no partner in one-to-one matching and counts as a false positive, so a
duplicate never adds a true positive.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

Offsets = tuple[int, int]
Labelled = tuple[int, int, str]
# Component weights for overlap matching: maximise the number of pairs first, then total overlap.
_PAIR_WEIGHT = 1 << 32


def strict_pairs(gold: Sequence[Labelled], pred: Sequence[Labelled]) -> list[tuple[int, int]]:
    """One-to-one pairs (gold index, pred index) with identical start, end and label."""
    return _identical_pairs(gold, pred, key=lambda span: span)


def exact_pairs(
    gold: Sequence[Labelled], pred: Sequence[Labelled], strict: list[tuple[int, int]] | None = None
) -> list[tuple[int, int]]:
    """One-to-one pairs with identical boundaries, any label; same-label pairs are taken first.

    `strict`: the `strict_pairs` of the same spans, when the caller has them already.
    """
    pairs = strict_pairs(gold, pred) if strict is None else list(strict)
    if len(pairs) == min(len(gold), len(pred)):
        return pairs  # one side is used up: nothing is left to pair across labels
    used_gold = {g for g, _ in pairs}
    used_pred = {p for _, p in pairs}
    rest_gold = [i for i in range(len(gold)) if i not in used_gold]
    rest_pred = [i for i in range(len(pred)) if i not in used_pred]
    cross = _identical_pairs(
        [gold[i] for i in rest_gold], [pred[i] for i in rest_pred], key=lambda span: (span[0], span[1])
    )
    return pairs + [(rest_gold[g], rest_pred[p]) for g, p in cross]


def _identical_pairs(gold: Sequence[Labelled], pred: Sequence[Labelled], key) -> list[tuple[int, int]]:  # type: ignore[no-untyped-def]
    waiting: dict[object, list[int]] = {}
    for index in sorted(range(len(gold)), key=gold.__getitem__, reverse=True):
        waiting.setdefault(key(gold[index]), []).append(index)  # reversed, so pop() takes the first
    pairs = []
    for index in sorted(range(len(pred)), key=pred.__getitem__):
        queue = waiting.get(key(pred[index]))
        if queue:
            pairs.append((queue.pop(), index))
    return pairs


def overlap_pairs(gold: Sequence[Offsets], pred: Sequence[Offsets]) -> list[tuple[int, int]]:
    """Maximum one-to-one matching of overlapping spans (one label), ties broken by most overlap.

    The overlap graph is split into connected components first, so the cost stays close to
    linear in the number of spans; each component is solved optimally (Hungarian algorithm).
    """
    return labelled_overlap_pairs([(s, e, "") for s, e in gold], [(s, e, "") for s, e in pred])


def labelled_overlap_pairs(gold: Sequence[Labelled], pred: Sequence[Labelled]) -> list[tuple[int, int]]:
    """`overlap_pairs` of every label at once: spans only pair within their label.

    The same pairs as matching one label at a time (tested), in one sweep over the document's
    spans instead of one call per label, which is what short documents spend their time on.
    Components of the overlap graph are found in the sweep; those of two spans are resolved
    there, larger ones by `_solve_component`.
    """
    if not gold or not pred:
        return []
    items = sorted([(lab, s, e, 0, i) for i, (s, e, lab) in enumerate(gold)] + [(lab, s, e, 1, i) for i, (s, e, lab) in enumerate(pred)])
    pairs: list[tuple[int, int]] = []
    component: list[tuple[int, int, int, int]] = []
    label, reach = None, -1
    for item_label, start, end, side, index in items + [(None, 0, 0, 0, 0)]:  # the sentinel closes the last one
        if component and (item_label != label or start >= reach):
            if len(component) == 2:  # the common case: one span of each side, or two of one side
                (_, _, side_a, a), (_, _, side_b, b) = component
                if side_a != side_b:  # they overlap, or the sweep would have split them
                    pairs.append((a, b) if side_a == 0 else (b, a))
            elif len(component) > 2:
                pairs.extend(_solve_component(component))
            component, reach = [], -1
        component.append((start, end, side, index))
        label, reach = item_label, max(reach, end)
    return sorted(pairs)


def _solve_component(component: list[tuple[int, int, int, int]]) -> list[tuple[int, int]]:
    golds = [(s, e, i) for s, e, side, i in component if side == 0]
    preds = [(s, e, i) for s, e, side, i in component if side == 1]
    if not golds or not preds:
        return []
    if len(golds) == 1 and len(preds) == 1:
        (gs, ge, gi), (ps, pe, pi) = golds[0], preds[0]
        return [(gi, pi)] if min(ge, pe) > max(gs, ps) else []
    weights = np.zeros((len(golds), len(preds)), dtype=np.int64)
    for row, (gs, ge, _) in enumerate(golds):
        for col, (ps, pe, _) in enumerate(preds):
            overlap = min(ge, pe) - max(gs, ps)
            if overlap > 0:
                weights[row, col] = _PAIR_WEIGHT + overlap
    linked = weights > 0
    if linked.sum(axis=0).max() <= 1 and linked.sum(axis=1).max() <= 1:
        rows, cols = np.nonzero(linked)  # no span overlaps two of the other side: nothing to choose
    else:
        from scipy.optimize import linear_sum_assignment  # imported when first needed: it costs 0.3 s

        rows, cols = linear_sum_assignment(weights, maximize=True)
    return [(golds[r][2], preds[c][2]) for r, c in zip(rows.tolist(), cols.tolist()) if weights[r, c] > 0]


def merge_intervals(spans: Sequence[Offsets]) -> list[Offsets]:
    """Union of overlapping (or duplicate) intervals, sorted."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def partial_credit(gold: Sequence[Offsets], pred: Sequence[Offsets]) -> tuple[float, int, float, int]:
    """SemEval-2020 Task 11 span-identification credit for one label in one document.

    Returns (precision credit, |S|, recall credit, |T|) where, after merging overlapping spans
    within each side (as the task's scorer does), precision credit = sum over pairs of
    |s ∩ t| / |s| and recall credit = sum over pairs of |s ∩ t| / |t|.
    """
    golds = merge_intervals(gold)
    preds = merge_intervals(pred)
    p_credit = r_credit = 0.0
    j = 0
    for ps, pe in preds:
        while j < len(golds) and golds[j][1] <= ps:
            j += 1
        k = j
        while k < len(golds) and golds[k][0] < pe:
            gs, ge = golds[k]
            overlap = min(pe, ge) - max(ps, gs)
            if overlap > 0:
                p_credit += overlap / (pe - ps)
                r_credit += overlap / (ge - gs)
            k += 1
    return p_credit, len(preds), r_credit, len(golds)

