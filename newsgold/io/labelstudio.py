"""Label Studio region results <-> newsgold spans, attributes and relations.

One annotation (or prediction) of a task is a list of results: `labels` regions with offsets,
per-region `choices` and `textarea` results that reuse the region's id, and `relation` results
between region ids. Span text is always recomputed from the task text, never trusted.
"""

from __future__ import annotations

from typing import Any, Sequence

from newsgold.io.labelstudio_naming import (
    DOC_ID_FIELD,
    LABELS_NAME,
    SHA_FIELD,
    TEXT_NAME,
    attribute_control,
    parse_attribute_control,
)
from newsgold.model.document import Document, Relation, Span, text_sha256
from newsgold.model.problems import Problem
from newsgold.model.schema import Schema


def results_to_document(
    doc_id: str, text: str, results: Sequence[Any], schema: Schema, *, where: str
) -> tuple[Document, list[Problem]]:
    """Convert one annotation's results; `where` names it in problems (task and annotation id)."""
    problems: list[Problem] = []

    def problem(message: str, region: str | None = None, field: str | None = None) -> None:
        problems.append(Problem(f"{where}: {message}", doc_id=doc_id, span_id=region, field=field))

    spans: dict[str, Span] = {}
    attributes: list[tuple[str, str, str, Any]] = []
    relations: list[Relation] = []
    for index, result in enumerate(results):
        if not isinstance(result, dict):
            problem(f"result #{index} is not an object")
            continue
        kind = result.get("type")
        region = result.get("id")
        value = result.get("value") or {}
        if kind == "relation":
            labels = result.get("labels") or []
            head, tail = result.get("from_id"), result.get("to_id")
            if result.get("direction") == "left":
                head, tail = tail, head
            if not labels:
                problem(f"relation {head}→{tail} has no relation label", field="labels")
                continue
            if len(labels) > 1:
                problem(f"relation {head}→{tail} has {len(labels)} labels {labels!r}; a relation takes exactly one", field="labels")
                continue
            label = labels[0]
            relations.append(Relation(label=str(label), head=str(head), tail=str(tail)))
            continue
        if not isinstance(region, str) or not region:
            problem(f"result #{index} has no region id", field="id")
            continue
        if kind == "labels":
            labels = value.get("labels") or []
            start, end = value.get("start"), value.get("end")
            if len(labels) != 1:
                problem(f"a region needs exactly one label, got {labels!r}", region, "labels")
                continue
            if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start < end <= len(text):
                problem(f"offsets {start!r}:{end!r} are outside the task text (length {len(text)})", region, "start")
                continue
            given = value.get("text")
            if isinstance(given, str) and given != text[start:end]:
                problem(f"region text {given!r} disagrees with the task text at {start}:{end} ({text[start:end]!r})", region, "text")
            if region in spans:
                problem("two label results share one region id", region, "id")
                continue
            spans[region] = Span(id=region, label=str(labels[0]), start=start, end=end, text=text[start:end])
        elif kind in ("choices", "textarea"):
            attributes.append((region, kind, str(result.get("from_name", "")), value))
        # other result types (ratings, global choices) carry nothing newsgold stores

    for region, kind, control, value in attributes:
        parsed = parse_attribute_control(control)
        if region not in spans:
            problem(f"{kind} result of {control!r} refers to a region that has no label result", region, "id")
            continue
        if parsed is None or parsed[0] != spans[region].label:
            problem(f"control {control!r} does not belong to a {spans[region].label} region", region, control)
            continue
        if kind == "choices":
            choices = value.get("choices") or []
            if len(choices) != 1:
                problem(f"expected one choice, got {choices!r}", region, f"attrs.{parsed[1]}")
                continue
            spans[region].attrs[parsed[1]] = str(choices[0])
        else:
            texts = value.get("text") or []
            texts = [texts] if isinstance(texts, str) else texts
            joined = " ".join(str(t).strip() for t in texts if str(t).strip())
            if joined:
                spans[region].attrs[parsed[1]] = joined

    for relation in relations:
        for end_name in ("head", "tail"):
            if getattr(relation, end_name) not in spans:
                problem(f"relation {relation.label} refers to missing region {getattr(relation, end_name)!r}", field=end_name)
    valid_relations = [r for r in relations if r.head in spans and r.tail in spans]
    ordered = sorted(spans.values(), key=lambda s: (s.start, s.end, s.label, s.id))
    return Document(id=doc_id, text=text, spans=ordered, relations=valid_relations), problems


def document_to_results(document: Document, schema: Schema) -> list[dict[str, Any]]:
    """Label Studio results for a document's spans, attributes and relations (for predictions)."""
    text = document.text or ""
    results: list[dict[str, Any]] = []
    for span in document.spans:
        if span.start is None or span.end is None:
            continue
        region = {"start": span.start, "end": span.end, "text": text[span.start : span.end]}
        results.append(
            {"id": span.id, "from_name": LABELS_NAME, "to_name": TEXT_NAME, "type": "labels",
             "value": {**region, "labels": [span.label]}}
        )
        if span.label not in schema.label_names:
            continue
        for attribute in schema.label(span.label).attributes:
            value = span.attrs.get(attribute.name)
            if value is None:
                continue
            control = attribute_control(span.label, attribute.name)
            if attribute.kind == "choice":
                payload = {**region, "choices": [value]}
                kind = "choices"
            else:
                payload = {**region, "text": [value]}
                kind = "textarea"
            results.append({"id": span.id, "from_name": control, "to_name": TEXT_NAME, "type": kind, "value": payload})
    for relation in document.relations:
        results.append(
            {"from_id": relation.head, "to_id": relation.tail, "type": "relation", "direction": "right",
             "labels": [relation.label]}
        )
    return results


def task_document(task: Any, index: int, *, source: str) -> tuple[int | str, str, str] | Problem:
    """(task id, document id, text) of one exported task, or the problem that makes it unusable.

    The one check of an exported task, shared by `annotate pull` and the predictions reader: a
    data object with the text and the newsgold document id, and the text still the one whose
    sha256 the task recorded (offsets would point elsewhere otherwise).
    """
    if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
        return Problem(f"task #{index} has no data object", path=source, field=f"[{index}].data")
    task_id = task.get("id", index)
    data = task["data"]
    text, doc_id = data.get(TEXT_NAME), data.get(DOC_ID_FIELD)
    if not isinstance(text, str) or not isinstance(doc_id, str) or not doc_id:
        return Problem(f"task {task_id}: data needs {TEXT_NAME!r} and {DOC_ID_FIELD!r} (the newsgold document id)",
                       path=source, field=f"[{index}].data")
    if data.get(SHA_FIELD) not in (None, text_sha256(text)):
        return Problem(f"task {task_id}: text does not match its recorded sha256", path=source, doc_id=doc_id, field="text")
    return task_id, doc_id, text


def documents_to_tasks(documents: Sequence[Document], schema: Schema) -> list[dict[str, Any]]:
    """A Label Studio JSON import/export with each document's spans, attributes and relations as one
    annotation (for importing by hand): `data` holds the text, the document id and the text's hash,
    `meta` the document meta."""
    tasks = []
    for document in documents:
        text = document.text or ""
        tasks.append({
            "data": {TEXT_NAME: text, DOC_ID_FIELD: document.id, SHA_FIELD: text_sha256(text)},
            "meta": dict(document.meta),
            "annotations": [{"result": document_to_results(document, schema), "was_cancelled": False, "ground_truth": False}],
        })
    return tasks
