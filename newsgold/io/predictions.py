"""Prediction inputs: native Documents, CoNLL-style BIO files, Label Studio JSON exports.

Every reader validates and raises `DocumentError` with every problem (file, line or document,
field). Spans given by `text` alone stay without offsets here; the scorer grounds them.

CoNLL-style BIO: one token per line, then one IOB2 tag column per label (tab or space separated,
columns in schema label order unless a `# columns: token CLAIM SPEAKER …` header says otherwise);
`-DOCSTART- <document id>` starts a document; a blank line ends a sentence. Tokens are mapped to
character offsets by finding them, in order, in the gold text, so any tokenization that keeps
the characters works (the dataset's `tokens` configuration does).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

from newsgold.io.documents import read_documents
from newsgold.io.labelstudio import results_to_document, task_document
from newsgold.model.document import Document, Span
from newsgold.model.errors import DocumentError
from newsgold.model.problems import Problem
from newsgold.model.schema import Schema
from newsgold.text.iob2 import tags_to_spans

DOCSTART = "-DOCSTART-"
AUTO = "auto"

Reader = Callable[[Path, Schema, Mapping[str, Document], str], "list[Document]"]


@dataclass(frozen=True)
class PredictionFormat:
    """A registered input format: how `auto` recognises a path, and how its predictions are read.

    `read(path, schema, gold by id, ls_source)`; `recognise(path)` says whether `auto` picks it
    (formats are tried in registration order; `native` is the fallback).
    """

    name: str
    description: str
    read: Reader
    recognise: Callable[[Path], bool] = lambda path: False


FORMATS: dict[str, PredictionFormat] = {}


def register_format(fmt: PredictionFormat) -> PredictionFormat:
    """Add an input format: `eval score --format NAME` and `auto` detection see it from then on."""
    FORMATS[fmt.name] = fmt
    return fmt


def format_names() -> tuple[str, ...]:
    """`auto` and every registered format, for --help and error messages."""
    return (AUTO, *FORMATS)


def detect_format(path: Path) -> str:
    """The first registered format that recognises the path (`conll` by suffix, `labelstudio` for a
    .json file holding a list of tasks), else `native`."""
    for fmt in FORMATS.values():
        if fmt.recognise(path):
            return fmt.name
    return NATIVE


def load_predictions(
    path: str | Path, schema: Schema, gold: Mapping[str, Document], *, fmt: str = AUTO, ls_source: str = "predictions"
) -> list[Document]:
    """Read predictions in any registered format; raise DocumentError listing every problem."""
    source = Path(path)
    if not source.exists():
        raise DocumentError([Problem("no such file or folder", path=str(source))])
    chosen = detect_format(source) if fmt == AUTO else fmt
    if source.is_file() and not source.read_bytes().lstrip(b"\xef\xbb\xbf").strip():
        return []  # a system that found nothing: every gold document is scored as missed (and listed)
    if chosen not in FORMATS:
        raise DocumentError([Problem(f"unknown format {fmt!r} (formats: {', '.join(format_names())})", path=str(source))])
    return FORMATS[chosen].read(source, schema, gold, ls_source)


# --------------------------------------------------------------------------- CoNLL


def _conll(source: Path, schema: Schema, gold: Mapping[str, Document]) -> list[Document]:
    name = str(source)
    try:
        lines = source.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError as exc:
        raise DocumentError([Problem(f"not valid UTF-8 (byte offset {exc.start})", path=name)]) from exc
    columns = list(schema.label_names)
    problems: list[Problem] = []
    documents: list[Document] = []
    state: dict[str, Any] = {}

    def finish_sentence() -> None:
        sentence = state.get("sentence") or []
        if sentence and state.get("doc") is not None:
            offsets = [(s, e) for _, s, e, _ in sentence]
            for column, label in enumerate(columns):
                tags = [tags_[column] for _, _, _, tags_ in sentence]
                for _, start, end in tags_to_spans(offsets, tags):
                    doc = state["doc"]
                    doc.spans.append(Span(id=f"C{len(doc.spans) + 1}", label=label, start=start, end=end))
        state["sentence"] = []

    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if line.startswith("#") and "doc" not in state:  # comments only in the header, before the first document:
            # inside a document a line starting with # is a token (hashtags are common in news)
            header = line[1:].strip()
            if header.startswith("columns:"):
                names = header[len("columns:"):].split()
                unknown = [n for n in names[1:] if n not in schema.label_names]
                if not names or names[0] != "token" or unknown:
                    problems.append(Problem(f"bad columns header (token, then labels of {', '.join(schema.label_names)})", path=name, line=number))
                else:
                    columns = names[1:]
            continue
        if not line:
            finish_sentence()
            continue
        if line.startswith(DOCSTART):
            finish_sentence()
            doc_id = line[len(DOCSTART):].strip()
            if doc_id not in gold:
                problems.append(Problem("document is not in the gold", path=name, line=number, doc_id=doc_id or None, field="id"))
                state.update(doc=None)
                continue
            if any(d.id == doc_id for d in documents):
                problems.append(Problem("document appears twice", path=name, line=number, doc_id=doc_id, field="id"))
            document = Document(id=doc_id, text=None)
            documents.append(document)
            state.update(doc=document, cursor=0, text=gold[doc_id].text or "", sentence=[])
            continue
        if state.get("doc") is None:
            if "doc" not in state:
                problems.append(Problem(f"token before any {DOCSTART} <document id> line", path=name, line=number))
                state["doc"] = None
            continue
        parts = line.split()
        if len(parts) != len(columns) + 1:
            problems.append(Problem(f"expected a token and {len(columns)} tag column(s) ({', '.join(columns)}), got {len(parts)} field(s)", path=name, line=number, doc_id=state["doc"].id))
            continue
        token, tags = parts[0], parts[1:]
        bad = [t for t, label in zip(tags, columns) if t not in schema.bio_tags(label)]
        if bad:
            problems.append(Problem(f"tag {bad[0]!r} is not O, B-<label> or I-<label> of its column", path=name, line=number, doc_id=state["doc"].id, field="tag"))
            continue
        text, cursor = state["text"], state["cursor"]
        while cursor < len(text) and text[cursor].isspace():
            cursor += 1
        if text[cursor : cursor + len(token)] != token:
            problems.append(Problem(f"token {token!r} does not continue the document text at offset {cursor} ({text[cursor:cursor + len(token) + 10]!r})", path=name, line=number, doc_id=state["doc"].id, field="token"))
            state["doc"] = None  # the rest of this document cannot be aligned
            continue
        state["cursor"] = cursor + len(token)
        state["sentence"].append((token, cursor, cursor + len(token), tags))
    finish_sentence()
    if problems:
        raise DocumentError(problems, path=source)
    return documents


# --------------------------------------------------------------------------- Label Studio


def _labelstudio(source: Path, schema: Schema, ls_source: str) -> list[Document]:
    name = str(source)
    try:
        tasks = json.loads(source.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise DocumentError([Problem(f"not a Label Studio JSON export: {exc}", path=name, line=line)]) from exc
    if not isinstance(tasks, list):
        raise DocumentError([Problem("a Label Studio export is a JSON list of tasks", path=name)])
    if ls_source not in ("predictions", "annotations"):
        raise DocumentError([Problem(f"source must be predictions or annotations, got {ls_source!r}", path=name)])
    documents: list[Document] = []
    problems: list[Problem] = []
    for index, task in enumerate(tasks):
        found_task = task_document(task, index, source=name)
        if isinstance(found_task, Problem):
            problems.append(found_task)
            continue
        task_id, doc_id, text = found_task
        entries = [e for e in task.get(ls_source) or [] if isinstance(e, dict) and not e.get("was_cancelled")]
        meta = dict(task["meta"]) if isinstance(task.get("meta"), dict) else {}
        if not entries:
            documents.append(Document(id=doc_id, text=text, meta=meta))
            continue
        entry = entries[-1]
        document, found = results_to_document(
            doc_id, text, entry.get("result") or [], schema,
            where=f"task {task_id} {ls_source[:-1]} {entry.get('id', '?')}",
        )
        problems.extend(p.at(path=name) for p in found)
        document.meta = meta
        documents.append(document)
    if problems:
        raise DocumentError(problems, path=source)
    return documents


# --------------------------------------------------------------------------- registry

NATIVE = "native"
CONLL_SUFFIXES = (".conll", ".bio", ".iob", ".tsv")


def _is_labelstudio_export(path: Path) -> bool:
    if not (path.is_file() and path.suffix.lower() == ".json"):
        return False
    with path.open("rb") as handle:
        head = handle.read(64).lstrip(b"\xef\xbb\xbf").lstrip()
    return head.startswith(b"[")


register_format(PredictionFormat(
    "conll", "CoNLL-style BIO (.conll .bio .iob .tsv): a token and one IOB2 column per label",
    lambda path, schema, gold, ls_source: _conll(path, schema, gold),
    recognise=lambda path: path.suffix.lower() in CONLL_SUFFIXES,
))
register_format(PredictionFormat(
    "labelstudio", "a Label Studio JSON export (a .json list of tasks)",
    lambda path, schema, gold, ls_source: _labelstudio(path, schema, ls_source),
    recognise=_is_labelstudio_export,
))
register_format(PredictionFormat(
    NATIVE, "newsgold Documents (.jsonl, a folder of .json, or one .json object)",
    lambda path, schema, gold, ls_source: read_documents(path, require_text=False),
))
