"""Relation scoring: a predicted relation is right when its head aligns with the gold head and its
tail resolves to the same referent, plus the "who is quoted" set score per document.

Head alignment is the `overlap` matching of the head label. The tail matches when the tail label
has an identity attribute (SPEAKER.entity) and the normalised values agree, or when the predicted
tail overlaps a gold mention of that referent; for tail labels without one (EVENT), when the
predicted tail overlaps the gold tail. Gold and predicted relations are then paired one-to-one.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
from scipy.optimize import linear_sum_assignment

from newsgold.evaluate.metrics import Cell
from newsgold.model.document import Document, Span
from newsgold.model.schema import Schema

_PUNCT = re.compile(r"[\W_]+", re.UNICODE)


@lru_cache(maxsize=65536)  # the same few names recur across mentions and documents
def normalise_entity(value: str) -> str:
    """Case-, whitespace- and punctuation-insensitive form of an entity name."""
    return _PUNCT.sub(" ", value.casefold()).strip()


def _overlaps(a: Span, b: Span) -> bool:
    return a.start is not None and b.start is not None and min(a.end, b.end) > max(a.start, b.start)  # type: ignore[type-var, operator]


def _referent(span: Span, schema: Schema, text: str | None) -> str | None:
    """The normalised identity of a span: its identity attribute, else the text it covers.

    The covered text is taken from the document (`text`) when the span does not repeat it, so a
    span given by offsets alone has the same referent as one that also gives its `text`.
    """
    identity = schema.identity_attributes().get(span.label)
    if identity is None:
        return None
    value = span.attrs.get(identity.name) or span.text
    if not value and text is not None and span.start is not None and span.end is not None:
        value = text[span.start : span.end]
    return normalise_entity(value) if value else None


def relation_cell(
    gold: Document,
    pred: Document,
    relation: str,
    head_alignment: set[tuple[str, str]],
    schema: Schema,
) -> tuple[Cell, list[tuple[str, str]], list[tuple[str, str]]]:
    """Cell of one relation type in one document, with the missed gold and spurious predicted pairs.

    head_alignment: (gold span id, predicted span id) pairs of the overlap matching.
    """
    return DocumentRelations(gold, pred, schema).cell(relation, head_alignment)


class DocumentRelations:
    """Relation scoring of one document pair: span lookups, relations by type and referents are
    computed once and shared by every relation type."""

    def __init__(self, gold: Document, pred: Document, schema: Schema) -> None:
        self.gold_spans = {s.id: s for s in gold.spans}
        self.pred_spans = {s.id: s for s in pred.spans}
        self.gold_by = _by_type(gold, self.gold_spans)
        self.pred_by = _by_type(pred, self.pred_spans)
        self.tails = _TailMatcher(gold, schema)
        self._alignment: set[tuple[str, str]] | None = None
        self._by_gold: dict[str, list[str]] = {}

    def cell(self, relation: str, head_alignment: set[tuple[str, str]]) -> tuple[Cell, list[tuple[str, str]], list[tuple[str, str]]]:
        """Cell of one relation type, with the missed gold and spurious predicted pairs."""
        gold_rels = sorted(self.gold_by.get(relation, ()))
        pred_rels = sorted(set(self.pred_by.get(relation, ())))
        if not gold_rels or not pred_rels:
            return Cell.counts(0, len(pred_rels), len(gold_rels)), gold_rels, pred_rels
        gold_spans, pred_spans, tails = self.gold_spans, self.pred_spans, self.tails
        # only relations whose heads are aligned can match: look those up instead of trying every
        # (gold, predicted) pair, so the cost stays linear in the relations of the document
        aligned = self._aligned(head_alignment)
        pred_by_head: dict[str, list[int]] = {}
        for j, (ph, _) in enumerate(pred_rels):
            pred_by_head.setdefault(ph, []).append(j)
        compatible = sorted(
            (i, j)
            for i, (gh, gt) in enumerate(gold_rels)
            for ph in aligned.get(gh, ())
            for j in pred_by_head.get(ph, ())
            if tails.matches(gold_spans[gt], pred_spans[pred_rels[j][1]])
        )
        rows = [i for i, _ in compatible]
        cols = [j for _, j in compatible]
        if len(set(rows)) == len(rows) and len(set(cols)) == len(cols):
            matched = compatible  # no relation is compatible with two of the other side: nothing to choose
        else:
            weights = np.zeros((len(gold_rels), len(pred_rels)), dtype=np.int64)
            weights[rows, cols] = 1
            chosen_rows, chosen_cols = linear_sum_assignment(weights, maximize=True)
            matched = [(r, c) for r, c in zip(chosen_rows.tolist(), chosen_cols.tolist()) if weights[r, c]]
        matched_gold = {r for r, _ in matched}
        matched_pred = {c for _, c in matched}
        missed = [gold_rels[i] for i in range(len(gold_rels)) if i not in matched_gold]
        spurious = [pred_rels[j] for j in range(len(pred_rels)) if j not in matched_pred]
        return Cell.counts(len(matched), len(pred_rels), len(gold_rels)), missed, spurious

    def _aligned(self, head_alignment: set[tuple[str, str]]) -> dict[str, list[str]]:
        """Predicted span ids aligned with each gold span id (made once per alignment)."""
        if self._alignment is not head_alignment:
            self._alignment, self._by_gold = head_alignment, {}
            for gold_head, pred_head in head_alignment:
                self._by_gold.setdefault(gold_head, []).append(pred_head)
        return self._by_gold

    def quoted(self, gold: Document, pred: Document, schema: Schema) -> Cell:
        """"Who is quoted": the set of sources per document, compared as sets (span lookups already made)."""
        gold_set = quoted_referents(gold, schema, self.gold_spans)
        pred_set = quoted_referents(pred, schema, self.pred_spans)
        return Cell.counts(len(gold_set & pred_set), len(pred_set), len(gold_set))


def _by_type(document: Document, spans: dict[str, Span]) -> dict[str, list[tuple[str, str]]]:
    """(head, tail) pairs per relation type, for relations whose ends are spans of the document."""
    grouped: dict[str, list[tuple[str, str]]] = {}
    for r in document.relations:
        if r.head in spans and r.tail in spans:
            grouped.setdefault(r.label, []).append((r.head, r.tail))
    return grouped


class _TailMatcher:
    """Whether a predicted tail resolves to a gold tail's referent; referents computed once each."""

    def __init__(self, gold: Document, schema: Schema) -> None:
        self.gold = gold
        self.schema = schema
        self.referents: dict[int, str | None] = {}
        self.mentions: dict[tuple[str, str], list[Span]] | None = None

    def referent(self, span: Span) -> str | None:
        key = id(span)
        if key not in self.referents:
            self.referents[key] = _referent(span, self.schema, self.gold.text)  # a prediction's text is the gold's
        return self.referents[key]

    def matches(self, gold_tail: Span, pred_tail: Span) -> bool:
        if pred_tail.label != gold_tail.label:
            return False
        referent = self.referent(gold_tail)
        if referent is None:
            return _overlaps(gold_tail, pred_tail)
        if self.referent(pred_tail) == referent:
            return True
        if self.mentions is None:  # gold mentions by (label, referent), for the overlap fallback
            self.mentions = {}
            for span in self.gold.spans:
                found = self.referent(span)
                if found is not None:
                    self.mentions.setdefault((span.label, found), []).append(span)
        return any(_overlaps(span, pred_tail) for span in self.mentions.get((gold_tail.label, referent), ()))


def quoted_referents(document: Document, schema: Schema, spans: dict[str, Span] | None = None) -> set[str]:
    """Normalised referents at the tail of any relation whose tail label has an identity attribute."""
    spans = spans if spans is not None else {s.id: s for s in document.spans}
    found = set()
    for relation in document.relations:
        tail = spans.get(relation.tail)
        if tail is not None:
            referent = _referent(tail, schema, document.text)
            if referent:
                found.add(referent)
    return found
