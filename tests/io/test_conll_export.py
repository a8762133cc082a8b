"""CoNLL IOB2 export: what it writes reads back (through eval's own reader) to the same spans."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from strategies import SCHEMA, documents
from typer.testing import CliRunner

from newsgold.cli import app
from newsgold.io.carried import Carried
from newsgold.io.conll import write_conll
from newsgold.io.documents import read_documents, write_documents
from newsgold.io.predictions import load_predictions
from newsgold.model.document import Document, Span
from newsgold.text.segment import Segmenter

REPO = Path(__file__).resolve().parents[2]
SEGMENTER = Segmenter()
runner = CliRunner()


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(documents(separators=(" ", "\r\n", "\n")))
def test_export_reads_back_to_the_same_spans(tmp_path_factory: pytest.TempPathFactory, document: Document) -> None:
    path = tmp_path_factory.mktemp("conll") / "out.conll"
    carried = Carried()
    write_conll([document], path, SCHEMA, carried, SEGMENTER)
    [back] = load_predictions(path, SCHEMA, {document.id: document})
    assert {(s.label, s.start, s.end) for s in back.spans} == {(s.label, s.start, s.end) for s in document.spans}
    attributes = sum(len(s.attrs) for s in document.spans)
    assert carried.dropped["attribute value(s)"] == attributes and carried.dropped["relation(s)"] == len(document.relations)


def test_overlapping_spans_of_one_label_are_reported(tmp_path: Path) -> None:
    text = "Russia asked the UN for aid."
    document = Document(id="d", text=text, spans=[Span("A", "EVENT", 7, 12), Span("B", "EVENT", 7, 19)])
    carried = Carried()
    write_conll([document], tmp_path / "o.conll", SCHEMA, carried, SEGMENTER)
    assert carried.dropped["span(s) overlapping another of their label (one tag per token)"] == 1
    [back] = load_predictions(tmp_path / "o.conll", SCHEMA, {"d": document})
    assert [(s.start, s.end) for s in back.spans] == [(7, 19)]  # the longest of those starting first is kept


def test_cli_exports_gold_that_scores_perfectly(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    write_documents(read_documents(REPO / "gold")[:4], gold)
    result = runner.invoke(app, ["convert", str(gold), str(tmp_path / "gold.conll"), "--from", "native", "--to", "conll"])
    assert result.exit_code == 0, result.output
    assert "not carried:" in result.output and "relation(s)" in result.output
    scored = runner.invoke(app, ["eval", "score", str(gold), str(tmp_path / "gold.conll"), "--json", "--samples", "10"])
    assert scored.exit_code == 0, scored.output
    micro = json.loads(scored.output)["scores"]["strict"]["micro"]
    assert micro["f1"] == 1.0 and micro["support"] > 100
    result = runner.invoke(app, ["convert", str(tmp_path / "gold.conll"), str(tmp_path / "x.jsonl"), "--from", "conll"])
    assert result.exit_code == 1 and "cannot read 'conll'" in result.output
