"""Pre-annotations for `annotate push`: a system's output or a predictions file, grounded in the tasks.

Whatever a system gives (offsets, or text only as LLM extractors do) becomes offsets in the task
text before it is pushed; spans that cannot be grounded are not pushed and are counted by the
push. The Label Studio `model_version` names where the pre-annotations came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from newsgold import __version__
from newsgold.evaluate.run import path_sha256, run_system
from newsgold.evaluate.scorer import align
from newsgold.io.predictions import load_predictions
from newsgold.model.document import Document
from newsgold.model.errors import NewsgoldError
from newsgold.model.schema import Schema
from newsgold.systems.adapters import System, resolve_system


@dataclass
class PreAnnotations:
    """Grounded predictions by document id, and the model_version they are pushed under."""

    predictions: dict[str, Document]
    model_version: str
    failures: dict[str, str] = field(default_factory=dict)  # document id -> why the system gave nothing usable


def pre_annotations(
    documents: Sequence[Document],
    schema: Schema,
    *,
    system: str | System | None = None,
    predictions: Path | None = None,
    model_version: str | None = None,
) -> PreAnnotations | None:
    """Run `system` (a name as `eval run` takes it, or a built System such as an LLM) on the documents
    or read a `predictions` file, and ground them.

    None when neither is given; NewsgoldError when both are. The model_version is the system's own
    when it has one (an LLM: model and prompt hash), else its name and the newsgold version.
    """
    if predictions is not None and system is not None:
        raise NewsgoldError("give --predictions or a system (--system, --llm), not both")
    if system is not None:
        chosen = resolve_system(system, schema=schema) if isinstance(system, str) else system
        found = list(run_system(chosen, list(documents)))
        version = model_version or getattr(chosen, "model_version", None) or f"{chosen.name}-newsgold-{__version__}"
    elif predictions is not None:
        found = load_predictions(predictions, schema, {d.id: d for d in documents})
        version = model_version or f"{predictions.stem}-{path_sha256(predictions)[:8]}"
    else:
        return None
    failures = {p.id: str(p.meta["failure"]) for p in found if p.meta.get("failure")}
    found = [p for p in found if p.id not in failures]  # a failed document gets no (empty) pre-annotation
    pairs, _, _, _ = align(documents, found, schema, allow_ungrounded=True)
    return PreAnnotations({p.id: p for _, p in pairs if p.id not in failures}, version, failures)
