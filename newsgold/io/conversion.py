"""`newsgold convert`: documents from one annotation format to another, with a report of what did not fit.

Formats are a registry (`register_document_format`): each may read, write or both. A reader gives
one stream of documents per annotator (`""` when the source has no annotators); documents flow
one at a time from reader through the schema check to the writer, so memory stays bounded
whatever the corpus size (except where a format is one object: a spaCy DocBin, a Label Studio
JSON list being read). Everything is written into a staging folder beside the target and moved
into place only when every document was read and checked: on any problem (unknown label,
attribute or value, wrong offset, named with file, line and field) nothing is written.

A source with annotators (a brat folder of per-annotator folders, PolNeAR's `<doc>_<annotator>.ann`)
is written one target per annotator: `<annotator>.jsonl` in native, `<annotator>/` otherwise —
the layout `annotate agreement` reads.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Callable, Iterable, Iterator, Mapping, Protocol

from newsgold.io.brat import DISCONTINUOUS, annotator_folders, iter_brat, write_brat
from newsgold.io.carried import Carried
from newsgold.io.conll import write_conll
from newsgold.io.documents import atomic_writer, iter_documents, with_text, write_documents
from newsgold.io.labelstudio import documents_to_tasks
from newsgold.io.predictions import FORMATS as PREDICTION_FORMATS
from newsgold.model.document import Document
from newsgold.model.errors import DocumentError, NewsgoldError
from newsgold.model.problems import Problem
from newsgold.model.schema import Schema
from newsgold.model.validation import validate


@dataclass(frozen=True)
class ReadOptions:
    """What a reader may be told: how to treat discontinuous spans (None: the format's default)."""

    discontinuous: str | None = None


Streams = Mapping[str, Iterable[Document]]  # annotator ("" for none) -> that annotator's documents
Reader = Callable[[Path, Schema, ReadOptions, Carried], Streams]
Writer = Callable[[Iterable[Document], Path, Schema, Carried], int]


@dataclass(frozen=True)
class DocumentFormat:
    """A registered annotation format for `newsgold convert`."""

    name: str
    description: str
    read: Reader | None = None
    write: Writer | None = None
    suffix: str | None = None  # the file a writer makes (None: a folder); names the per-annotator outputs


DOCUMENT_FORMATS: dict[str, DocumentFormat] = {}


def register_document_format(fmt: DocumentFormat) -> DocumentFormat:
    """Add a format `newsgold convert --from/--to` can use (listed in its --help)."""
    DOCUMENT_FORMATS[fmt.name] = fmt
    return fmt


@dataclass
class ConversionReport:
    """What a conversion read and wrote, and what it could not carry."""

    documents: int = 0
    spans: int = 0
    relations: int = 0
    annotators: list[str] = field(default_factory=list)
    not_carried: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


class Progress(Protocol):
    """What `convert` reports to as documents pass (the CLI's progress bar)."""

    def advance(self, steps: int = 1) -> None:
        """Record finished documents."""


def _format(name: str, role: str) -> DocumentFormat:
    fmt = DOCUMENT_FORMATS.get(name)
    if fmt is None or getattr(fmt, role) is None:
        able = [f.name for f in DOCUMENT_FORMATS.values() if getattr(f, role) is not None]
        raise NewsgoldError(f"cannot {role} {name!r} (formats that can: {', '.join(able)})", field=f"--{'from' if role == 'read' else 'to'}")
    return fmt


def convert(
    source: Path, target: Path, schema: Schema, *, source_format: str, target_format: str,
    discontinuous: str | None = None, progress: Progress | None = None, keep: Callable[[str], bool] | None = None,
) -> ConversionReport:
    """Read `source` in one format, check it against the schema and write `target` in another.

    Streams one document at a time; nothing reaches `target` unless every document was read and
    checked without a problem (DocumentError lists them all). `keep` (document id -> bool, e.g. a
    split rule) leaves the other documents out.
    """
    reader, writer = _format(source_format, "read"), _format(target_format, "write")
    if discontinuous is not None and discontinuous not in DISCONTINUOUS:
        raise NewsgoldError(f"must be one of {', '.join(DISCONTINUOUS)}", field="--discontinuous")
    carried = Carried()
    streams = reader.read(Path(source), schema, ReadOptions(discontinuous), carried)  # type: ignore[misc]
    report = ConversionReport(annotators=[name for name in streams if name])
    problems: list[Problem] = []

    def checked(documents: Iterable[Document]) -> Iterator[Document]:
        """The stream, each document checked against the schema; the reader's own problems (raised
        after its last document) join the schema's, so one run names them all."""
        try:
            for document in documents:
                if keep is not None and not keep(document.id):
                    continue
                found = validate(document, schema, gold=False)
                problems.extend(found)
                report.documents += 1
                report.spans += len(document.spans)
                report.relations += len(document.relations)
                if progress is not None:
                    progress.advance(1)
                if not found:  # a bad document (e.g. an id like "../x") never reaches a writer's paths
                    yield document
        except DocumentError as error:
            problems.extend(error.problems)

    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".staging", dir=target.parent))
    try:
        staged = staging / target.name
        for name, documents in streams.items():
            destination = staged / f"{name}{writer.suffix or ''}" if name else staged
            writer.write(checked(documents), destination, schema, carried)  # type: ignore[misc]
        if problems:
            raise DocumentError(problems, path=source)
        _move_into_place(staged, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    report.not_carried = carried.lines()
    return report


def _move_into_place(staged: Path, target: Path) -> None:
    """Move a staged file onto `target`, or every file of a staged folder into `target` (each an
    atomic rename; files of `target` that were not written this time are kept)."""
    if not staged.is_dir():
        if target.is_dir():
            raise NewsgoldError("is a folder; this format writes one file", path=target)
        os.replace(staged, target)
        return
    if target.exists() and not target.is_dir():
        raise NewsgoldError("is a file; this format writes a folder", path=target)
    for path in sorted(staged.rglob("*")):
        if path.is_file():
            destination = target / path.relative_to(staged)
            destination.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, destination)


def _free_text_names(schema: Schema) -> list[str]:
    """Attributes whose values are free text (brat writes them as N lines, which may hold spaces)."""
    return [a.name for label in schema.labels for a in label.attributes if a.kind == "text"]


def _read_brat(path: Path, schema: Schema, options: ReadOptions, carried: Carried) -> Streams:
    rule = options.discontinuous or "refuse"
    folders = annotator_folders(path) or {"": path}
    return {name: iter_brat(folder, discontinuous=rule, carried=carried) for name, folder in folders.items()}


register_document_format(DocumentFormat(
    "native", "newsgold Documents: .jsonl, or a folder of .json",
    read=lambda path, schema, options, carried: {"": iter_documents(path)},
    write=lambda documents, path, schema, carried: write_documents(documents, path),
    suffix=".jsonl",
))
register_document_format(DocumentFormat(
    "brat", "brat standoff: a folder of <id>.txt + <id>.ann (a folder of such folders: one per annotator)",
    read=_read_brat,
    write=lambda documents, path, schema, carried: write_brat(documents, path, free_text=_free_text_names(schema), carried=carried),
))
register_document_format(DocumentFormat(
    "conll", "CoNLL IOB2 (export): a token and one IOB2 column per label, the corpus tokenization (`eval score` reads it)",
    write=lambda documents, path, schema, carried: write_conll(documents, path, schema, carried),
    suffix=".conll",
))


def _write_tasks(documents: Iterable[Document], path: Path, schema: Schema, carried: Carried) -> int:
    """A JSON list of tasks, streamed one task at a time."""
    count = 0
    with atomic_writer(path) as handle:
        handle.write(b"[")
        for document in with_text(documents, "a Label Studio task"):
            unplaced = sum(1 for s in document.spans if s.start is None)
            carried.note("span(s) given by text alone (no offsets)", unplaced)
            [task] = documents_to_tasks([document], schema)
            handle.write((",\n" if count else "\n").encode() + json.dumps(task, ensure_ascii=False, indent=1).encode("utf-8"))
            count += 1
        handle.write(b"\n]\n")
    return count


register_document_format(DocumentFormat(
    "labelstudio", "Label Studio JSON tasks with one annotation each (import by hand; exports of the project read back)",
    read=lambda path, schema, options, carried: {"": PREDICTION_FORMATS["labelstudio"].read(path, schema, {}, "annotations")},
    write=_write_tasks,
    suffix=".json",
))
register_document_format(DocumentFormat(
    "spacy", "a spaCy DocBin (.spacy): a span group per label and `sc` for spancat; attributes, relations and meta in user_data",
    read=lambda path, schema, options, carried: {"": _docbin().read_docbin(path)},
    write=lambda documents, path, schema, carried: _docbin().write_docbin(documents, path, schema, carried),
    suffix=".spacy",
))


def _docbin() -> ModuleType:
    """The DocBin module, imported when used (it imports spaCy's Doc machinery)."""
    from newsgold.io import docbin

    return docbin


def _ptc() -> ModuleType:
    from newsgold.io import ptc

    return ptc


def _polnear() -> ModuleType:
    from newsgold.io import polnear

    return polnear


register_document_format(DocumentFormat(
    "ptc", "SemEval-2020 Task 11 / PTC: article<id>.txt + article<id>.task2-TC.labels (mapping: configs/mappings/ptc.yaml)",
    read=lambda path, schema, options, carried: {"": _ptc().iter_ptc(path, _ptc().load_mapping(schema), carried)},
    write=lambda documents, path, schema, carried: _ptc().write_ptc(documents, path, _ptc().load_mapping(schema), carried),
))
register_document_format(DocumentFormat(
    "polnear", "PolNeAR (import): a split folder with text/<doc>.txt and attributions/<doc>_<annotator>.ann, "
    "one output per annotator (mapping: configs/mappings/polnear.yaml)",
    read=lambda path, schema, options, carried: _polnear().polnear_streams(
        path, _polnear().load_mapping(schema), carried, discontinuous=options.discontinuous),
))
