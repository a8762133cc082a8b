"""Agreement figures as Markdown tables, for docs/agreement.md and the dataset card.

Renders the JSON that `newsgold annotate agreement --out` writes; every number on the page comes
from that file, never typed by hand. Span F1 is pairwise and symmetric (2·matches / spans of both
annotations); relation F1 counts a relation as shared when both heads overlap-match and the tails
match (for a tail with an identity attribute, such as a speaker's `entity`, the same referent).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from newsgold.io.reports import read_json_report
from newsgold.model.schema import Schema

AGREEMENT_BLOCK = "agreement-tables"  # docs/agreement.md's generated block: <!-- BEGIN agreement-tables -->
REQUIRED_KEYS = ("annotators", "documents_compared", "span_f1", "token_alpha", "attributes", "relations_f1")


def load_agreement(path: str | Path) -> dict[str, Any]:
    """An agreement JSON file as written by `annotate agreement --out`; NewsgoldError names what is wrong."""
    return read_json_report(path, what="agreement file", hint="run `newsgold annotate agreement FOLDER --out FILE`",
                            required=REQUIRED_KEYS)


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def span_rows(result: Mapping[str, Any], schema: Schema) -> list[str]:
    """Per-label span agreement: spans behind each figure, strict and overlap F1, token alpha."""
    rows = ["| label | spans (both annotations) | strict F1 | overlap F1 | token α |", "| --- | ---: | ---: | ---: | ---: |"]
    for label in schema.label_names:
        strict, overlap = result["span_f1"]["strict"][label], result["span_f1"]["overlap"][label]
        rows.append(
            f"| `{label}` | {strict['spans_a'] + strict['spans_b']} | {_fmt(strict['f1'])} | {_fmt(overlap['f1'])} "
            f"| {_fmt(result['token_alpha'][label])} |"
        )
    return rows


def _tail_rule(schema: Schema, name: str) -> str:
    """How the tails of a relation are matched: by referent when the tail label has an identity attribute."""
    if name not in schema.relation_names:
        return "overlap"
    identities = [f"same `{schema.identity_attributes()[label].name}`" for label in schema.relation(name).tail
                  if label in schema.identity_attributes()]
    return ", ".join(identities) or "overlap"


def relation_rows(result: Mapping[str, Any], schema: Schema) -> list[str]:
    """Per-relation agreement with the relations behind each figure and how tails are matched."""
    rows = ["| relation | relations (both annotations) | tails matched by | F1 |", "| --- | ---: | --- | ---: |"]
    for name, entry in result["relations_f1"].items():
        rows.append(f"| `{name}` | {entry['relations_a'] + entry['relations_b']} | {_tail_rule(schema, name)} | {_fmt(entry['f1'])} |")
    return rows


def attribute_rows(result: Mapping[str, Any]) -> list[str]:
    """Per-attribute agreement on overlap-matched spans."""
    rows = ["| attribute | matched span pairs | agreement |", "| --- | ---: | ---: |"]
    for name, entry in result["attributes"].items():
        rows.append(f"| `{name}` | {entry['compared']} | {_fmt(entry['agreement'])} |")
    return rows


def summary_line(result: Mapping[str, Any]) -> str:
    """Which documents and how many annotators the figures rest on."""
    documents = result.get("documents") or []
    named = f" ({', '.join(f'`{d}`' for d in documents)})" if documents else ""
    return (
        f"{result['documents_compared']} document(s){named} annotated independently by two annotators each "
        f"({len(result['annotators'])} annotators in all, pseudonymous); schema v{result.get('schema_version', '?')}."
    )


def agreement_markdown(result: Mapping[str, Any], schema: Schema) -> str:
    """The generated block of docs/agreement.md: summary and the three tables."""
    lines = [
        summary_line(result),
        "",
        "Spans, per label (pairwise F1: 2 × matches / spans of both annotations):",
        "",
        *span_rows(result, schema),
        "",
        "Relations (a relation is shared when both heads overlap-match and the tails match; a tail "
        "with an identity attribute matches by referent, so that row is attribution agreement):",
        "",
        *relation_rows(result, schema),
        "",
        "Attributes, on overlap-matched spans:",
        "",
        *attribute_rows(result),
        "",
    ]
    return "\n".join(lines)
