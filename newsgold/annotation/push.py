"""`annotate push`: create or update the project and import Documents as tasks, idempotently.

A task carries the document id and the sha256 of its text. Pushing again imports nothing for
documents already there with the same text; a document whose text changed is updated only while
its task has no annotations (their offsets would point into the old text), otherwise refused.
Pre-annotations are attached as Label Studio predictions under a `model_version`; a task that
already has a prediction of that version is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from newsgold.annotation.client import Connection, find_project, translated
from newsgold.annotation.config import instructions_html, labeling_config
from newsgold.annotation.settings import LabelStudioSettings
from newsgold.io.labelstudio import document_to_results
from newsgold.io.labelstudio_naming import DOC_ID_FIELD, SHA_FIELD, TEXT_NAME
from newsgold.model.document import Document, text_sha256
from newsgold.model.errors import DocumentError, SyncError
from newsgold.model.problems import Problem
from newsgold.model.schema import Schema

TASK_PAGE_SIZE = 1000


@dataclass
class TaskInfo:
    """What push needs to know about a task already in the project."""

    id: int
    sha256: str | None
    annotations: int
    model_versions: set[str] = field(default_factory=set)


@dataclass
class PushReport:
    """Counts of one push."""

    project_id: int
    project_created: bool = False
    project_updated: bool = False
    imported: int = 0
    unchanged: int = 0
    updated: int = 0
    predictions_added: int = 0
    predictions_kept: int = 0
    spans_not_pushed: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for `--json`."""
        return dict(self.__dict__)


def ensure_project(
    connection: Connection, schema: Schema, settings: LabelStudioSettings, *, guidelines: str | None = None
) -> tuple[Any, bool, bool]:
    """The project (created or brought up to date with the schema and guidelines); returns (project, created, updated)."""
    config = labeling_config(schema)
    instructions = instructions_html(schema, guidelines)
    description = f"newsgold schema v{schema.version}: claims, speakers, events, framing"
    project = find_project(connection, settings.project_title)
    with translated("creating or updating the project", url=connection.url):
        if project is None:
            created = connection.client.projects.create(
                title=settings.project_title, label_config=config, expert_instruction=instructions,
                description=description, maximum_annotations=settings.maximum_annotations, show_skip_button=True,
                show_instruction=True,
            )
            return connection.client.projects.get(created.id), True, False
        stale = (
            (project.label_config or "").strip() != config.strip()
            or (project.expert_instruction or "") != instructions
            or project.maximum_annotations != settings.maximum_annotations
        )
        if stale:
            connection.client.projects.update(
                project.id, label_config=config, expert_instruction=instructions, description=description,
                maximum_annotations=settings.maximum_annotations,
            )
            project = connection.client.projects.get(project.id)
        return project, False, stale


def existing_tasks(connection: Connection, project_id: int) -> dict[str, TaskInfo]:
    """Tasks of the project by newsgold document id (tasks without one are ignored)."""
    found: dict[str, TaskInfo] = {}
    with translated("listing tasks", url=connection.url):
        # `include` keeps the server from building the full task record (4x faster on 10k tasks)
        for task in connection.client.tasks.list(
            project=project_id, page_size=TASK_PAGE_SIZE, include="id,data,annotations,predictions"
        ):
            data = task.data or {}
            doc_id = data.get(DOC_ID_FIELD)
            if not isinstance(doc_id, str) or doc_id in found:
                continue
            annotations = [a for a in (getattr(task, "annotations", None) or [])]
            predictions = getattr(task, "predictions", None) or []
            versions = {str(p.get("model_version") if isinstance(p, dict) else getattr(p, "model_version", "")) for p in predictions}
            found[doc_id] = TaskInfo(id=int(task.id), sha256=data.get(SHA_FIELD), annotations=len(annotations), model_versions=versions)
    return found


def _prediction_payload(prediction: Document, document: Document, schema: Schema, model_version: str) -> dict[str, Any]:
    with_text = Document(id=document.id, text=document.text, spans=prediction.spans, relations=prediction.relations)
    return {"model_version": model_version, "result": document_to_results(with_text, schema)}


def push_documents(
    connection: Connection,
    schema: Schema,
    settings: LabelStudioSettings,
    documents: Sequence[Document],
    *,
    predictions: dict[str, Document] | None = None,
    model_version: str | None = None,
    guidelines: str | None = None,
) -> PushReport:
    """Bring the project's tasks in line with `documents`; see the module docstring for the rules.

    `guidelines` (the Markdown of docs/guidelines.md) becomes the project's instructions.
    """
    project, created, updated = ensure_project(connection, schema, settings, guidelines=guidelines)
    report = PushReport(project_id=int(project.id), project_created=created, project_updated=updated)
    existing = existing_tasks(connection, report.project_id)
    refusals: list[Problem] = []
    new: list[Document] = []
    changed: list[tuple[Document, TaskInfo]] = []
    unchanged: list[tuple[Document, TaskInfo]] = []
    for document in documents:
        sha = text_sha256(document.text or "")
        info = existing.get(document.id)
        if info is None:
            new.append(document)
        elif info.sha256 == sha:
            unchanged.append((document, info))
        elif info.annotations:
            refusals.append(Problem(
                f"text changed but task {info.id} already has {info.annotations} annotation(s), whose offsets "
                "would no longer fit; pull and adjudicate them, then delete the task in Label Studio to re-push",
                doc_id=document.id, field="text",
            ))
        else:
            changed.append((document, info))
    if refusals:
        raise DocumentError(refusals)
    if predictions is not None:
        report.spans_not_pushed = sum(1 for p in predictions.values() for s in p.spans if s.start is None)

    def payload_predictions(document: Document) -> list[dict[str, Any]]:
        prediction = predictions.get(document.id) if predictions else None
        if prediction is None or model_version is None:
            return []
        return [_prediction_payload(prediction, document, schema, model_version)]

    try:
        _import(connection, settings, report, new, changed, unchanged, payload_predictions, model_version)
    except SyncError as exc:
        raise SyncError(
            f"{exc} — {report.imported} of {len(new)} new task(s) were imported before the failure; "
            "push again to import the rest (tasks already there are not imported twice)"
        ) from exc
    return report


def _import(
    connection: Connection,
    settings: LabelStudioSettings,
    report: PushReport,
    new: list[Document],
    changed: list[tuple[Document, TaskInfo]],
    unchanged: list[tuple[Document, TaskInfo]],
    payload_predictions: Any,
    model_version: str | None,
) -> None:
    """Import new tasks in batches, update changed ones, add missing pre-annotations; counts go to `report`."""
    with translated("importing tasks", url=connection.url):
        for start in range(0, len(new), settings.batch_size):
            batch = new[start : start + settings.batch_size]
            request = [
                {"data": _task_data(d), "meta": dict(d.meta), "predictions": payload_predictions(d)} for d in batch
            ]
            connection.client.projects.import_tasks(report.project_id, request=request, return_task_ids=True)
            report.imported += len(batch)
            report.predictions_added += sum(len(r["predictions"]) for r in request)
        for document, info in changed:
            connection.client.tasks.update(str(info.id), data=_task_data(document), meta=dict(document.meta))
            for old in connection.client.predictions.list(task=info.id):
                connection.client.predictions.delete(old.id)
            for item in payload_predictions(document):
                connection.client.predictions.create(task=info.id, result=item["result"], model_version=model_version)
                report.predictions_added += 1
            report.updated += 1
        for document, info in unchanged:
            report.unchanged += 1
            items = payload_predictions(document)
            if not items:
                continue
            if model_version in info.model_versions:
                report.predictions_kept += 1
                continue
            connection.client.predictions.create(task=info.id, result=items[0]["result"], model_version=model_version)
            report.predictions_added += 1


def _task_data(document: Document) -> dict[str, Any]:
    return {TEXT_NAME: document.text, DOC_ID_FIELD: document.id, SHA_FIELD: text_sha256(document.text or "")}
