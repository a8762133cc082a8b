"""Report writers: a registry, so a new report format is one function and one registration line.

Each writer turns an evaluation (the report dict, the documents it was computed on, the schema)
into the text of one file. `eval score` and `eval run` write any registered report with
`--report NAME=PATH`; `--json-out`, `--markdown` and `--html` are shorthands for the shipped ones.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping

from newsgold.io.documents import atomic_write_text
from newsgold.model.errors import NewsgoldError
from newsgold.model.schema import Schema

if TYPE_CHECKING:  # the renderers and the scorer are imported when a report is written, not when they are listed
    from newsgold.evaluate.run import Evaluation


@dataclass(frozen=True)
class ReportWriter:
    """A registered report format: its name (for `--report NAME=PATH`), what it is, and how to write it."""

    name: str
    description: str
    render: Callable[[dict[str, Any], Evaluation, Schema], str]


REPORT_WRITERS: dict[str, ReportWriter] = {}


def register_report(writer: ReportWriter) -> ReportWriter:
    """Make a report format available to `--report NAME=PATH` (and listed in --help)."""
    REPORT_WRITERS[writer.name] = writer
    return writer


def parse_report_targets(specs: list[str]) -> dict[str, Path]:
    """`["html=build/r.html", …]` -> {"html": Path(...)}; NewsgoldError names a bad or unknown entry."""
    targets: dict[str, Path] = {}
    for spec in specs:
        name, sep, path = spec.partition("=")
        if not sep or not name or not path:
            raise NewsgoldError(f"--report takes NAME=PATH, got {spec!r}", field="--report")
        if name not in REPORT_WRITERS:
            raise NewsgoldError(f"unknown report {name!r} (reports: {', '.join(REPORT_WRITERS)})", field="--report")
        targets[name] = Path(path)
    return targets


def write_reports(report: dict[str, Any], evaluation: Evaluation, schema: Schema, targets: Mapping[str, Path]) -> None:
    """Write each requested report atomically."""
    for name, path in targets.items():
        atomic_write_text(path, REPORT_WRITERS[name].render(report, evaluation, schema))


register_report(ReportWriter("json", "the full JSON report", lambda report, evaluation, schema: json.dumps(report, ensure_ascii=False, indent=2) + "\n"))


def _markdown(report: dict[str, Any], evaluation: Evaluation, schema: Schema) -> str:
    from newsgold.evaluate.report_text import score_markdown

    return score_markdown(report)


def _html(report: dict[str, Any], evaluation: Evaluation, schema: Schema) -> str:
    from newsgold.evaluate.report_html import score_html

    return score_html(report, evaluation.gold, evaluation.predictions, schema)


register_report(ReportWriter("markdown", "score tables in Markdown", _markdown))
register_report(ReportWriter("html", "a self-contained page with gold and predicted spans side by side and every error", _html))
