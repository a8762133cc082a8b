"""Adjudication: one gold document per task from its annotations.

Rule, in order: (1) the annotation flagged ground truth in Label Studio (the latest if several);
(2) the only annotation; (3) a majority merge: a span (same start, end, label) is kept when more
than half of the annotations have it, each attribute takes the value more than half of those
spans agree on, and a relation is kept when more than half of the annotations link the same two
spans. What has no majority is listed as a disagreement; a merged document that is not valid gold
(e.g. a required attribute without a majority) is not written and is listed as unresolved, to be
settled by marking a ground-truth annotation in Label Studio.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Sequence

from newsgold.annotation.pull import Annotation
from newsgold.document import Document, Relation, Span
from newsgold.schema import Schema
from newsgold.validation import validate


@dataclass
class Adjudication:
    """Gold documents, how each was decided, and what could not be resolved."""

    gold: list[Document] = field(default_factory=list)
    rule: dict[str, str] = field(default_factory=dict)
    disagreements: dict[str, list[str]] = field(default_factory=dict)
    unresolved: dict[str, list[str]] = field(default_factory=dict)


def adjudicate(annotations: Sequence[Annotation], schema: Schema, *, tool: str = "Label Studio") -> Adjudication:
    """Apply the module's rule to every document that has annotations."""
    by_doc: dict[str, list[Annotation]] = defaultdict(list)
    for annotation in annotations:
        by_doc[annotation.document.id].append(annotation)
    outcome = Adjudication()
    for doc_id in sorted(by_doc):
        group = sorted(by_doc[doc_id], key=lambda a: (a.updated_at, a.annotation_id))
        truths = [a for a in group if a.ground_truth]
        if truths:
            chosen, rule, notes = truths[-1].document, f"ground truth (annotation {truths[-1].annotation_id})", []
        elif len(group) == 1:
            chosen, rule, notes = group[0].document, f"single annotation ({group[0].annotation_id})", []
        else:
            chosen, notes = majority_merge([a.document for a in group])
            rule = f"majority of {len(group)} annotations"
        gold = Document(
            id=doc_id,
            text=chosen.text,
            meta={**chosen.meta, "schema_version": schema.version, "annotators": sorted({a.annotator for a in group}),
                  "annotation_tool": tool, "adjudication": rule},
            spans=chosen.spans,
            relations=chosen.relations,
        )
        problems = validate(gold, schema)
        if notes:
            outcome.disagreements[doc_id] = notes
        if problems:
            outcome.unresolved[doc_id] = [str(p) for p in problems]
            continue
        outcome.gold.append(gold)
        outcome.rule[doc_id] = rule
    return outcome


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
