"""`annotate submit`: documents annotated outside the browser become one annotator's annotations.

For annotators who work in another tool or in a script: each Document (newsgold JSON, gold
rules) becomes an annotation of the task with the same document id, made with the annotator's
own API token, so Label Studio records them as `completed_by` and adjudication counts them like
any annotation made in the browser. `ground_truth` marks them as the adjudicated version (what a
reviewer does). The task text must be the document text (same sha256); every problem is
reported before anything is sent. Submitting the same content again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from newsgold.annotation.client import Connection, project_by_title, translated
from newsgold.annotation.pull import same_annotation
from newsgold.annotation.settings import LabelStudioSettings
from newsgold.io.labelstudio import document_to_results, results_to_document
from newsgold.io.labelstudio_naming import DOC_ID_FIELD, SHA_FIELD, TEXT_NAME
from newsgold.model.document import Document, text_sha256
from newsgold.model.errors import DocumentError
from newsgold.model.problems import Problem
from newsgold.model.schema import Schema
from newsgold.model.validation import validate


@dataclass
class SubmitReport:
    """What one submit did, per document id."""

    annotator: str
    created: dict[str, int] = field(default_factory=dict)  # doc id -> new annotation id
    unchanged: dict[str, int] = field(default_factory=dict)  # doc id -> the annotation already there

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for `--json`."""
        return {"annotator": self.annotator, "created": self.created, "unchanged": self.unchanged}


def _task_index(connection: Connection, project_id: int) -> dict[str, dict[str, Any]]:
    """Tasks by document id, with their text, sha256 and annotations."""
    found: dict[str, dict[str, Any]] = {}
    with translated("listing tasks", url=connection.url):
        for task in connection.client.tasks.list(project=project_id, page_size=1000, include="id,data,annotations"):
            data = task.data or {}
            doc_id = data.get(DOC_ID_FIELD)
            if isinstance(doc_id, str) and doc_id not in found:
                found[doc_id] = {"id": int(task.id), "data": data, "annotations": list(getattr(task, "annotations", None) or [])}
    return found


def _field(annotation: Any, name: str) -> Any:
    return annotation.get(name) if isinstance(annotation, dict) else getattr(annotation, name, None)


def _own_latest(connection: Connection, task: dict[str, Any], user_id: int) -> Any | None:
    """This user's latest non-cancelled annotation of the task (the task list carries only annotation ids)."""
    if not task["annotations"]:
        return None
    with translated(f"reading the annotations of task {task['id']}", url=connection.url):
        annotations = connection.client.annotations.list(id=task["id"])
    mine = []
    for annotation in annotations:
        who = _field(annotation, "completed_by")
        who = who.get("id") if isinstance(who, dict) else who
        if who == user_id and not _field(annotation, "was_cancelled"):
            mine.append(annotation)
    return max(mine, key=lambda a: int(_field(a, "id"))) if mine else None


def check_submission(documents: Sequence[Document], tasks: dict[str, dict[str, Any]], schema: Schema) -> list[Problem]:
    """Every reason a document cannot be submitted: not a task, another text, not valid gold."""
    problems: list[Problem] = []
    for document in documents:
        task = tasks.get(document.id)
        if task is None:
            problems.append(Problem("no task with this document id in the project: push the document first", doc_id=document.id, field="id"))
            continue
        text = task["data"].get(TEXT_NAME)
        if document.text is not None and document.text != text:
            problems.append(Problem("the text differs from the task's text", doc_id=document.id, field="text"))
            continue
        if task["data"].get(SHA_FIELD) not in (None, text_sha256(text or "")):
            problems.append(Problem("the task's text does not match its recorded sha256", doc_id=document.id, field="text"))
            continue
        with_text = Document(id=document.id, text=text, meta=document.meta, spans=document.spans, relations=document.relations)
        problems.extend(validate(with_text, schema))
    return problems


def submit_documents(
    connection: Connection,
    schema: Schema,
    settings: LabelStudioSettings,
    documents: Sequence[Document],
    *,
    ground_truth: bool = False,
) -> SubmitReport:
    """Create one annotation per document as the connected user; DocumentError before sending if any is wrong."""
    project = project_by_title(connection, settings.project_title)
    tasks = _task_index(connection, project.id)
    problems = check_submission(documents, tasks, schema)
    if problems:
        raise DocumentError(problems)
    with translated("reading the current user", url=connection.url):
        user_id = int(connection.client.users.whoami().id)
    report = SubmitReport(annotator=f"annotator-{user_id}")
    for document in documents:
        task = tasks[document.id]
        text = str(task["data"][TEXT_NAME])
        new = Document(id=document.id, text=text, spans=document.spans, relations=document.relations)
        latest = _own_latest(connection, task, user_id)
        if latest is not None and bool(_field(latest, "ground_truth")) == ground_truth:
            old, _ = results_to_document(document.id, text, _field(latest, "result") or [], schema, where="existing annotation")
            if same_annotation(old, new):
                report.unchanged[document.id] = int(_field(latest, "id"))
                continue
        with translated(f"submitting the annotation of {document.id}", url=connection.url):
            created = connection.client.annotations.create(
                task["id"], result=document_to_results(new, schema), ground_truth=ground_truth, project=project.id
            )
        report.created[document.id] = int(created.id)
    return report
