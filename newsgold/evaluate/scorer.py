"""Score predictions against gold: every mode, per label, micro and macro, per document, with
bootstrap confidence intervals, attribute accuracy, relations and an error list.

`score(gold, predictions, schema)` is the library entry point; it returns a `ScoreResult` whose
`to_dict()` is the JSON report. Formatting (table, Markdown, HTML) lives in `report_*` modules.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache
from operator import attrgetter
from typing import Any, Sequence

import numpy as np
from numpy.typing import NDArray

from newsgold import __version__
from newsgold.evaluate.bootstrap import (
    DEFAULT_SAMPLES,
    DEFAULT_SEED,
    intervals,
    macro_samples,
    paired_tests,
    sample_sums,
)
from newsgold.evaluate.metrics import Cell, f1_array, macro, prf_rows, total
from newsgold.evaluate.modes import SPAN_MODE_REGISTRY, DocumentSpans
from newsgold.evaluate.relations import DocumentRelations, normalise_entity
from newsgold.evaluate.tokens import TokenLayers, document_cells, seqeval_report
from newsgold.model.document import Document, Span
from newsgold.model.errors import DocumentError
from newsgold.model.problems import Problem
from newsgold.model.schema import Schema
from newsgold.model.validation import validate
from newsgold.parallel import default_workers, ordered_map
from newsgold.runtime import paused_gc
from newsgold.spans.grounding import Grounder, Ungrounded
from newsgold.text.segment import Segmentation, Segmenter

SPAN_MODES = tuple(SPAN_MODE_REGISTRY)  # registration order (evaluate/modes.py)
QUOTED = "quoted"


@dataclass(frozen=True)
class ScoreOptions:
    """How to score: bootstrap size and seed, and whether extra predicted documents are allowed."""

    samples: int = DEFAULT_SAMPLES
    seed: int = DEFAULT_SEED
    confidence: float = 0.95
    allow_extra: bool = False
    allow_ungrounded: bool = False
    seqeval: bool = False  # also run seqeval itself on the token layers and include its report
    workers: int | None = None  # processes for per-document scoring; None: all cores for large corpora


@dataclass
class DocumentScore:
    """Everything computed for one document; `row` holds the 4 sums of every score key, in order."""

    doc_id: str
    row: NDArray[Any]
    attributes: dict[tuple[str, str], tuple[int, int]]
    errors: list[dict[str, Any]]
    problems: list[Problem] = field(default_factory=list)  # an invalid prediction is not scored


def score_keys(schema: Schema) -> list[tuple[str, str]]:
    """Every (block, name) score in report order: span modes, tokens, relations, who is quoted."""
    keys = [(mode, label) for mode in SPAN_MODE_REGISTRY for label in schema.label_names]
    keys += [("tokens", label) for label in schema.label_names]
    keys += [("relations", relation) for relation in schema.relation_names]
    return keys + [(QUOTED, "sources")]


@dataclass
class ScoreResult:
    """The outcome of `score`: per-document results plus corpus-level aggregates."""

    schema: Schema
    documents: list[DocumentScore]
    keys: list[tuple[str, str]]
    token_report: dict[str, Any]
    ungrounded: list[Ungrounded]
    missing: list[str]
    extra: list[str]
    options: ScoreOptions
    inputs: dict[str, Any] = field(default_factory=dict)
    predicted: dict[str, int] = field(default_factory=dict)  # predicted spans per label (grounded or not)
    failures: list[dict[str, str]] = field(default_factory=list)  # documents the system failed on (meta.failure)
    _samples: NDArray[Any] | None = None
    _array: NDArray[Any] | None = None
    _sums: NDArray[Any] | None = None

    # ----------------------------------------------------------------- aggregates
    def per_doc_array(self) -> NDArray[Any]:
        """(n_docs, n_keys, 4) sufficient statistics, the input of bootstrap and paired tests."""
        if self._array is None:
            rows = [document.row for document in self.documents]
            self._array = np.stack(rows) if rows else np.zeros((0, len(self.keys), 4))
        return self._array

    def sample_sums(self) -> NDArray[Any]:
        """(samples, n_keys, 4) sums of every score in every bootstrap sample (drawn once, so every
        score and every micro average uses the same samples)."""
        if self._sums is None:
            self._sums = sample_sums(self.per_doc_array(), self.options.samples, self.options.seed)
        return self._sums

    def total_cell(self, key: tuple[str, str]) -> Cell:
        """Corpus-level sums of one score."""
        if key not in self.keys:
            return Cell()
        sums = self.per_doc_array()[:, self.keys.index(key), :].sum(axis=0)
        return Cell(*(float(value) for value in sums))

    def bootstrap(self) -> NDArray[Any]:
        """(samples, n_keys) F1 of every score in every bootstrap sample (computed once)."""
        if self._samples is None:
            self._samples = f1_array(self.sample_sums())
        return self._samples

    def blocks(self) -> list[tuple[str, list[str]]]:
        """(block, keys) in report order: span modes, tokens, relations, who is quoted."""
        order: dict[str, list[str]] = {}
        for block, key in self.keys:
            order.setdefault(block, []).append(key)
        return list(order.items())

    @paused_gc()
    def to_dict(self) -> dict[str, Any]:
        """The full JSON report: every number, inputs, versions."""
        samples = self.bootstrap()
        cis = intervals(samples, self.options.confidence) if self.options.samples else []
        index = {key: i for i, key in enumerate(self.keys)}
        scores: dict[str, Any] = {}
        for block, names in self.blocks():
            per_label = {}
            for name in names:
                cell = self.total_cell((block, name))
                entry: dict[str, Any] = dict(cell.to_dict())
                if cis:
                    entry["f1_ci"] = cis[index[(block, name)]].to_list()
                per_label[name] = entry
            micro_cell = total(self.total_cell((block, name)) for name in names)
            micro: dict[str, Any] = dict(micro_cell.to_dict())
            macro_scores: dict[str, Any] = dict(macro(self.total_cell((block, name)) for name in names))
            if cis:
                columns = [index[(block, name)] for name in names]
                micro_samples = f1_array(self.sample_sums()[:, columns, :].sum(axis=1))
                micro["f1_ci"] = intervals(micro_samples[:, None], self.options.confidence)[0].to_list()
                macro_scores["f1_ci"] = intervals(macro_samples(samples[:, columns])[:, None], self.options.confidence)[0].to_list()
            scores[block] = {"per_label": per_label, "micro": micro, "macro": macro_scores}
        return {
            "newsgold_version": __version__,
            "schema_version": self.schema.version,
            "inputs": self.inputs,
            "documents": {
                "scored": len(self.documents),
                "missing_predictions": self.missing,
                "extra_predictions_ignored": self.extra,
            },
            "grounding": {"ungrounded": len(self.ungrounded), "by_label": self.ungrounded_by_label(),
                          "spans": [u.to_dict() for u in self.ungrounded]},
            "system_failures": self.failures,
            "scores": scores,
            "token_level_seqeval": self.token_report,
            "attributes": self.attribute_accuracy(),
            "per_document": self.per_document(),
            "errors": [error for document in self.documents for error in document.errors],
            "bootstrap": {"samples": self.options.samples, "seed": self.options.seed, "confidence": self.options.confidence},
            "conventions": CONVENTIONS,
        }

    def ungrounded_by_label(self) -> dict[str, dict[str, Any]]:
        """Per label: predicted spans, those whose text was not found (hallucinated), and their rate."""
        counts = Counter(u.label for u in self.ungrounded)
        out: dict[str, dict[str, Any]] = {}
        for label in self.schema.label_names:
            predicted = self.predicted.get(label, 0)
            out[label] = {"predicted": predicted, "ungrounded": counts[label],
                          "rate": counts[label] / predicted if predicted else None}
        return out

    def per_document(self) -> dict[str, dict[str, Any]]:
        """Micro precision, recall and F1 of every block, per document."""
        array = self.per_doc_array()
        scores = {
            block: prf_rows(array[:, [self.keys.index((block, name)) for name in names], :].sum(axis=1))
            for block, names in self.blocks()
        }
        return {document.doc_id: {block: rows[d] for block, rows in scores.items()} for d, document in enumerate(self.documents)}

    def attribute_accuracy(self) -> dict[str, dict[str, Any]]:
        """Accuracy of each attribute on the spans matched under `overlap`."""
        sums: dict[tuple[str, str], list[int]] = {}
        for document in self.documents:
            for key, (right, total_) in document.attributes.items():
                entry = sums.get(key)
                if entry is None:
                    sums[key] = [right, total_]
                else:
                    entry[0] += right
                    entry[1] += total_
        correct = Counter({key: value[0] for key, value in sums.items()})
        matched = Counter({key: value[1] for key, value in sums.items()})
        return {
            label.name: {
                attribute.name: {
                    "matched": matched[(label.name, attribute.name)],
                    "correct": correct[(label.name, attribute.name)],
                    "accuracy": correct[(label.name, attribute.name)] / matched[(label.name, attribute.name)]
                    if matched[(label.name, attribute.name)]
                    else None,
                }
                for attribute in label.attributes
            }
            for label in self.schema.labels
        }


CONVENTIONS = {
    "zero_division": "a score with an empty denominator is 0.0; with no gold and no predictions it is null and left out of macro averages",
    "duplicates": "matching is one-to-one and a repeated (start, end, label) takes no part in it: it counts as a false positive; partial merges it away",
    "partial": "SemEval-2020 Task 11 SI credit per label after merging overlapping spans within each side",
    "exact": "boundaries equal, any label; per label, precision counts predictions of the label, recall gold spans of the label",
    "overlap": "same label, overlapping; optimal one-to-one matching (most pairs, then most overlapping characters)",
    "ungrounded": "predicted spans whose text could not be found are false positives in every span mode",
}


# --------------------------------------------------------------------------- alignment


def align(
    gold: Sequence[Document],
    predictions: Sequence[Document],
    schema: Schema,
    *,
    allow_extra: bool = False,
    allow_ungrounded: bool = False,
    validate_predictions: bool = True,
) -> tuple[list[tuple[Document, Document]], list[Ungrounded], list[str], list[str]]:
    """Pair each gold document (in id order) with its prediction, ground text-only spans, validate.

    Raises DocumentError listing every problem: a prediction for an unknown document (unless
    `allow_extra`), a prediction whose text differs from the gold, invalid offsets, labels or
    values, and spans whose text cannot be found (unless `allow_ungrounded`, which scores them as
    false positives and lists them in the report).
    """
    gold_ids = {document.id for document in gold}
    by_id: dict[str, Document] = {}
    problems: list[Problem] = []
    extra: list[str] = []
    for prediction in predictions:
        if prediction.id not in gold_ids:
            if allow_extra:
                extra.append(prediction.id)
            else:
                problems.append(
                    Problem("prediction for a document that is not in the gold (use --allow-extra to ignore it)", doc_id=prediction.id, field="id")
                )
            continue
        if prediction.id in by_id:
            problems.append(Problem("two predictions for the same document", doc_id=prediction.id, field="id"))
            continue
        by_id[prediction.id] = prediction
    pairs: list[tuple[Document, Document]] = []
    ungrounded: list[Ungrounded] = []
    missing: list[str] = []
    for document in sorted(gold, key=lambda d: d.id):
        found = by_id.get(document.id)
        if found is None:
            missing.append(document.id)
        prediction = found if found is not None else Document(id=document.id, text=document.text)
        if prediction.text is not None and prediction.text != document.text:
            problems.append(Problem("prediction text differs from the gold text: offsets would not line up", doc_id=document.id, field="text"))
            continue
        prediction = replace(prediction, text=document.text)
        if any(span.start is None for span in prediction.spans):
            prediction, failures = Grounder(document.text or "").ground(prediction)
            reasons = prediction.meta.get("ungrounded")  # a system that grounded its own spans says why it could not
            if isinstance(reasons, dict):
                failures = [replace(f, reason=str(reasons.get(f.span_id, f.reason))) for f in failures]
            ungrounded.extend(failures)
            if not allow_ungrounded:
                problems.extend(
                    Problem(f"cannot ground {f.text!r} in the text: {f.reason} (use --allow-ungrounded to score it as a false positive)",
                            doc_id=f.doc_id, span_id=f.span_id, field="text")
                    for f in failures
                )
        if validate_predictions:
            problems.extend(validate(prediction, schema, gold=False))
        pairs.append((document, prediction))
    if problems:
        raise DocumentError(problems)
    return pairs, ungrounded, missing, extra


# --------------------------------------------------------------------------- scoring


@paused_gc()
def score(
    gold: Sequence[Document],
    predictions: Sequence[Document],
    schema: Schema,
    *,
    options: ScoreOptions = ScoreOptions(),
    segmenter: Segmenter | None = None,
) -> ScoreResult:
    """Score predictions against gold documents (validated gold assumed; predictions checked here)."""
    # predictions are validated inside `score_document`, so that large corpora validate in parallel
    pairs, ungrounded, missing, extra = align(
        gold, predictions, schema, allow_extra=options.allow_extra, allow_ungrounded=options.allow_ungrounded,
        validate_predictions=False,
    )
    keys = score_keys(schema)
    layers = TokenLayers() if options.seqeval else None
    workers = options.workers if options.workers is not None else auto_workers(pairs)
    if workers > 1 and layers is None and len(pairs) > 1:
        documents = _score_in_processes(pairs, schema, workers, keys, segmenter or Segmenter())
    else:
        documents = score_pairs(pairs, schema, segmenter if segmenter is not None else Segmenter(), keys, layers)
    problems = [problem for document in documents for problem in document.problems]
    if problems:
        raise DocumentError(problems)
    return ScoreResult(
        schema=schema,
        documents=documents,
        keys=keys,
        token_report=seqeval_report(layers) if layers is not None else {},
        ungrounded=ungrounded,
        missing=missing,
        extra=extra,
        options=options,
        predicted=dict(Counter(span.label for _, prediction in pairs for span in prediction.spans)),
        failures=[{"doc_id": prediction.id, "error": str(prediction.meta["failure"])}
                  for _, prediction in pairs if prediction.meta.get("failure")],
    )


PARALLEL_MIN_SPANS = 20_000  # about a second of scoring; below it, starting workers costs more than it saves


def auto_workers(pairs: Sequence[tuple[Document, Document]]) -> int:
    """Worker processes for scoring `pairs` by default: every core for large inputs, else one."""
    if len(pairs) < 2:
        return 1
    return default_workers(sum(len(g.spans) + len(p.spans) for g, p in pairs), minimum_work=PARALLEL_MIN_SPANS)

@dataclass(frozen=True)
class ScoreJob:
    """What every range of a parallel scoring needs; forked workers inherit it, the documents included."""

    pairs: list[tuple[Document, Document]]
    schema: Schema
    keys: list[tuple[str, str]]
    segmenter: Segmenter


def _score_range(job: ScoreJob, bounds: tuple[int, int]) -> tuple[NDArray[Any], list[tuple[Any, ...]]]:
    """Score one range of documents in a worker; rows come back as one array (cheaper to send
    between processes than one small array per document)."""
    scores = score_pairs(job.pairs[bounds[0] : bounds[1]], job.schema, job.segmenter, job.keys)
    rows = np.stack([document.row for document in scores])
    return rows, [(d.doc_id, d.attributes, d.errors, d.problems) for d in scores]


SEGMENT_BATCH = 64  # gold texts segmented together (see Segmenter.segment_many)


def score_pairs(
    pairs: Sequence[tuple[Document, Document]],
    schema: Schema,
    segmenter: Segmenter,
    keys: list[tuple[str, str]],
    layers: TokenLayers | None = None,
) -> list[DocumentScore]:
    """`score_document` over pairs in order, segmenting the gold texts that need it in batches."""
    scores: list[DocumentScore] = []
    for first in range(0, len(pairs), SEGMENT_BATCH):
        batch = pairs[first : first + SEGMENT_BATCH]
        unsegmented = [g for g, _ in batch if g.tokens is None or g.sentences is None]
        segmentations = dict(zip(map(id, unsegmented), segmenter.segment_many([g.text or "" for g in unsegmented])))
        for g, p in batch:
            scores.append(score_document(g, p, schema, segmenter, layers, keys=keys, segmentation=segmentations.get(id(g))))
    return scores


def _score_in_processes(
    pairs: list[tuple[Document, Document]], schema: Schema, workers: int, keys: list[tuple[str, str]], segmenter: Segmenter
) -> list[DocumentScore]:
    """Score documents in forked worker processes (documents are independent); order is kept."""
    # eight jobs per worker: small enough that no worker idles long at the end, few enough that
    # the cost of each job (pickling, queues) stays small next to its work
    size = max(1, -(-len(pairs) // (workers * 8)))
    ranges = [(i, min(i + size, len(pairs))) for i in range(0, len(pairs), size)]
    job = ScoreJob(pairs=pairs, schema=schema, keys=keys, segmenter=segmenter)
    documents = []
    for rows, rest in ordered_map(_score_range, ranges, shared=job, workers=workers):
        documents += [
            DocumentScore(doc_id=doc_id, row=row, attributes=attributes, errors=errors, problems=problems)
            for row, (doc_id, attributes, errors, problems) in zip(rows, rest)
        ]
    return documents


# Canonical span order: offsets, label, then id (unique within a document), so which copy of a
# repeated span is matched never depends on the order of the input list.
_canonical = attrgetter("start", "end", "label", "id")


def _labelled(spans: list[Span]) -> list[tuple[int, int, str]]:
    return [(s.start, s.end, s.label) for s in spans]  # type: ignore[misc]


def score_document(
    gold: Document,
    pred: Document,
    schema: Schema,
    segmenter: Segmenter,
    layers: TokenLayers | None = None,
    *,
    keys: list[tuple[str, str]] | None = None,
    segmentation: Segmentation | None = None,
) -> DocumentScore:
    """All cells, attribute counts and errors of one document (problems instead, if it is invalid).

    `segmentation`: the gold text's, if already made (`score_pairs` segments texts in batches).
    """
    keys = keys or score_keys(schema)
    problems = validate(pred, schema, gold=False)
    if problems:
        return DocumentScore(doc_id=gold.id, row=np.zeros((len(keys), 4)), attributes={}, errors=[], problems=problems)
    # canonical order, so that ties in matching never depend on the order of the input lists
    gold_spans = sorted(gold.spans, key=_canonical)
    # a repeated (start, end, label) never takes part in matching: it can only be a false positive
    grounded: list[Span] = []
    duplicates: list[Span] = []
    ungrounded: list[Span] = []
    seen: set[tuple[int, int, str]] = set()
    for span in sorted((s for s in pred.spans if s.start is not None), key=_canonical):
        key = (span.start, span.end, span.label)
        (duplicates if key in seen else grounded).append(span)
        seen.add(key)  # type: ignore[arg-type]
    labels = schema.label_names
    unscored = dict.fromkeys(labels, 0)  # predictions outside the matching (duplicates, ungrounded): false positives
    ungrounded_by = dict.fromkeys(labels, 0)
    for span in pred.spans:
        if span.start is None:
            ungrounded.append(span)
            ungrounded_by[span.label] += 1
            unscored[span.label] += 1
    for span in duplicates:
        unscored[span.label] += 1
    gold_by: dict[str, list[int]] = {label: [] for label in labels}
    pred_by: dict[str, list[int]] = {label: [] for label in labels}
    for index, span in enumerate(gold_spans):
        gold_by.setdefault(span.label, []).append(index)
    for index, span in enumerate(grounded):
        pred_by[span.label].append(index)
    g_lab, p_lab = _labelled(gold_spans), _labelled(grounded)
    spans = DocumentSpans(labels=labels, gold=g_lab, pred=p_lab, gold_by=gold_by, pred_by=pred_by, unscored=unscored,
                          ungrounded=ungrounded_by)
    at = _key_offsets(tuple(keys))
    row = [0.0] * (4 * len(keys))
    for mode in SPAN_MODE_REGISTRY.values():
        for label, sums in mode.sums(spans):
            o = at[(mode.name, label)]
            row[o : o + 4] = sums
    strict, exact, overlap = spans.strict, spans.exact, spans.overlap

    for label, (tp, n_pred, n_gold) in document_cells(gold, pred, labels, segmenter, layers=layers, segmentation=segmentation).items():
        o = at[("tokens", label)]
        row[o : o + 4] = tp, n_pred, tp, n_gold
    cells: list[tuple[tuple[str, str], Cell]] = []

    alignment = {(gold_spans[g].id, grounded[p].id) for g, p in overlap}
    relations = DocumentRelations(gold, pred, schema)
    relation_errors: list[dict[str, Any]] = []
    for relation in schema.relation_names:
        cell, missed, spurious = relations.cell(relation, alignment)
        cells.append((("relations", relation), cell))
        relation_errors += [{"doc_id": gold.id, "kind": "missed_relation", "label": relation, "head": h, "tail": t} for h, t in missed]
        relation_errors += [{"doc_id": gold.id, "kind": "spurious_relation", "label": relation, "head": h, "tail": t} for h, t in spurious]
    cells.append(((QUOTED, "sources"), relations.quoted(gold, pred, schema)))
    for score_key, cell in cells:
        place = at.get(score_key)
        if place is not None:
            row[place : place + 4] = cell.p_num, cell.p_den, cell.r_num, cell.r_den

    attributes, attribute_errors = _attribute_counts(gold_spans, grounded, overlap, schema, gold)
    errors = _span_errors(gold, gold_spans, grounded, strict, exact, overlap) + attribute_errors + relation_errors
    errors += [
        {"doc_id": gold.id, "kind": "duplicate", "label": s.label, "gold": None, "pred": _span_view(s, gold.text)} for s in duplicates
    ]
    errors += [
        {"doc_id": gold.id, "kind": "ungrounded", "label": s.label, "gold": None, "pred": {"id": s.id, "text": s.text}}
        for s in ungrounded
    ]
    return DocumentScore(doc_id=gold.id, row=np.array(row, dtype=np.float64).reshape(len(keys), 4), attributes=attributes, errors=errors)


@lru_cache(maxsize=8)
def _key_offsets(keys: tuple[tuple[str, str], ...]) -> dict[tuple[str, str], int]:
    """Where each score's 4 sums start in a document's flat row."""
    return {key: 4 * index for index, key in enumerate(keys)}


def _attribute_counts(
    gold: list[Span], pred: list[Span], overlap: list[tuple[int, int]], schema: Schema, document: Document,
) -> tuple[dict[tuple[str, str], tuple[int, int]], list[dict[str, Any]]]:
    """(correct, compared) per (label, attribute) over the overlap-matched pairs with a gold value, and
    a `wrong_attribute` error for every compared value that is wrong or missing."""
    counts: dict[tuple[str, str], list[int]] = {}
    errors: list[dict[str, Any]] = []
    labels = schema.labels_by_name
    text = document.text or ""
    for g, p in overlap:
        gold_span, pred_span = gold[g], pred[p]
        allowed = labels[gold_span.label].allowed_values
        for name, expected in gold_span.attrs.items():
            if name not in allowed:
                continue
            entry = counts.setdefault((gold_span.label, name), [0, 0])
            entry[1] += 1
            predicted = pred_span.attrs.get(name)
            if predicted is None:
                right = False
            elif allowed[name] is None:  # free text: compared like entity names
                right = normalise_entity(predicted) == normalise_entity(expected)
            else:
                right = predicted == expected
            entry[0] += right
            if not right:
                errors.append({"doc_id": document.id, "kind": "wrong_attribute", "label": gold_span.label, "attribute": name,
                               "expected": expected, "predicted": predicted,
                               "gold": dict(_span_view(gold_span), text=text[gold_span.start:gold_span.end]),
                               "pred": dict(_span_view(pred_span), text=text[pred_span.start:pred_span.end])})
    return {key: (value[0], value[1]) for key, value in counts.items()}, errors


def _span_view(span: Span, text: str | None = None) -> dict[str, Any]:
    """A span in the error list, with the text it covers when the span does not repeat it."""
    covered = span.text
    if covered is None and text is not None and span.start is not None and span.end is not None:
        covered = text[span.start : span.end]
    return {"id": span.id, "label": span.label, "start": span.start, "end": span.end, "text": covered}


def _span_errors(
    document: Document,
    gold: list[Span],
    pred: list[Span],
    strict: list[tuple[int, int]],
    exact: list[tuple[int, int]],
    overlap: list[tuple[int, int]],
) -> list[dict[str, Any]]:
    """Missed, spurious, wrong-boundary and wrong-label errors, in text order."""
    text = document.text or ""
    strict_gold = {g for g, _ in strict}
    strict_pred = {p for _, p in strict}
    boundary = [(g, p) for g, p in overlap if g not in strict_gold and p not in strict_pred]
    label_errors = [(g, p) for g, p in exact if gold[g].label != pred[p].label]
    seen_gold = strict_gold | {g for g, _ in boundary} | {g for g, _ in label_errors}
    seen_pred = strict_pred | {p for _, p in boundary} | {p for _, p in label_errors}
    errors: list[dict[str, Any]] = []

    def view(span: Span) -> dict[str, Any]:
        data = _span_view(span)
        data["text"] = text[span.start : span.end]
        return data

    for g, p in boundary:
        errors.append({"doc_id": document.id, "kind": "wrong_boundary", "label": gold[g].label, "gold": view(gold[g]), "pred": view(pred[p])})
    for g, p in label_errors:
        errors.append({"doc_id": document.id, "kind": "wrong_label", "label": gold[g].label, "gold": view(gold[g]), "pred": view(pred[p])})
    for g, span in enumerate(gold):
        if g not in seen_gold:
            errors.append({"doc_id": document.id, "kind": "missed", "label": span.label, "gold": view(span), "pred": None})
    for p, span in enumerate(pred):
        if p not in seen_pred:
            errors.append({"doc_id": document.id, "kind": "spurious", "label": span.label, "gold": None, "pred": view(span)})
    errors.sort(key=lambda e: ((e["gold"] or e["pred"])["start"], e["kind"], e["label"], (e["gold"] or {}).get("id", ""), (e["pred"] or {}).get("id", "")))
    return errors


# --------------------------------------------------------------------------- comparison


MIN_COMPARED_DOCUMENTS = 10  # below this, paired tests over documents say little (warned, not refused)


def compare(a: ScoreResult, b: ScoreResult) -> dict[str, Any]:
    """Paired bootstrap and approximate randomization between two systems scored on the same gold."""
    if [d.doc_id for d in a.documents] != [d.doc_id for d in b.documents] or a.keys != b.keys:
        raise ValueError("both results must be scored on the same gold documents")
    options = a.options
    per_a, per_b = a.per_doc_array(), b.per_doc_array()
    results = paired_tests(per_a, per_b, samples=options.samples, seed=options.seed, confidence=options.confidence)
    rows: dict[str, Any] = {}
    for (block, name), result in zip(a.keys, results):
        rows.setdefault(block, {})[name] = {
            "f1_a": a.total_cell((block, name)).scores()["f1"],
            "f1_b": b.total_cell((block, name)).scores()["f1"],
            **result.to_dict(),
        }
    for block, names in a.blocks():
        columns = [a.keys.index((block, name)) for name in names]
        [micro] = paired_tests(
            per_a[:, columns, :].sum(axis=1, keepdims=True),
            per_b[:, columns, :].sum(axis=1, keepdims=True),
            samples=options.samples,
            seed=options.seed,
            confidence=options.confidence,
        )
        rows[block]["micro"] = {
            "f1_a": total(a.total_cell((block, n)) for n in names).scores()["f1"],
            "f1_b": total(b.total_cell((block, n)) for n in names).scores()["f1"],
            **micro.to_dict(),
        }
    warnings = []
    if len(a.documents) < MIN_COMPARED_DOCUMENTS:
        warnings.append(
            f"only {len(a.documents)} document(s): the tests resample whole documents, so with fewer than "
            f"{MIN_COMPARED_DOCUMENTS} they cannot tell systems apart reliably (approximate randomization has "
            f"{2 ** len(a.documents)} distinct shuffles, so its p-value is at least {1 / 2 ** len(a.documents):.3g}; "
            "the bootstrap's is too optimistic)"
        )
    return {
        "newsgold_version": __version__,
        "schema_version": a.schema.version,
        "inputs": {"a": a.inputs, "b": b.inputs},
        "documents": len(a.documents),
        "warnings": warnings,
        "tests": rows,
        "bootstrap": {"samples": options.samples, "seed": options.seed, "confidence": options.confidence},
    }
