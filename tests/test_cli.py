"""The command line through Typer's CliRunner: exit codes, messages, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import base_document
from typer.testing import CliRunner

from newsgold.cli import app

REPO = Path(__file__).parents[1]
runner = CliRunner()


def invoke(*args: str):  # type: ignore[no-untyped-def]
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_help_lists_the_command_groups() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    for group in ("schema", "corpus", "validate"):
        assert group in result.output


def _command_paths() -> list[list[str]]:
    import typer.main

    def walk(command, path):  # type: ignore[no-untyped-def]
        yield path
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, [*path, name])

    return list(walk(typer.main.get_command(app), []))


@pytest.mark.parametrize("path", _command_paths(), ids=lambda p: " ".join(p) or "newsgold")
def test_help_follows_the_conventions(path: list[str]) -> None:
    """ARGUMENTS in capitals, flags without a value, option values named by kind, and an example
    in every command and group: no Typer type labels such as <bool> or {gold}."""
    import re

    result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert not re.findall(r"<(?:bool|str|int|float|path|file|list\[\w+\])>|\{[a-z_]+\}", result.output), result.output
    assert "Example" in result.output


def test_a_flag_takes_no_value() -> None:
    result = runner.invoke(app, ["schema", "show", "--json", "true"])
    assert result.exit_code == 2 and "Got unexpected extra argument" in result.output


def test_no_arguments_shows_help_and_unknown_options_are_usage_errors() -> None:
    assert "Usage" in invoke().output
    assert invoke("validate", "--bogus").exit_code == 2


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0 and result.output.startswith("newsgold ")


def test_schema_validate_ok_and_bad(tmp_path: Path) -> None:
    assert invoke("schema", "validate").exit_code == 0
    assert invoke("schema", "validate", str(REPO / "configs" / "schema.yaml")).exit_code == 0
    bad = tmp_path / "schema.yaml"
    bad.write_text("version: 1\nlabels:\n  A: {color: '#000000', hotkey: a}\nrelations:\n  r: {head: [A], tail: [Z]}\n")
    result = invoke("schema", "validate", str(bad))
    assert result.exit_code == 1
    assert "relations.r.tail" in result.output and "unknown label 'Z'" in result.output


def test_schema_show_json_matches_the_file() -> None:
    result = invoke("schema", "show", "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert list(data["labels"]) == ["CLAIM", "SPEAKER", "EVENT", "FRAMING"]
    assert invoke("schema", "show").exit_code == 0


def test_guidelines_name_every_label_attribute_and_value(schema, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "ref.md"
    assert invoke("schema", "guidelines", "--out", str(out)).exit_code == 0
    markdown = out.read_text(encoding="utf-8")
    assert markdown == invoke("schema", "guidelines").output
    for label in schema.labels:
        assert f"### {label.name}" in markdown
        for attribute in label.attributes:
            assert f"`{attribute.name}`" in markdown
            for value in attribute.values:
                assert f"`{value.name}`" in markdown
    for relation in schema.relations:
        assert f"`{relation.name}`" in markdown


def test_validate_valid_file_exits_zero(tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(base_document()) + "\n")
    result = invoke("validate", str(path))
    assert result.exit_code == 0
    assert "ok:" in result.output and "4 span(s)" in result.output


def test_validate_prints_one_message_per_problem(tmp_path: Path) -> None:
    doc = base_document()
    doc["spans"][0]["end"] = 500                       # out of range
    doc["spans"][1]["text"] = "something else"         # text mismatch
    doc["spans"][2]["attrs"]["type"] = "WAR"           # unknown value
    doc["spans"][3]["label"] = "BIAS"                  # unknown label
    doc["relations"][1]["tail"] = "T9"                 # missing relation end
    lines = [json.dumps(doc), "{not json", json.dumps(base_document())]
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n")
    result = invoke("validate", str(path))
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 7, result.output  # 5 span/relation problems + bad JSON + duplicate id
    assert f"{path}:1: document 'doc-1', span 'T1', field 'end'" in result.output
    assert f"{path}:2: invalid JSON" in result.output
    assert f"{path}:3: document 'doc-1', field 'id': duplicate document id" in result.output
    assert "7 problem(s)" in result.output


def test_validate_json_output(tmp_path: Path) -> None:
    doc = base_document()
    doc["spans"][0]["label"] = "BIAS"
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(doc) + "\n")
    result = invoke("validate", "--json", str(path))
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["ok"] is False and data["schema_version"] == 1
    assert {"line": 1, "doc_id": "doc-1", "span_id": "T1", "field": "label"}.items() <= data["problems"][0].items()


def test_validate_predictions_mode(tmp_path: Path) -> None:
    path = tmp_path / "pred.jsonl"
    path.write_text(json.dumps({"id": "doc-1", "spans": [{"id": "P1", "label": "EVENT", "text": "request"}]}) + "\n")
    assert invoke("validate", str(path)).exit_code == 1
    assert invoke("validate", "--predictions", str(path)).exit_code == 0


@pytest.mark.parametrize("content", [b"\xff\xfe", b"[1, 2]\n"])
def test_validate_unreadable_input_exits_one(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(content)
    result = invoke("validate", str(path))
    assert result.exit_code == 1 and f"{path}:1" in result.output


def test_ingest_validate_stats_main_job(tmp_path: Path) -> None:
    out = tmp_path / "documents.jsonl"
    result = invoke("corpus", "ingest", "--seeds", str(REPO / "seeds"), "--out", str(out))
    assert result.exit_code == 0 and "ingested 17 document(s)" in result.output
    assert invoke("validate", str(out)).exit_code == 0
    first = out.read_bytes()
    assert invoke("corpus", "ingest", "--seeds", str(REPO / "seeds"), "--out", str(out)).exit_code == 0
    assert out.read_bytes() == first  # re-running is safe and deterministic
    stats = json.loads(invoke("corpus", "stats", str(out), "--json").output)
    assert stats["documents"] == 17 and stats["tokens"] > 13000 and stats["sentences"] > 500
    assert invoke("corpus", "stats", str(out)).exit_code == 0


def test_ingest_bad_seed_exits_one(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"caf\xe9")
    result = invoke("corpus", "ingest", "--seeds", str(tmp_path), "--out", str(tmp_path / "o.jsonl"))
    assert result.exit_code == 1 and "a.txt:1" in result.output and "UTF-8" in result.output
    assert not (tmp_path / "o.jsonl").exists()


def test_stats_on_invalid_file_exits_one(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text('{"id": "a"}\n')
    result = invoke("corpus", "stats", str(path))
    assert result.exit_code == 1 and "missing document text" in result.output


def test_agreement_tables_fit_80_columns() -> None:
    """The committed annotations' agreement in an 80-column terminal: κ as a range, then one row per pair."""
    result = runner.invoke(app, ["annotate", "agreement", str(REPO / "annotations" / "by-annotator")], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "token κ per pair of annotators" in result.stdout
    assert max(len(line) for line in lines if "0." in line and not line.startswith(("attribute", "relation"))) <= 80
