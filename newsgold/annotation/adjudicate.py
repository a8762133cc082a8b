"""Adjudication: one gold document per task from its annotations.

Each annotator counts once, with their latest annotation of the task. Rule, in order:
(1) the annotation flagged ground truth in Label Studio (the latest if several); (2) the only
annotator's annotation; (3) a majority merge: a span (same start, end, label) is kept when more
than half of the annotators have it, each attribute takes the value more than half of those
spans agree on, and a relation is kept when more than half of the annotators link the same two
spans. What has no majority is listed as a disagreement.

A task is unresolved, and nothing is written for it, when an annotation that would count is
invalid (unless `drop_invalid`: then it is left out and the gold says so), or when the merged
document is not valid gold (e.g. a required attribute without a majority); it is settled by
fixing the annotation or marking a ground-truth annotation in Label Studio.

Gold `meta` records how it was decided (`adjudication`: rule, annotation ids, pseudonymous
annotators), never one annotator's fields as if the merge were theirs.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Collection, Sequence

from newsgold.annotation.pull import Annotation, annotation_order, latest_by_annotator
from newsgold.model.document import Document, Relation, Span
from newsgold.model.schema import Schema
from newsgold.model.validation import validate


@dataclass
class Adjudication:
    """Gold documents, how each was decided, and what could not be resolved."""

    gold: list[Document] = field(default_factory=list)
    rule: dict[str, str] = field(default_factory=dict)
    disagreements: dict[str, list[str]] = field(default_factory=dict)
    unresolved: dict[str, list[str]] = field(default_factory=dict)


def adjudicate(
    annotations: Sequence[Annotation],
    schema: Schema,
    *,
    invalid: Collection[int] = (),
    drop_invalid: bool = False,
    tool: str = "Label Studio",
) -> Adjudication:
    """Apply the module's rule to every document that has annotations; `invalid` are annotation ids with problems."""
    by_doc: dict[str, list[Annotation]] = defaultdict(list)
    for annotation in annotations:
        by_doc[annotation.document.id].append(annotation)
    outcome = Adjudication()
    for doc_id in sorted(by_doc):
        decided = _decide(by_doc[doc_id], set(invalid), drop_invalid)
        if isinstance(decided, list):
            outcome.unresolved[doc_id] = decided
            continue
        chosen, used, rule, notes, dropped = decided
        provenance: dict[str, Any] = {
            "rule": rule,
            "annotations": [a.annotation_id for a in used],
            "annotators": [a.annotator for a in used],
        }
        if dropped:
            provenance["dropped_invalid"] = [a.annotation_id for a in dropped]
        gold = Document(
            id=doc_id,
            text=chosen.text,
            meta={**chosen.meta, "schema_version": schema.version, "guidelines_version": schema.guidelines_version,
                  "annotators": sorted({a.annotator for a in used}),
                  "annotation_tool": tool, "adjudication": provenance},
            spans=chosen.spans,
            relations=chosen.relations,
        )
        if notes:
            outcome.disagreements[doc_id] = notes
        problems = validate(gold, schema)
        if problems:
            outcome.unresolved[doc_id] = [str(p) for p in problems]
            continue
        outcome.gold.append(gold)
        ids = ", ".join(str(a.annotation_id) for a in used)
        outcome.rule[doc_id] = {
            "ground_truth": f"ground truth (annotation {ids})",
            "single": f"single annotator ({used[0].annotator}, annotation {ids})",
            "majority": f"majority of {len(used)} annotators (annotations {ids})",
        }[rule] + (f"; invalid annotation(s) {', '.join(str(a.annotation_id) for a in dropped)} left out" if dropped else "")
    return outcome


def _decide(
    group: Sequence[Annotation], invalid: set[int], drop_invalid: bool
) -> list[str] | tuple[Document, list[Annotation], str, list[str], list[Annotation]]:
    """(document, annotations used, rule, disagreements, invalid ones left out), or the reasons it is unresolved."""
    truths = sorted((a for a in group if a.ground_truth), key=annotation_order)
    if truths:
        truth = truths[-1]
        if truth.annotation_id in invalid:
            return [f"the ground-truth annotation {truth.annotation_id} ({truth.annotator}) has problems (listed above)"]
        return truth.document, [truth], "ground_truth", [], []
    # one document's annotations: each annotator's latest one, oldest first
    counted = sorted((latest for docs in latest_by_annotator(group).values() for latest in docs.values()), key=annotation_order)
    bad = [a for a in counted if a.annotation_id in invalid]
    if bad and not drop_invalid:
        return [
            f"annotation {a.annotation_id} ({a.annotator}) has problems (listed above): fix it in Label Studio, "
            "mark a ground-truth annotation, or pull with --drop-invalid to decide from the others"
            for a in bad
        ]
    counted = [a for a in counted if a.annotation_id not in invalid]
    if not counted:
        return ["no valid annotation left"]
    if len(counted) == 1:
        return counted[0].document, counted, "single", [], bad
    merged, notes = majority_merge([a.document for a in counted])
    return merged, counted, "majority", notes, bad


def majority_merge(documents: Sequence[Document]) -> tuple[Document, list[str]]:
    """Spans, attributes and relations that more than half of the documents agree on."""
    needed = len(documents) // 2 + 1
    notes: list[str] = []
    span_votes: Counter[tuple[str, int, int]] = Counter()
    attr_votes: dict[tuple[str, int, int], dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    relation_votes: Counter[tuple[str, tuple[str, int, int], tuple[str, int, int]]] = Counter()
    for document in documents:
        keys = {s.id: (s.label, s.start, s.end) for s in document.spans}
        for span in document.spans:
            key = keys[span.id]
            span_votes[key] += 1  # type: ignore[index]
            for name, value in span.attrs.items():
                attr_votes[key][name][value] += 1  # type: ignore[index]
        for relation in document.relations:
            if relation.head in keys and relation.tail in keys:
                relation_votes[(relation.label, keys[relation.head], keys[relation.tail])] += 1  # type: ignore[index]
    spans: list[Span] = []
    ids: dict[tuple[str, int, int], str] = {}
    text = documents[0].text or ""
    for key in sorted(span_votes, key=lambda k: (k[1], k[2], k[0])):
        label, start, end = key
        if span_votes[key] < needed:
            notes.append(f"{label} {start}:{end} {text[start:end]!r}: marked by {span_votes[key]} of {len(documents)}")
            continue
        attrs = {}
        for name, counts in attr_votes[key].items():
            value, votes = counts.most_common(1)[0]
            if votes >= needed:
                attrs[name] = value
            else:
                notes.append(f"{label} {start}:{end} attribute {name}: {dict(counts)}")
        ids[key] = f"T{len(spans) + 1}"
        spans.append(Span(id=ids[key], label=label, start=start, end=end, text=text[start:end], attrs=attrs))
    relations = []
    for (label, head, tail), votes in sorted(relation_votes.items()):
        if votes >= needed and head in ids and tail in ids:
            relations.append(Relation(label=label, head=ids[head], tail=ids[tail]))
        else:
            notes.append(f"relation {label} {head[1]}:{head[2]} -> {tail[1]}:{tail[2]}: linked by {votes} of {len(documents)}")
    return Document(id=documents[0].id, text=documents[0].text, meta=dict(documents[0].meta), spans=spans, relations=relations), notes
