"""`annotate pull`: export through a snapshot, convert every annotation, adjudicate, write gold.

Conversion recomputes span text from the task text, drops cancelled annotations, and reports
every problem with its task and annotation id. Per-annotator files are always written (raw);
gold is written per document by `adjudicate`, and a gold file that exists and differs is only
overwritten with `force` — otherwise the difference is summarised and the file kept.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Sequence

from newsgold.annotation.client import Connection, translated
from newsgold.io.documents import atomic_write_text, document_json, read_documents, write_documents
from newsgold.io.labelstudio import results_to_document, task_document
from newsgold.model.document import Document
from newsgold.model.errors import SyncError
from newsgold.model.problems import Problem
from newsgold.model.schema import Schema
from newsgold.model.validation import validate

EXPORT_POLL_SECONDS = 0.5
EXPORT_TIMEOUT_SECONDS = 600


@dataclass
class Annotation:
    """One non-cancelled annotation, converted."""

    document: Document
    annotator: str
    annotation_id: int
    task_id: int
    ground_truth: bool
    updated_at: str


@dataclass
class Conversion:
    """All annotations of an export, with the problems found and the cancelled count."""

    annotations: list[Annotation] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    cancelled: int = 0
    tasks: int = 0
    invalid: set[int] = field(default_factory=set)  # ids of annotations with a problem
    emails: dict[str, str] = field(default_factory=dict)  # pseudonym -> e-mail, for the local map only


def export_snapshot(connection: Connection, project_id: int) -> list[dict[str, Any]]:
    """The project's annotated tasks as JSON, through an export snapshot (all annotation kinds)."""
    with translated("exporting annotations", url=connection.url):
        exports = connection.client.projects.exports
        snapshot = exports.create(
            project_id,
            title=f"newsgold pull {time.strftime('%Y-%m-%dT%H:%M:%S')}",
            task_filter_options={"only_with_annotations": True},
            annotation_filter_options={"usual": True, "ground_truth": True, "skipped": True},
            serialization_options={"annotations__completed_by": {"only_id": False}, "predictions": {"only_id": True}},
        )
        deadline = time.monotonic() + EXPORT_TIMEOUT_SECONDS
        status = snapshot.status
        while status not in ("completed", "failed"):
            if time.monotonic() > deadline:
                raise SyncError(f"export snapshot {snapshot.id} did not complete in {EXPORT_TIMEOUT_SECONDS} s")
            time.sleep(EXPORT_POLL_SECONDS)
            status = exports.get(project_id, snapshot.id).status
        if status == "failed":
            raise SyncError(f"Label Studio failed to build export snapshot {snapshot.id}")
        raw = b"".join(exports.download(project_id, snapshot.id, export_type="JSON"))
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise SyncError(f"the export of project {project_id} is not JSON: {exc}") from exc
    return data


def _annotator(annotation: dict[str, Any]) -> tuple[str, str | None]:
    """(pseudonym, e-mail) of who completed an annotation.

    The pseudonym `annotator-<user id>` is the same whether the export came through the API
    (`completed_by` is a user object) or a file exported in the browser (a bare user id); the
    e-mail, when the export has it, goes only into the local pseudonym map, never into gold.
    """
    who = annotation.get("completed_by")
    user_id = who.get("id") if isinstance(who, dict) else who
    email = who.get("email") if isinstance(who, dict) else None
    if isinstance(user_id, int) or (isinstance(user_id, str) and user_id.isdigit()):
        return f"annotator-{int(user_id)}", email if isinstance(email, str) and email else None
    return "annotator-unknown", None


PSEUDONYM_FILE = "annotators.json"


def record_pseudonyms(conversion: Conversion, data_dir: Path) -> Path | None:
    """Add the pseudonym -> e-mail pairs of an export to the local, git-ignored map (mode 0600)."""
    return remember_pseudonyms(conversion.emails, data_dir) if conversion.emails else None


def remember_pseudonyms(pairs: dict[str, str], data_dir: Path) -> Path:
    """Merge pseudonym -> e-mail pairs into the local map (`annotators.json`, 0600, git-ignored)."""
    path = data_dir / PSEUDONYM_FILE
    try:
        known = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except (OSError, ValueError) as exc:
        raise SyncError(f"cannot read the pseudonym map: {exc}", path=path) from exc
    merged = {**(known if isinstance(known, dict) else {}), **pairs}
    if merged != known:
        data_dir.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, json.dumps(dict(sorted(merged.items())), indent=2) + "\n", mode=0o600)
    return path


def convert_export(tasks: Any, schema: Schema, *, source: str = "export") -> Conversion:
    """Convert a Label Studio JSON export into annotations, collecting every problem."""
    result = Conversion()
    if not isinstance(tasks, list):
        result.problems.append(Problem("a Label Studio export is a JSON list of tasks", path=source))
        return result
    for index, task in enumerate(tasks):
        found = task_document(task, index, source=source)
        if isinstance(found, Problem):
            result.problems.append(found)
            if isinstance(task, dict) and isinstance(task.get("data"), dict):
                result.tasks += 1
            continue
        result.tasks += 1
        task_id, doc_id, text = found
        meta = task.get("meta") if isinstance(task.get("meta"), dict) else {}
        for annotation in task.get("annotations") or []:
            if not isinstance(annotation, dict):
                continue
            if annotation.get("was_cancelled"):
                result.cancelled += 1
                continue
            annotation_id = annotation.get("id")
            where = f"task {task_id} annotation {annotation_id}"
            document, problems = results_to_document(doc_id, text, annotation.get("result") or [], schema, where=where)
            document.meta = dict(meta)
            problems += [
                Problem(f"{where}: {p.message}", doc_id=p.doc_id, span_id=p.span_id, relation=p.relation, field=p.field)
                for p in validate(document, schema)
            ]
            result.problems.extend(p.at(path=source) for p in problems)
            if problems:
                result.invalid.add(int(annotation_id) if annotation_id is not None else -1)
            pseudonym, email = _annotator(annotation)
            if email:
                result.emails[pseudonym] = email
            result.annotations.append(
                Annotation(
                    document=document,
                    annotator=pseudonym,
                    annotation_id=int(annotation_id) if annotation_id is not None else -1,
                    task_id=int(task_id),
                    ground_truth=bool(annotation.get("ground_truth")),
                    updated_at=str(annotation.get("updated_at") or ""),
                )
            )
    return result


def annotation_order(annotation: Annotation) -> tuple[str, int]:
    """Oldest first: by last update, then id (the order in which 'latest' is meant everywhere)."""
    return annotation.updated_at, annotation.annotation_id


def latest_by_annotator(annotations: Sequence[Annotation]) -> dict[str, dict[str, Annotation]]:
    """annotator -> document id -> that annotator's latest annotation of the document."""
    by_annotator: dict[str, dict[str, Annotation]] = defaultdict(dict)
    for annotation in sorted(annotations, key=annotation_order):
        by_annotator[annotation.annotator][annotation.document.id] = annotation
    return by_annotator


def write_by_annotator(annotations: Sequence[Annotation], folder: Path) -> dict[str, int]:
    """One JSONL file per annotator (their latest annotation of each document); returns counts.

    Each record's meta names the annotation (pseudonymous annotator, annotation and task id);
    the annotations themselves are not changed, so adjudication never inherits these fields.
    """
    counts = {}
    for annotator, documents in sorted(latest_by_annotator(annotations).items()):
        docs = []
        for doc_id in sorted(documents):
            annotation = documents[doc_id]
            meta = {**annotation.document.meta, "annotator": annotator, "annotation_id": annotation.annotation_id,
                    "task_id": annotation.task_id, "ground_truth": annotation.ground_truth}
            docs.append(replace(annotation.document, meta=meta))
        counts[annotator] = write_documents(docs, folder / f"{annotator}.jsonl")
    return counts


@dataclass
class GoldWrite:
    """What writing gold did, per document."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # doc id -> diff summary


def diff_summary(old: Document, new: Document) -> str:
    """A one-line summary of how two versions of a gold document differ."""
    def key(span: Any) -> tuple[Any, ...]:
        return (span.label, span.start, span.end, tuple(sorted(span.attrs.items())))
    old_spans, new_spans = {key(s) for s in old.spans}, {key(s) for s in new.spans}
    old_ids = {s.id: (s.label, s.start, s.end) for s in old.spans}
    new_ids = {s.id: (s.label, s.start, s.end) for s in new.spans}
    old_rel = {(r.label, old_ids.get(r.head), old_ids.get(r.tail)) for r in old.relations}
    new_rel = {(r.label, new_ids.get(r.head), new_ids.get(r.tail)) for r in new.relations}
    parts = [f"+{len(new_spans - old_spans)} -{len(old_spans - new_spans)} spans (attributes included)",
             f"+{len(new_rel - old_rel)} -{len(old_rel - new_rel)} relations"]
    if old.text != new.text:
        parts.insert(0, "TEXT CHANGED")
    return ", ".join(parts)


def write_gold(documents: Sequence[Document], gold: Path, *, force: bool = False) -> GoldWrite:
    """Write gold documents one file each; never overwrite a differing file without `force`."""
    outcome = GoldWrite()
    for document in documents:
        path = gold / f"{document.id}.json"
        if path.exists():
            [old] = read_documents(path)
            if document_json(old) == document_json(document):
                outcome.unchanged.append(document.id)
                continue
            if same_annotation(old, document):
                outcome.unchanged.append(document.id)
                continue
            if not force:
                outcome.refused[document.id] = diff_summary(old, document)
                continue
        write_documents([document], gold)
        outcome.written.append(document.id)
    return outcome


def same_annotation(old: Document, new: Document) -> bool:
    """Equal text, spans (by offsets, label, attributes) and relations, whatever the ids and meta."""
    return diff_summary(old, new) == "+0 -0 spans (attributes included), +0 -0 relations"
