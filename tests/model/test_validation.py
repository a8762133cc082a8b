"""Every validation rule: one mutation of a valid document per row, and the problem it must raise."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest
from conftest import TEXT, base_document

from newsgold.io.documents import load_documents, validate_paths
from newsgold.model.document import Document, parse_document
from newsgold.model.errors import DocumentError
from newsgold.model.schema import Schema
from newsgold.model.validation import validate


def test_base_document_is_valid(schema: Schema, doc_dict: dict) -> None:
    assert validate(Document.from_dict(doc_dict), schema) == []


def _span(doc: dict, span_id: str) -> dict:
    return next(span for span in doc["spans"] if span["id"] == span_id)


def _edit(**changes: Any) -> Callable[[dict], None]:
    def apply(doc: dict) -> None:
        span = _span(doc, changes.pop("span"))
        span.update(changes)
    return lambda doc: apply(doc) if "span" in changes else None


Mutation = Callable[[dict], None]
CASES: list[tuple[str, Mutation, str | None, str | None, str]] = [
    # (name, mutation, span id, field, message fragment)
    ("end out of range", lambda d: _span(d, "T4").update(end=500, text=None), "T4", "end", "past the end of the text"),
    ("negative start", lambda d: _span(d, "T1").update(start=-1, text=None), "T1", "start", "negative"),
    ("inverted offsets", lambda d: _span(d, "T1").update(start=6, end=2, text=None), "T1", "end", "inverted"),
    ("empty span", lambda d: _span(d, "T1").update(start=3, end=3, text=None), "T1", "end", "empty"),
    ("starts on whitespace", lambda d: _span(d, "T1").update(start=6, end=11, text=None), "T1", "start", "starts on whitespace"),
    ("ends on whitespace", lambda d: _span(d, "T1").update(end=7, text="Russia "), "T1", "end", "ends on whitespace"),
    ("text differs", lambda d: _span(d, "T1").update(text="Moscow"), "T1", "text", "does not equal"),
    ("unknown label", lambda d: _span(d, "T4").update(label="BIAS"), "T4", "label", "unknown label 'BIAS'"),
    ("unknown attribute", lambda d: _span(d, "T3")["attrs"].update(tense="past"), "T3", "attrs.tense", "unknown attribute"),
    ("unknown value", lambda d: _span(d, "T3")["attrs"].update(type="WAR"), "T3", "attrs.type", "'WAR' is not a value"),
    ("missing required attribute", lambda d: _span(d, "T1")["attrs"].pop("entity"), "T1", "attrs.entity", "missing required"),
    ("empty free text", lambda d: _span(d, "T1")["attrs"].update(entity="  "), "T1", "attrs.entity", "is empty"),
    ("same-label overlap", lambda d: d["spans"].append(
        {"id": "T5", "label": "FRAMING", "start": 43, "end": 51, "attrs": _span(d, "T4")["attrs"]}),
     "T5", "start", "overlaps FRAMING span 'T4'"),
    ("duplicate span id", lambda d: d["spans"].append(dict(_span(d, "T1"))), "T1", "id", "duplicate span id"),
    ("sha256 mismatch", lambda d: d["meta"].update(sha256="0" * 64), None, "meta.sha256", "does not match"),
    ("bad document id", lambda d: d.update(id="a/b"), None, "id", "may hold only"),
    ("token out of range", lambda d: d.update(tokens=[[0, 6], [5, 999]]), None, "tokens[1]", "out of range"),
]


@pytest.mark.parametrize(("name", "mutate", "span_id", "field", "message"), CASES, ids=[c[0] for c in CASES])
def test_each_rule_reports_its_place(
    schema: Schema, doc_dict: dict, name: str, mutate: Mutation, span_id: str | None, field: str, message: str
) -> None:
    mutate(doc_dict)
    problems = validate(Document.from_dict(doc_dict), schema)
    matching = [p for p in problems if message in p.message]
    assert matching, f"expected {message!r} in {[str(p) for p in problems]}"
    assert matching[0].field == field
    assert matching[0].span_id == span_id
    assert matching[0].doc_id == doc_dict["id"]


RELATION_CASES = [
    ("missing tail", {"label": "attributed_to", "head": "T2", "tail": "T9"}, "tail", "'T9' is not a span"),
    ("missing head", {"label": "about", "head": "T0", "tail": "T3"}, "head", "'T0' is not a span"),
    ("wrong tail label", {"label": "attributed_to", "head": "T2", "tail": "T3"}, "tail", "must be a SPEAKER span"),
    ("wrong head label", {"label": "about", "head": "T1", "tail": "T3"}, "head", "must be a CLAIM span"),
    ("unknown relation", {"label": "cites", "head": "T2", "tail": "T1"}, "label", "unknown relation 'cites'"),
    ("duplicate", {"label": "about", "head": "T2", "tail": "T3"}, "label", "duplicate relation"),
    ("self loop", {"label": "about", "head": "T2", "tail": "T2"}, "tail", "to itself"),
]


@pytest.mark.parametrize(("name", "relation", "field", "message"), RELATION_CASES, ids=[c[0] for c in RELATION_CASES])
def test_relation_rules(schema: Schema, doc_dict: dict, name: str, relation: dict, field: str, message: str) -> None:
    doc_dict["relations"].append(relation)
    problems = validate(Document.from_dict(doc_dict), schema)
    matching = [p for p in problems if message in p.message]
    assert matching, [str(p) for p in problems]
    assert matching[0].relation == 2
    assert matching[0].field == field


def test_nesting_of_different_labels_is_allowed(schema: Schema, doc_dict: dict) -> None:
    # T3 (EVENT) and T4 (FRAMING) sit inside T2 (CLAIM); touching same-label spans do not overlap.
    doc_dict["spans"].append(
        {"id": "T5", "label": "SPEAKER", "start": 52, "end": 54, "attrs": {"mention": "pronoun", "entity": "Russia"}}
    )
    doc_dict["spans"].append(
        {"id": "T6", "label": "SPEAKER", "start": 6 - 6, "end": 6, "attrs": {"mention": "name", "entity": "Russia"}}
    )
    problems = validate(Document.from_dict(doc_dict), schema)
    assert [p.span_id for p in problems] == ["T6"]  # only the exact duplicate of T1 overlaps


@pytest.mark.parametrize(
    ("start", "end", "crosses"),
    [
        (10, 14, True),    # FRAMING 10:14 crosses the CLAIM 12:50 at its start
        (45, 53, True),    # … and at its end (the scare-quote case: a claim one character short)
        (12, 50, False),   # the same offsets: nesting
        (13, 49, False),   # inside
        (0, 53, False),    # around
        (50, 53, False),   # touching, not overlapping
    ],
)
def test_spans_of_different_labels_nest_but_never_cross(schema: Schema, doc_dict: dict, start: int, end: int, crosses: bool) -> None:
    _span(doc_dict, "T4").update(start=start, end=end, text=TEXT[start:end])
    problems = [p for p in validate(Document.from_dict(doc_dict), schema) if "cross" in p.message]
    if crosses:
        [problem] = problems  # one report per crossing pair, at the span that starts later
        assert problem.doc_id == "doc-1" and problem.field == "start"
        later, earlier = ("T2", "T4") if start < 12 else ("T4", "T2")
        assert problem.span_id == later and repr(earlier) in problem.message and "may nest but not cross" in problem.message
    else:
        assert problems == []


def test_predictions_may_cross(schema: Schema, doc_dict: dict) -> None:
    _span(doc_dict, "T4").update(start=45, end=53, text=TEXT[45:53])
    assert validate(Document.from_dict(doc_dict), schema, gold=False) == []


def test_every_problem_is_reported_not_just_the_first(schema: Schema, doc_dict: dict) -> None:
    _span(doc_dict, "T1").update(text="Moscow")
    _span(doc_dict, "T3")["attrs"]["type"] = "WAR"
    doc_dict["relations"][0]["tail"] = "T9"
    problems = validate(Document.from_dict(doc_dict), schema)
    assert {p.field for p in problems} == {"text", "attrs.type", "tail"}


def test_predictions_may_omit_text_offsets_and_attributes(schema: Schema) -> None:
    prediction = {"id": "doc-1", "spans": [{"id": "P1", "label": "SPEAKER", "text": "Russia"}], "relations": []}
    document, structural = parse_document(prediction, require_text=False)
    assert structural == [] and document is not None
    assert validate(document, schema, gold=False) == []
    gold_problems = validate(document, schema, gold=True)
    assert {p.field for p in gold_problems} >= {"text", "start", "attrs.mention"}


def _write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_file_level_problems_have_line_numbers(schema: Schema, tmp_path: Path) -> None:
    good = json.dumps(base_document(), ensure_ascii=False)
    path = _write_jsonl(tmp_path / "gold.jsonl", [good, '{"id": "x", "text": ', good])
    with path.open("ab") as handle:
        handle.write(b'{"id": "latin", "text": "caf\xe9"}\n')
    report = validate_paths([path], schema)
    by_line = {p.line: p for p in report.problems}
    assert "invalid JSON" in by_line[2].message
    assert "duplicate document id" in by_line[3].message and by_line[3].doc_id == "doc-1"
    assert "not valid UTF-8" in by_line[4].message
    assert all(p.path == str(path) for p in report.problems)
    assert len(report.problems) == 3


def test_load_documents_raises_with_every_problem(schema: Schema, tmp_path: Path) -> None:
    bad = base_document()
    bad["spans"][0]["label"] = "BIAS"
    bad["relations"].append({"label": "about", "head": "T2", "tail": "T7"})
    path = _write_jsonl(tmp_path / "gold.jsonl", [json.dumps(bad)])
    with pytest.raises(DocumentError) as info:
        load_documents(path, schema)
    assert len(info.value.problems) >= 3  # unknown label, relation tail missing, wrong tail label
    assert all(p.line == 1 for p in info.value.problems)


def test_missing_file_and_empty_folder(schema: Schema, tmp_path: Path) -> None:
    report = validate_paths([tmp_path / "nope.jsonl", tmp_path], schema)
    messages = [p.message for p in report.problems]
    assert "no such file or folder" in messages[0]
    assert "folder holds no .json documents" in messages[1]
