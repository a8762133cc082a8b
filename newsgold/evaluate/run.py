"""File-level evaluation: read gold and predictions, score, hash the inputs; run a system first.

These are the library functions behind `newsgold eval score | run | compare`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from newsgold.evaluate.scorer import ScoreOptions, ScoreResult, score
from newsgold.io.documents import load_documents, write_documents
from newsgold.io.predictions import load_predictions
from newsgold.model.document import Document
from newsgold.model.errors import NewsgoldError
from newsgold.model.schema import Schema
from newsgold.runtime import paused_gc
from newsgold.systems.adapters import System


def path_sha256(path: str | Path) -> str:
    """SHA-256 of a file, or of a folder's files (sorted names and their hashes)."""
    source = Path(path)
    if source.is_file():
        return hashlib.sha256(source.read_bytes()).hexdigest()
    digest = hashlib.sha256()
    for file in sorted(p for p in source.rglob("*") if p.is_file()):
        digest.update(str(file.relative_to(source)).encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()


@dataclass
class Evaluation:
    """A score together with the documents it was computed on (the HTML report needs both)."""

    result: ScoreResult
    gold: list[Document]
    predictions: list[Document]


def _of_split(gold: list[Document], split: str | None, assign: Callable[[str], str] | None, gold_path: str | Path) -> list[Document]:
    """The gold documents of `split` (all without one); NewsgoldError when the split has none."""
    if split is None:
        return gold
    if assign is None:
        raise ValueError("a split needs the rule that assigns documents to splits")
    kept = [d for d in gold if assign(d.id) == split]
    if not kept:
        raise NewsgoldError(f"no gold document is in split {split!r}", path=str(gold_path))
    return kept


@paused_gc()
def score_files(
    gold_path: str | Path,
    pred_path: str | Path,
    schema: Schema,
    *,
    fmt: str = "auto",
    ls_source: str = "predictions",
    options: ScoreOptions = ScoreOptions(),
    split: str | None = None,
    assign: Callable[[str], str] | None = None,
) -> Evaluation:
    """Validate the gold, read predictions in any format, score them; inputs hashed in the report.

    With `split` (and `assign`, document id -> split name, e.g. the corpus split rule) only the
    gold documents of that split are scored, and predictions for other documents are set aside.
    """
    gold = load_documents(gold_path, schema)
    by_id = {d.id: d for d in gold}
    gold = _of_split(gold, split, assign, gold_path)
    predictions = load_predictions(pred_path, schema, by_id, fmt=fmt, ls_source=ls_source)
    if split is not None:
        kept = {d.id for d in gold}
        predictions = [p for p in predictions if p.id in kept or p.id not in by_id]  # unknown ids stay: they are errors
    result = score(gold, predictions, schema, options=options)
    result.inputs = {
        "gold": {"path": str(gold_path), "sha256": path_sha256(gold_path)},
        "predictions": {"path": str(pred_path), "sha256": path_sha256(pred_path), "format": fmt},
    }
    if split is not None:
        result.inputs["split"] = {"name": split, "documents": len(gold)}
    return Evaluation(result, gold, predictions)


def run_system(system: System, gold: list[Document], *, progress=None) -> Iterator[Document]:  # type: ignore[no-untyped-def]
    """Predictions of a system for the gold documents, in order (text left out)."""
    inputs = [Document(id=d.id, text=d.text, meta=dict(d.meta)) for d in gold]
    status = getattr(system, "status", None)  # e.g. an LLM's requests and tokens so far
    for prediction in system.predict(inputs):
        if progress is not None:
            progress.advance(1)
            if callable(status) and hasattr(progress, "describe"):
                progress.describe(f"running {system.name} · {status()}")
        yield prediction


@paused_gc()
def run_and_score(
    system: System,
    gold_path: str | Path,
    schema: Schema,
    *,
    out: str | Path,
    options: ScoreOptions = ScoreOptions(),
    split: str | None = None,
    assign: Callable[[str], str] | None = None,
    progress: Any = None,
) -> Evaluation:
    """Run a system over the gold documents (of one split), write its predictions to `out`, and score
    them — in memory, without reading the file back; the report names `out` and its hash."""
    gold = load_documents(gold_path, schema)
    gold = _of_split(gold, split, assign, gold_path)
    if progress is not None:
        progress.start(len(gold))
    predictions = list(run_system(system, gold, progress=progress))
    write_documents(predictions, out)
    result = score(gold, predictions, schema, options=options)
    result.inputs = {
        "gold": {"path": str(gold_path), "sha256": path_sha256(gold_path)},
        "predictions": {"path": str(out), "sha256": path_sha256(out), "format": "native"},
    }
    if split is not None:
        result.inputs["split"] = {"name": split, "documents": len(gold)}
    result.inputs["system"] = system.name
    return Evaluation(result, gold, predictions)
