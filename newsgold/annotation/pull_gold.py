"""`annotate pull` as one library call: export (or read an export file), convert, write per annotator,
adjudicate, write gold — and everything the command reports about it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsgold.annotation.adjudicate import Adjudication, adjudicate
from newsgold.annotation.client import connect, project_by_title
from newsgold.annotation.pull import (
    Conversion,
    GoldWrite,
    convert_export,
    export_snapshot,
    record_pseudonyms,
    write_by_annotator,
    write_gold,
)
from newsgold.annotation.settings import LabelStudioSettings
from newsgold.model.errors import DocumentError, SyncError
from newsgold.model.schema import Schema


@dataclass
class PullOutcome:
    """What a pull converted, wrote per annotator, decided and wrote as gold."""

    conversion: Conversion
    by_annotator: dict[str, int]
    decided: Adjudication
    written: GoldWrite

    @property
    def failed(self) -> bool:
        """An annotation with a problem, an unresolved document, or gold that would change without --force."""
        return bool(self.conversion.problems or self.written.refused or self.decided.unresolved)

    def to_dict(self) -> dict[str, Any]:
        """The report of `annotate pull --json`."""
        return {
            "tasks": self.conversion.tasks,
            "annotations": len(self.conversion.annotations),
            "cancelled_dropped": self.conversion.cancelled,
            "by_annotator": self.by_annotator,
            "problems": [p.to_dict() for p in self.conversion.problems],
            "gold_written": self.written.written,
            "gold_unchanged": self.written.unchanged,
            "gold_refused": self.written.refused,
            "rules": self.decided.rule,
            "disagreements": self.decided.disagreements,
            "unresolved": self.decided.unresolved,
        }


def read_export(path: Path) -> Any:
    """A Label Studio JSON export file (as exported in the browser); SyncError if it cannot be read."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SyncError(f"cannot read the export: {exc}", path=path) from exc


def pull_gold(
    settings: LabelStudioSettings,
    schema: Schema,
    *,
    out: Path,
    gold: Path,
    force: bool = False,
    drop_invalid: bool = False,
    from_export: Path | None = None,
    url: str | None = None,
) -> PullOutcome:
    """Export the project's annotations (or read `from_export`), write them per annotator into `out`,
    adjudicate, and write the gold into `gold` (a differing gold file only with `force`)."""
    if from_export is not None:
        tasks, source = read_export(from_export), str(from_export)
    else:
        connection = connect(settings, url=url)
        project = project_by_title(connection, settings.project_title)
        tasks = export_snapshot(connection, int(project.id))
        source = f"{connection.url} project {project.id}"
    conversion = convert_export(tasks, schema, source=source)
    if conversion.tasks == 0 and conversion.problems:
        raise DocumentError(conversion.problems)
    record_pseudonyms(conversion, settings.data_dir)
    counts = write_by_annotator(conversion.annotations, out)
    decided = adjudicate(conversion.annotations, schema, invalid=conversion.invalid, drop_invalid=drop_invalid)
    written = write_gold(decided.gold, gold, force=force)
    return PullOutcome(conversion, counts, decided, written)
