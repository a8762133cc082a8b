"""`newsgold convert`: documents from one annotation format to another, with a report of what did not fit.

Formats are a registry (`register_document_format`): each may read, write or both. Reading
validates against the schema (unknown labels, attributes or values are refused, with file, line
and field); nothing is written when anything is wrong. A brat folder whose subfolders each hold
`.txt` + `.ann` files is one annotator per subfolder, written as `<annotator>.jsonl` — the layout
`annotate agreement` reads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from newsgold.io.brat import Carried, read_brat, write_brat
from newsgold.io.conll import write_conll
from newsgold.io.documents import atomic_write_text, read_documents, require_text, write_documents
from newsgold.io.labelstudio import documents_to_tasks
from newsgold.io.predictions import FORMATS as PREDICTION_FORMATS
from newsgold.model.document import Document
from newsgold.model.errors import DocumentError, NewsgoldError
from newsgold.model.problems import Problem
from newsgold.model.schema import Schema
from newsgold.model.validation import validate

Reader = Callable[[Path, Schema, str, Carried], "list[Document]"]  # (path, schema, discontinuous rule, carried)
Writer = Callable[["Sequence[Document]", Path, Schema, Carried], int]


@dataclass(frozen=True)
class DocumentFormat:
    """A registered annotation format for `newsgold convert`."""

    name: str
    description: str
    read: Reader | None = None
    write: Writer | None = None


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


def _format(name: str, role: str) -> DocumentFormat:
    fmt = DOCUMENT_FORMATS.get(name)
    if fmt is None or getattr(fmt, role) is None:
        able = [f.name for f in DOCUMENT_FORMATS.values() if getattr(f, role) is not None]
        raise NewsgoldError(f"cannot {role} {name!r} (formats that can: {', '.join(able)})", field=f"--{'from' if role == 'read' else 'to'}")
    return fmt


def convert(
    source: Path, target: Path, schema: Schema, *, source_format: str, target_format: str, discontinuous: str = "refuse"
) -> ConversionReport:
    """Read `source` in one format, validate, and write `target` in another (nothing written on a problem)."""
    reader, writer = _format(source_format, "read"), _format(target_format, "write")
    carried = Carried()
    groups = _annotator_folders(source) if source_format == "brat" else {}
    if groups:
        read = {name: reader.read(folder, schema, discontinuous, carried) for name, folder in groups.items()}  # type: ignore[misc]
    else:
        read = {"": reader.read(source, schema, discontinuous, carried)}  # type: ignore[misc]
    problems: list[Problem] = []
    for documents in read.values():
        for document in documents:
            problems.extend(validate(document, schema, gold=False))
    if problems:
        raise DocumentError(problems, path=source)
    report = ConversionReport(annotators=[name for name in read if name])
    for name, documents in read.items():
        destination = target / f"{name}.jsonl" if name and target_format == "native" else (target / name if name else target)
        report.documents += writer.write(documents, destination, schema, carried)  # type: ignore[misc]
        report.spans += sum(len(d.spans) for d in documents)
        report.relations += sum(len(d.relations) for d in documents)
    report.not_carried = carried.lines()
    return report


def _annotator_folders(source: Path) -> dict[str, Path]:
    """Subfolders holding .txt files, by name, when the folder itself holds none (one per annotator)."""
    if not source.is_dir() or any(source.glob("*.txt")):
        return {}
    return {sub.name: sub for sub in sorted(source.iterdir()) if sub.is_dir() and any(sub.glob("*.txt"))}


def _free_text_names(schema: Schema) -> list[str]:
    """Attributes whose values are free text (brat writes them as N lines, which may hold spaces)."""
    return [a.name for label in schema.labels for a in label.attributes if a.kind == "text"]


register_document_format(DocumentFormat(
    "native", "newsgold Documents: .jsonl, or a folder of .json",
    read=lambda path, schema, discontinuous, carried: read_documents(path),
    write=lambda documents, path, schema, carried: write_documents(documents, path),
))
register_document_format(DocumentFormat(
    "brat", "brat standoff: a folder of <id>.txt + <id>.ann (a folder of such folders: one per annotator)",
    read=lambda path, schema, discontinuous, carried: read_brat(path, discontinuous=discontinuous, carried=carried),
    write=lambda documents, path, schema, carried: write_brat(documents, path, free_text=_free_text_names(schema), carried=carried),
))
register_document_format(DocumentFormat(
    "conll", "CoNLL IOB2 (export): a token and one IOB2 column per label, the corpus tokenization (`eval score` reads it)",
    write=lambda documents, path, schema, carried: write_conll(documents, path, schema, carried),
))


def _write_tasks(documents: Sequence[Document], path: Path, schema: Schema, carried: Carried) -> int:
    require_text(documents, "a Label Studio task")
    unplaced = sum(1 for d in documents for s in d.spans if s.start is None)
    if unplaced:
        carried.note("span(s) given by text alone (no offsets)", unplaced)
    atomic_write_text(path, json.dumps(documents_to_tasks(documents, schema), ensure_ascii=False, indent=1) + "\n")
    return len(documents)


register_document_format(DocumentFormat(
    "labelstudio", "Label Studio JSON tasks with one annotation each (import by hand; exports of the project read back)",
    read=lambda path, schema, discontinuous, carried: PREDICTION_FORMATS["labelstudio"].read(path, schema, {}, "annotations"),
    write=_write_tasks,
))
register_document_format(DocumentFormat(
    "spacy", "a spaCy DocBin (.spacy): a span group per label and `sc` for spancat; attributes, relations and meta in user_data",
    read=lambda path, schema, discontinuous, carried: _docbin().read_docbin(path),
    write=lambda documents, path, schema, carried: _docbin().write_docbin(documents, path, schema, carried),
))


def _docbin():  # type: ignore[no-untyped-def]
    """The DocBin module, imported when used (it imports spaCy's Doc machinery)."""
    from newsgold.io import docbin

    return docbin


def _ptc():  # type: ignore[no-untyped-def]
    from newsgold.io import ptc

    return ptc


register_document_format(DocumentFormat(
    "ptc", "SemEval-2020 Task 11 / PTC: article<id>.txt + article<id>.task2-TC.labels (mapping: configs/mappings/ptc.yaml)",
    read=lambda path, schema, discontinuous, carried: _ptc().read_ptc(path, _ptc().load_mapping(schema), carried),
    write=lambda documents, path, schema, carried: _ptc().write_ptc(documents, path, _ptc().load_mapping(schema), carried),
))
