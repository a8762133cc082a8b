"""Label Studio tasks export (with one annotation each) and its read-back: nothing lost, meta included."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from strategies import SCHEMA, documents
from typer.testing import CliRunner

from newsgold.annotation.pull import convert_export, same_annotation
from newsgold.cli import app
from newsgold.io.conversion import convert
from newsgold.io.documents import read_documents, write_documents
from newsgold.model.document import Document

REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(documents(separators=(" ", "\r\n")))
def test_tasks_round_trip(tmp_path_factory: pytest.TempPathFactory, document: Document) -> None:
    folder = tmp_path_factory.mktemp("ls")
    document.meta = {"source": "seeds/d.txt", "license": "CC-BY-2.5"}
    write_documents([document], folder / "in.jsonl")
    convert(folder / "in.jsonl", folder / "tasks.json", SCHEMA, source_format="native", target_format="labelstudio")
    convert(folder / "tasks.json", folder / "back.jsonl", SCHEMA, source_format="labelstudio", target_format="native")
    [back] = read_documents(folder / "back.jsonl")
    assert back.id == document.id and back.text == document.text and back.meta == document.meta
    assert same_annotation(document, back)


def test_the_export_is_what_annotate_pull_reads(tmp_path: Path) -> None:
    """The same task layout as the project's: pull's converter takes the file, checks the text hash, finds no problem."""
    gold = read_documents(REPO / "gold")[:2]
    write_documents(gold, tmp_path / "gold.jsonl")
    result = runner.invoke(app, ["convert", str(tmp_path / "gold.jsonl"), str(tmp_path / "tasks.json"), "--from", "native", "--to", "labelstudio"])
    assert result.exit_code == 0, result.output
    assert "not carried" not in result.output  # tasks hold text, meta, spans, attributes and relations
    tasks = json.loads((tmp_path / "tasks.json").read_text(encoding="utf-8"))
    for task in tasks:
        task["annotations"][0].update(id=7, completed_by=3)
    conversion = convert_export(tasks, SCHEMA, source="tasks.json")
    assert conversion.problems == [] and conversion.tasks == 2
    assert all(same_annotation(a.document, g) for a, g in zip(conversion.annotations, gold))
    tasks[0]["data"]["text"] += " changed"  # the recorded hash catches an edited text
    assert "recorded sha256" in convert_export(tasks, SCHEMA).problems[0].message
