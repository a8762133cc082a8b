"""Committed score reports (`eval … --json-out`) as a Markdown table, for the card and the README.

The table is rendered from the JSON reports, never typed by hand: one column per report (e.g. the
baseline on the train and on the test split), strict span P / R / F1 per label with the 95%
bootstrap interval over documents, the micro average, and relations.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from newsgold.io.reports import read_json_report


def load_score_report(path: str | Path) -> dict[str, Any]:
    """A JSON score report; NewsgoldError names the file and what is missing."""
    return read_json_report(path, what="score report", hint="write it with `newsgold eval run … --json-out FILE`",
                            required=("scores", "documents"))


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _cell(entry: Mapping[str, Any]) -> str:
    """`P / R / **F1** [low–high]`; a dash where a figure is undefined (nothing predicted or nothing in the gold)."""
    low, high = entry.get("f1_ci") or (None, None)
    interval = f" [{low:.3f}–{high:.3f}]" if low is not None and high is not None else ""
    return f"{_number(entry.get('precision'))} / {_number(entry.get('recall'))} / **{_number(entry.get('f1'))}**{interval}"


def score_rows(reports: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Rows `| what | <column> … |`: strict spans per label, strict micro, relations per label."""
    names = list(reports)
    first = next(iter(reports.values()))
    rows = ["| strict, P / R / F1 [95% CI] | " + " | ".join(f"{name} ({reports[name]['documents']['scored']} docs)" for name in names) + " |",
            "| --- | " + " | ".join("---" for _ in names) + " |"]
    for label in first["scores"]["strict"]["per_label"]:
        rows.append(f"| `{label}` | " + " | ".join(_cell(reports[n]["scores"]["strict"]["per_label"][label]) for n in names) + " |")
    rows.append("| micro | " + " | ".join(_cell(reports[n]["scores"]["strict"]["micro"]) for n in names) + " |")
    for relation in first["scores"]["relations"]["per_label"]:
        rows.append(f"| relation `{relation}` | " + " | ".join(_cell(reports[n]["scores"]["relations"]["per_label"][relation]) for n in names) + " |")
    return rows
