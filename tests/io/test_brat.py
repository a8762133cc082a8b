"""brat standoff in and out: round trip over generated documents, every refusal with its line, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from strategies import SCHEMA, documents
from typer.testing import CliRunner

from newsgold.annotation.pull import same_annotation
from newsgold.cli import app
from newsgold.io.brat import Carried, read_brat, write_brat
from newsgold.io.documents import read_documents, write_documents
from newsgold.model.document import Document, Span
from newsgold.model.errors import DocumentError

REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()
FREE = [a.name for a in SCHEMA.identity_attributes().values()]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(documents(separators=(" ", "\r\n", "\n", " \u2028")))
def test_round_trip_keeps_everything_brat_can_hold(tmp_path_factory: pytest.TempPathFactory, document: Document) -> None:
    folder = tmp_path_factory.mktemp("brat")
    for span in document.spans:  # free-text values with spaces and emoji travel as N lines
        if "entity" in span.attrs:
            span.attrs["entity"] += " Lopez 🙂"
    carried = Carried()
    write_brat([document], folder, free_text=FREE, carried=carried)
    [back] = read_brat(folder)
    assert back.id == document.id and back.text == document.text  # CRLF, U+2028 and emoji kept exactly
    assert same_annotation(document, back)
    assert carried.lines() == []  # nothing dropped: no meta, every span has offsets


def _folder(tmp_path: Path, text: str, ann: str) -> Path:
    (tmp_path / "doc.txt").write_bytes(text.encode("utf-8"))
    (tmp_path / "doc.ann").write_text(ann, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("ann", "line", "field", "message"),
    [
        ("T1\tSPEAKER 0 6\tMoscow\n", 1, "text", "does not equal the document text"),
        ("T1\tSPEAKER 0 99\tRussia\n", 1, "offsets", "outside the text"),
        ("T1\tSPEAKER 0 6;12 14\tRussia UN\n", 1, "offsets", "discontinuous span T1"),
        ("T1\tSPEAKER 0 6\tRussia\nA1\tmention T9 name\n", 2, "target", "not a text-bound annotation"),
        ("T1\tSPEAKER 0 6\tRussia\nR1\tattributed_to Arg1:T7 Arg2:T1\n", 2, "Arg", "refers to T7"),
        ("T1\tSPEAKER zero 6\tRussia\n", 1, "offsets", "are not `START END`"),
        ("X1\tsomething\n", 1, "id", "unknown annotation line"),
    ],
)
def test_every_refusal_names_file_line_and_field(tmp_path: Path, ann: str, line: int, field: str, message: str) -> None:
    folder = _folder(tmp_path, "Russia asked UN for aid.", ann)
    with pytest.raises(DocumentError) as info:
        read_brat(folder)
    [problem] = info.value.problems
    assert (problem.line, problem.field, problem.path) == (line, field, str(folder / "doc.ann")) and message in problem.message


def test_discontinuous_spans_split_or_join_on_request(tmp_path: Path) -> None:
    text = "Russia asked UN for aid."
    folder = _folder(tmp_path, text, "T1\tSPEAKER 0 6;13 15\tRussia UN\nA1\tmention T1 name\n#1\tAnnotatorNotes T1\ttwo parts\n")
    carried = Carried()
    [split] = read_brat(folder, discontinuous="split", carried=carried)
    assert [(s.start, s.end, s.attrs) for s in split.spans] == [(0, 6, {"mention": "name"}), (13, 15, {"mention": "name"})]
    [joined] = read_brat(folder, discontinuous="join")
    assert [(s.start, s.end) for s in joined.spans] == [(0, 15)]
    assert carried.lines() == ["1 discontinuous span(s) split into fragments", "1 note(s) (# lines)"]


def test_cli_converts_both_ways_and_per_annotator_folders(tmp_path: Path) -> None:
    gold = read_documents(REPO / "gold")[:3]
    native = tmp_path / "gold.jsonl"
    write_documents(gold, native)
    result = runner.invoke(app, ["convert", str(native), str(tmp_path / "brat"), "--from", "native", "--to", "brat"])
    assert result.exit_code == 0, result.output
    assert "not carried:" in result.output and "document meta field(s)" in result.output  # said, never silent
    for annotator in ("ann-a", "ann-b"):  # one folder per annotator, as brat teams keep them
        target = tmp_path / "team" / annotator
        target.mkdir(parents=True)
        for path in (tmp_path / "brat").iterdir():
            target.joinpath(path.name).write_bytes(path.read_bytes())
    result = runner.invoke(app, ["convert", str(tmp_path / "team"), str(tmp_path / "per-annotator"), "--from", "brat", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["annotators"] == ["ann-a", "ann-b"] and report["documents"] == 6
    back = read_documents(tmp_path / "per-annotator" / "ann-a.jsonl")
    assert all(same_annotation(a, b) for a, b in zip(sorted(gold, key=lambda d: d.id), back))
    agreement = runner.invoke(app, ["annotate", "agreement", str(tmp_path / "per-annotator"), "--json"])
    assert agreement.exit_code == 0, agreement.output
    assert json.loads(agreement.output)["span_f1"]["strict"]["CLAIM"]["f1"] == 1.0  # identical copies agree


def test_cli_refuses_unknown_labels_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    folder = _folder(tmp_path / "in", "Russia asked UN for aid.", "T1\tORGANIZATION 0 6\tRussia\n")
    result = runner.invoke(app, ["convert", str(folder), str(tmp_path / "out.jsonl"), "--from", "brat"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "unknown label 'ORGANIZATION'" in result.output and "doc" in result.output
    assert not (tmp_path / "out.jsonl").exists()
    result = runner.invoke(app, ["convert", str(folder), str(tmp_path / "x"), "--from", "docx"])
    assert result.exit_code == 1 and "cannot read 'docx'" in result.output and "brat" in result.output


def test_a_span_without_offsets_is_reported_not_dropped(tmp_path: Path) -> None:
    document = Document(id="d", text="Russia said so.", spans=[Span("P1", "SPEAKER", None, None, text="Russia")])
    carried = Carried()
    write_brat([document], tmp_path, carried=carried)
    assert carried.lines() == ["1 span(s) given by text alone (no offsets)"]
    assert (tmp_path / "d.ann").read_text() == ""
