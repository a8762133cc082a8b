"""Seed articles (`seeds/*.txt`, optional `<stem>.meta.yaml` sidecar) -> Documents.

The text is the file decoded as UTF-8 and nothing else: a leading byte-order mark is stripped
(and recorded as `meta.bom`); line endings are kept exactly as in the file (`meta.newline` says
which), so the offsets of gold annotated on the ingested text stay valid and `meta.sha256`
identifies it. The document id is the file name without `.txt`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import yaml

from newsgold.model.document import Document, text_sha256
from newsgold.model.errors import IngestError
from newsgold.model.validation import DOC_ID_PATTERN
from newsgold.text.segment import Segmenter

SEED_SUFFIX = ".txt"
SIDECAR_SUFFIX = ".meta.yaml"
BOM = "\ufeff"
RESERVED_META = ("source", "sha256", "bom", "newline")


@dataclass(frozen=True)
class SeedText:
    """A seed file's text as ingested, with what was done to get it."""

    text: str
    bom: bool
    newline: str


def read_seed_text(path: Path) -> SeedText:
    """Decode a seed file exactly: strict UTF-8, BOM stripped and recorded, line endings kept."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"cannot read seed: {exc.strerror}", path=path) from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise IngestError(
            f"not valid UTF-8 (byte {raw[exc.start:exc.start + 1]!r} at byte offset {exc.start}); "
            "re-save the article as UTF-8",
            path=path,
            line=line,
        ) from exc
    bom = text.startswith(BOM)
    if bom:
        text = text[len(BOM) :]
    if not text.strip():
        raise IngestError("seed article is empty", path=path)
    return SeedText(text=text, bom=bom, newline=newline_style(text))


def newline_style(text: str) -> str:
    """'lf', 'crlf', 'cr', 'mixed' or 'none': the line endings a text uses."""
    crlf = text.count("\r\n")
    lf = text.count("\n") - crlf
    cr = text.count("\r") - crlf
    kinds = [name for name, count in (("lf", lf), ("crlf", crlf), ("cr", cr)) if count]
    if not kinds:
        return "none"
    return kinds[0] if len(kinds) == 1 else "mixed"


def read_sidecar(path: Path) -> dict[str, Any]:
    """Metadata from `<stem>.meta.yaml` beside a seed (empty if there is none)."""
    sidecar = path.with_name(path.name[: -len(SEED_SUFFIX)] + SIDECAR_SUFFIX)
    if not sidecar.exists():
        return {}
    try:
        data = yaml.safe_load(sidecar.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise IngestError(f"cannot read metadata: {exc}", path=sidecar) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise IngestError(
            f"invalid YAML: {getattr(exc, 'problem', exc)}", path=sidecar, line=mark.line + 1 if mark else None
        ) from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise IngestError("metadata must be a mapping of keys to values", path=sidecar)
    for key in RESERVED_META:
        if key in data:
            raise IngestError(f"{key!r} is computed by newsgold and cannot be set here", path=sidecar, field=key)
    return {str(key): _json_value(value, sidecar, str(key)) for key, value in data.items()}


def _json_value(value: Any, sidecar: Path, key: str) -> Any:
    """A YAML value as JSON: dates and datetimes become ISO strings; anything else unserialisable is an error."""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, list):
        return [_json_value(item, sidecar, f"{key}[{index}]") for index, item in enumerate(value)]
    if isinstance(value, dict):
        return {str(k): _json_value(v, sidecar, f"{key}.{k}") for k, v in value.items()}
    raise IngestError(f"value of type {type(value).__name__} cannot be stored in a document's meta", path=sidecar, field=key)


def seed_files(folder: str | Path) -> list[Path]:
    """The seed articles in a folder, sorted by name; IngestError if there are none."""
    root = Path(folder)
    if not root.is_dir():
        raise IngestError("seed folder not found", path=root)
    files = sorted(p for p in root.iterdir() if p.is_file() and p.name.endswith(SEED_SUFFIX))
    if not files:
        raise IngestError(f"no {SEED_SUFFIX} articles in the seed folder", path=root)
    return files


def seed_document(path: Path, *, segmenter: Segmenter | None = None) -> Document:
    """One seed file as a Document: exact text, provenance, sha256, and (with a segmenter) tokens."""
    doc_id = path.name[: -len(SEED_SUFFIX)]
    if not DOC_ID_PATTERN.match(doc_id):
        raise IngestError(
            f"cannot derive a document id from {path.name!r}: use letters, digits, '.', '_' and '-'", path=path
        )
    seed = read_seed_text(path)
    meta: dict[str, Any] = {"source": f"{path.parent.name}/{path.name}", "sha256": text_sha256(seed.text)}
    if seed.bom:
        meta["bom"] = True
    meta["newline"] = seed.newline
    meta.update(read_sidecar(path))
    document = Document(id=doc_id, text=seed.text, meta=meta)
    if segmenter is not None:
        segmentation = segmenter.segment(seed.text)
        document.tokens = segmentation.tokens
        document.sentences = segmentation.sentences
    return document


def ingest_seeds(folder: str | Path, *, segmenter: Segmenter | None = None) -> Iterator[Document]:
    """Every seed article of a folder as a Document with tokens and sentences, in name order."""
    segmenter = segmenter if segmenter is not None else Segmenter()
    for path in seed_files(folder):
        yield seed_document(path, segmenter=segmenter)
