"""Schema rules for documents: every problem, with its place, never just the first (files: newsgold.io.documents).

Gold files are checked strictly. Predictions (`gold=False`) may leave out the document text,
give spans by `text` alone and overlap spans of one label; their attributes are optional, but
any value they give must be in the schema.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Iterable

from newsgold.model.document import Document, Span, text_sha256
from newsgold.model.problems import Problem
from newsgold.model.schema import Schema

DOC_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def validate(document: Document, schema: Schema, *, gold: bool = True, complete: bool | None = None) -> list[Problem]:
    """Every schema problem of one document (empty list when it is valid).

    `complete` (default: `gold`) requires every required attribute; agreement turns it off to
    compare annotations imported from corpora that have no such attributes (PolNeAR).
    """
    complete = gold if complete is None else complete
    problems: list[Problem] = []
    doc_id = document.id

    def report(message: str, *, span: str | None = None, relation: int | None = None, field: str | None = None) -> None:
        problems.append(Problem(message, doc_id=doc_id, span_id=span, relation=relation, field=field))

    if not DOC_ID_PATTERN.match(doc_id):
        report("id may hold only letters, digits, '.', '_' and '-' and must start with a letter or digit", field="id")
    text = document.text
    if text is None and gold:
        report("missing document text", field="text")
    sha = document.meta.get("sha256")
    if text is not None and sha is not None and sha != text_sha256(text):
        report(f"sha256 {sha!r} does not match the text (its sha256 is {text_sha256(text)!r})", field="meta.sha256")

    seen_ids: set[str] = set()
    labels_by_id: dict[str, str] = {}
    for span in document.spans:
        if span.id in seen_ids:
            report("duplicate span id", span=span.id, field="id")
            continue
        seen_ids.add(span.id)
        labels_by_id[span.id] = span.label
        _check_span(span, text, schema, gold, complete, lambda message, field: report(message, span=span.id, field=field))

    if gold:  # systems may predict overlapping or crossing spans; the scorer handles them
        _check_overlaps(document.spans, report)
        _check_crossing(document.spans, report)
    _check_relations(document, schema, labels_by_id, report)
    if text is not None:
        for name in ("sentences", "tokens"):
            pairs = getattr(document, name)
            if pairs is not None:
                _check_pairs(pairs, text, name, report)
    return problems


def _check_span(span: Span, text: str | None, schema: Schema, gold: bool, complete: bool, report) -> None:  # type: ignore[no-untyped-def]
    label = schema.labels_by_name.get(span.label)
    if label is None:
        report(f"unknown label {span.label!r} (labels: {', '.join(schema.label_names)})", "label")

    start, end = span.start, span.end
    if start is None or end is None:
        if gold:
            report("gold spans need start and end offsets", "start")
    elif start < 0:
        report(f"start {start} is negative", "start")
    elif end <= start:
        what = "empty" if end == start else "inverted"
        report(f"{what} span: end {end} is not after start {start}", "end")
    elif text is not None and end > len(text):
        report(f"end {end} is past the end of the text (length {len(text)})", "end")
    elif text is not None:
        if text[start].isspace():
            report(f"span starts on whitespace ({text[start]!r} at {start})", "start")
        if text[end - 1].isspace():
            report(f"span ends on whitespace ({text[end - 1]!r} at {end - 1})", "end")
        if span.text is not None and (len(span.text) != end - start or not text.startswith(span.text, start)):
            report(f"text {span.text!r} does not equal the document text at {start}:{end} ({text[start:end]!r})", "text")
    if start is None and span.text is not None and not span.text.strip():
        report("text is empty", "text")

    if label is None:
        return
    allowed = label.allowed_values
    for name, value in span.attrs.items():
        if name not in allowed:
            names = ", ".join(label.attribute_names) or "none"
            report(f"unknown attribute {name!r} for {label.name} (attributes: {names})", f"attrs.{name}")
            continue
        values = allowed[name]
        if values is None:
            if not value.strip():
                report(f"{label.name}.{name} is empty", f"attrs.{name}")
        elif value not in values:
            choices = ", ".join(label.attribute(name).value_names)
            report(f"{value!r} is not a value of {label.name}.{name} (values: {choices})", f"attrs.{name}")
    if complete and not label.required_names <= span.attrs.keys():
        for attribute in label.attributes:
            if attribute.required and attribute.name not in span.attrs:
                report(f"missing required attribute {label.name}.{attribute.name}", f"attrs.{attribute.name}")


def _check_overlaps(spans: Iterable[Span], report) -> None:  # type: ignore[no-untyped-def]
    """Spans of the same label never overlap; each overlapping pair is reported once."""
    by_label: dict[str, list[Span]] = defaultdict(list)
    for span in spans:
        if span.start is not None and span.end is not None and span.end > span.start:
            by_label[span.label].append(span)
    for label, group in by_label.items():
        group.sort(key=lambda s: (s.start, s.end, s.id))
        open_spans: list[Span] = []
        for span in group:
            open_spans = [other for other in open_spans if other.end > span.start]  # type: ignore[operator]
            for other in open_spans:
                report(
                    f"overlaps {label} span {other.id!r} ({other.start}:{other.end}); spans of one label must not overlap",
                    span=span.id,
                    field="start",
                )
            open_spans.append(span)


def _check_crossing(spans: Iterable[Span], report) -> None:  # type: ignore[no-untyped-def]
    """Spans of different labels nest or are disjoint, never cross (guidelines v2, rule 1.4).

    Same-label overlaps are `_check_overlaps`'s; each crossing pair is reported once, at the span
    that starts later.
    """
    placed = sorted(
        (s for s in spans if s.start is not None and s.end is not None and s.end > s.start),
        key=lambda s: (s.start, -s.end, s.id),  # type: ignore[operator]
    )
    open_spans: list[Span] = []
    for span in placed:
        open_spans = [other for other in open_spans if other.end > span.start]  # type: ignore[operator]
        for other in open_spans:
            if other.label != span.label and other.start < span.start and other.end < span.end:  # type: ignore[operator]
                report(
                    f"crosses {other.label} span {other.id!r} ({other.start}:{other.end}): spans of different labels "
                    "may nest but not cross",
                    span=span.id,
                    field="start",
                )
        open_spans.append(span)


def _check_relations(document: Document, schema: Schema, labels_by_id: dict[str, str], report) -> None:  # type: ignore[no-untyped-def]
    seen: set[tuple[str, str, str]] = set()
    for index, relation in enumerate(document.relations):
        if relation.label not in schema.relation_names:
            report(f"unknown relation {relation.label!r} (relations: {', '.join(schema.relation_names)})", relation=index, field="label")
            continue
        kind = schema.relation(relation.label)
        key = (relation.label, relation.head, relation.tail)
        if key in seen:
            report("duplicate relation", relation=index, field="label")
        seen.add(key)
        if relation.head == relation.tail:
            report("a relation cannot link a span to itself", relation=index, field="tail")
        for end, allowed in (("head", kind.head), ("tail", kind.tail)):
            span_id = getattr(relation, end)
            if span_id not in labels_by_id:
                report(f"{end} {span_id!r} is not a span of this document", relation=index, field=end)
            elif labels_by_id[span_id] not in allowed:
                report(
                    f"{relation.label} {end} must be a {' or '.join(allowed)} span, "
                    f"but {span_id!r} is {labels_by_id[span_id]}",
                    relation=index,
                    field=end,
                )


def _check_pairs(pairs: list[tuple[int, int]], text: str, name: str, report) -> None:  # type: ignore[no-untyped-def]
    previous_end = 0
    for index, (start, end) in enumerate(pairs):
        where = f"{name}[{index}]"
        if not 0 <= start < end <= len(text):
            report(f"offsets {start}:{end} are out of range or empty (text length {len(text)})", field=where)
        elif start < previous_end:
            report(f"offsets {start}:{end} overlap or precede the previous entry", field=where)
        elif not text[start:end].strip():
            report(f"offsets {start}:{end} cover only whitespace", field=where)
        else:
            previous_end = end
