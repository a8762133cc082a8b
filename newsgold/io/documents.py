"""Document files: JSON Lines or a folder of `.json` files, read with every problem named, written atomically.

A document file is either JSON Lines (one document per line) or a folder of `.json` files (one
pretty-printed document each); every reader accepts both. Reading never stops at the first bad
line: `read_documents` collects every problem with its file, line and field, so a user fixes a
file in one pass; `load_documents` adds the schema's rules. Writes are atomic: a temp file in the
same folder, then `os.replace`.
"""

from __future__ import annotations

import json
import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterable, Iterator

from newsgold.model.document import Document, parse_document
from newsgold.model.errors import DocumentError
from newsgold.model.problems import Problem
from newsgold.model.schema import Schema
from newsgold.model.validation import validate

JSONL_SUFFIXES = (".jsonl", ".ndjson")


# --------------------------------------------------------------------------------------------
# Reading


@dataclass
class Loaded:
    """One record read from a file: the document (None if unusable) and its structural problems."""

    document: Document | None
    problems: list[Problem]
    path: str
    line: int | None


def is_jsonl(path: Path) -> bool:
    """Whether `path` names a JSON Lines file (by suffix) rather than a folder or `.json` file."""
    return path.suffix.lower() in JSONL_SUFFIXES


@dataclass
class Record:
    """One undecoded record: a JSONL line or a whole .json file, or the problem that stopped reading."""

    path: str
    line: int | None  # JSONL line number; None for a whole .json file
    raw: bytes | None
    problems: list[Problem]


def iter_records(path: str | Path) -> Iterator[Record]:
    """Stream the raw records of a `.jsonl` file, a `.json` file or a folder of `.json` files.

    Reading is split from parsing (`load_record`) so that parsing can run in worker processes.
    """
    source = Path(path)
    if source.is_dir():
        files = sorted(p for p in source.iterdir() if p.suffix.lower() == ".json" and p.is_file())
        if not files:
            yield Record(str(source), None, None, [Problem("folder holds no .json documents", path=str(source))])
        for file in files:
            yield _read_json_file(file)
    elif not source.exists():
        yield Record(str(source), None, None, [Problem("no such file or folder", path=str(source))])
    elif is_jsonl(source):
        yield from _iter_jsonl_records(source)
    else:
        yield _read_json_file(source)


def load_record(record: Record, *, require_text: bool = True) -> Loaded:
    """Decode and parse one record; every problem is placed at its file (and line)."""
    if record.raw is None:
        return Loaded(None, list(record.problems), record.path, record.line)
    text, error, bad_byte = _decode(record.raw)
    if text is None:
        line = record.line if record.line is not None else record.raw[:bad_byte].count(b"\n") + 1
        return Loaded(None, [Problem(error, path=record.path, line=line)], record.path, line)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        line = record.line if record.line is not None else exc.lineno
        problem = Problem(f"invalid JSON: {exc.msg} (column {exc.colno})", path=record.path, line=line)
        return Loaded(None, [problem], record.path, line)
    document, problems = parse_document(data, require_text=require_text)
    return Loaded(document, _placed(problems, record.path, record.line), record.path, record.line)


def iter_loaded(path: str | Path, *, require_text: bool = True) -> Iterator[Loaded]:
    """Stream the records of a `.jsonl` file, a `.json` file or a folder of `.json` files.

    Yields one `Loaded` per record, in file order; unreadable input becomes problems, never an
    exception, so that a validator can report all of them.
    """
    for record in iter_records(path):
        yield load_record(record, require_text=require_text)


def _decode(raw: bytes) -> tuple[str | None, str, int]:
    """Decode UTF-8 strictly; on failure return None, a message and the bad byte's index."""
    try:
        return raw.decode("utf-8"), "", -1
    except UnicodeDecodeError as exc:
        return None, f"not valid UTF-8 (byte {raw[exc.start:exc.start + 1]!r} at byte offset {exc.start})", exc.start


def _placed(problems: list[Problem], path: str, line: int | None) -> list[Problem]:
    return [problem.at(path=path, line=line) for problem in problems]


def _iter_jsonl_records(source: Path) -> Iterator[Record]:
    name = str(source)
    try:
        handle = source.open("rb")
    except OSError as exc:
        yield Record(name, None, None, [Problem(f"cannot read: {exc.strerror}", path=name)])
        return
    with handle:
        seen_any = False
        for number, raw in enumerate(handle, start=1):
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if not raw.strip():
                continue
            seen_any = True
            yield Record(name, number, raw, [])
        if not seen_any:
            yield Record(name, None, None, [Problem("file holds no documents", path=name)])


def _read_json_file(source: Path) -> Record:
    name = str(source)
    try:
        raw = source.read_bytes()
    except OSError as exc:
        return Record(name, None, None, [Problem(f"cannot read: {exc.strerror}", path=name)])
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    return Record(name, None, raw, [])


def duplicate_problem(doc_id: str, path: str, line: int | None, seen: dict[str, str]) -> Problem | None:
    """The problem for a document id already in `seen` (None the first time, which records where it is)."""
    if doc_id in seen:
        return Problem(f"duplicate document id (first at {seen[doc_id]})", path=path, line=line, doc_id=doc_id, field="id")
    seen[doc_id] = f"line {line}" if line else path
    return None


def iter_unique(path: str | Path, *, require_text: bool = True) -> Iterator[Loaded]:
    """`iter_loaded`, adding a problem to each record whose document id was already seen."""
    seen: dict[str, str] = {}
    for loaded in iter_loaded(path, require_text=require_text):
        if loaded.document is not None:
            problem = duplicate_problem(loaded.document.id, loaded.path, loaded.line, seen)
            if problem is not None:
                loaded.problems.append(problem)
        yield loaded


def iter_documents(path: str | Path, *, require_text: bool = True) -> Iterator[Document]:
    """Yield the documents of a file or folder one at a time; after the last, raise DocumentError
    listing every problem (so a streaming consumer still sees them all, and must discard its output)."""
    problems: list[Problem] = []
    for loaded in iter_unique(path, require_text=require_text):
        problems.extend(loaded.problems)
        if loaded.document is not None:
            yield loaded.document
    if problems:
        raise DocumentError(problems, path=path)


def read_documents(path: str | Path, *, require_text: bool = True) -> list[Document]:
    """Read every document of a file or folder; raise DocumentError listing every problem.

    Checks structure and duplicate ids only; `newsgold.validation.load_documents` adds the schema.
    """
    return list(iter_documents(path, require_text=require_text))


# --------------------------------------------------------------------------------------------
# Writing


def umask_mode(base: int = 0o666) -> int:
    """`base` less the process umask: the mode an ordinary `open()` (0o666) or `mkdir()` (0o777) gives."""
    current = os.umask(0)
    os.umask(current)
    return base & ~current


def atomic_write_text(path: str | Path, text: str, *, mode: int | None = None) -> None:
    """Write `text` (UTF-8, line endings as given) to `path` atomically; see `atomic_write_bytes`."""
    atomic_write_bytes(path, text.encode("utf-8"), mode=mode)


def atomic_write_bytes(path: str | Path, data: bytes, *, mode: int | None = None) -> None:
    """Write `data` to `path` atomically; see `atomic_writer`."""
    with atomic_writer(path, mode=mode) as handle:
        handle.write(data)


@contextmanager
def atomic_writer(path: str | Path, *, mode: int | None = None) -> Iterator[IO[bytes]]:
    """A binary handle whose content replaces `path` only when the block ends without an error:
    a temp file in the same folder, fsync, then rename (so a large output streams to disk).

    The file gets `mode` from its creation (0o600 for secrets), else what the umask allows, like
    any other file the user writes (a temp file alone would be 0o600).
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(fd, mode if mode is not None else umask_mode())
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def with_text(documents: Iterable[Document], what: str) -> Iterator[Document]:
    """Yield the documents that have their text; after the last, raise DocumentError naming every
    one without it (`what` needs the text). For writers that stream."""
    missing: list[Problem] = []
    for document in documents:
        if document.text is None:
            missing.append(Problem(f"{what} needs the document text", doc_id=document.id, field="text"))
        else:
            yield document
    if missing:
        raise DocumentError(missing)


def document_json(document: Document) -> str:
    """The pretty-printed JSON of one document, as written in a folder (stable, UTF-8, newline)."""
    return json.dumps(document.to_dict(), ensure_ascii=False, indent=2) + "\n"


def write_documents(documents: Iterable[Document], path: str | Path) -> int:
    """Write documents as JSON Lines (`.jsonl` path) or a folder of `<id>.json` files; return count.

    Each file is replaced atomically; a folder keeps files of documents not written this time.
    """
    target = Path(path)
    count = 0
    if is_jsonl(target):
        with atomic_writer(target) as handle:
            for document in documents:
                handle.write(json.dumps(document.to_dict(), ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n")
                count += 1
        return count
    if target.exists() and not target.is_dir():
        raise DocumentError([Problem("expected a folder or a .jsonl path", path=str(target))])
    for document in documents:
        atomic_write_text(target / f"{document.id}.json", document_json(document))
        count += 1
    return count


# --------------------------------------------------------------------------------------------
# Reading and validating against the schema


@dataclass
class ValidationReport:
    """What `validate_paths` found: counts and every problem."""

    files: int = 0
    documents: int = 0
    spans: int = 0
    relations: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems

    def to_dict(self) -> dict[str, object]:
        """Plain dict for `--json` output."""
        return {
            "ok": self.ok,
            "files": self.files,
            "documents": self.documents,
            "spans": self.spans,
            "relations": self.relations,
            "problems": [problem.to_dict() for problem in self.problems],
        }


def validate_paths(paths: Iterable[str | Path], schema: Schema, *, gold: bool = True) -> ValidationReport:
    """Read and validate every document in the given files/folders; ids must be unique per file."""
    report = ValidationReport()
    for path in paths:
        report.files += 1
        for loaded in iter_unique(path, require_text=gold):
            report.problems.extend(loaded.problems)
            document = loaded.document
            if document is None:
                continue
            report.documents += 1
            report.spans += len(document.spans)
            report.relations += len(document.relations)
            report.problems.extend(p.at(path=loaded.path, line=loaded.line) for p in validate(document, schema, gold=gold))
    return report


def load_documents(path: str | Path, schema: Schema, *, gold: bool = True, complete: bool | None = None) -> list[Document]:
    """Read and validate a file or folder; raise DocumentError listing every problem, else return all.
    (`complete`: require every required attribute; default `gold`.)"""
    documents: list[Document] = []
    problems: list[Problem] = []
    for loaded in iter_unique(path, require_text=gold):
        problems.extend(loaded.problems)
        if loaded.document is not None:
            documents.append(loaded.document)
            problems.extend(
                p.at(path=loaded.path, line=loaded.line) for p in validate(loaded.document, schema, gold=gold, complete=complete)
            )
    if problems:
        raise DocumentError(problems, path=path)
    return documents
