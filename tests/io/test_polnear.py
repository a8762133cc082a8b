"""PolNeAR import: roles through the shipped mapping, discontinuous content, one output per annotator, refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from strategies import SCHEMA
from typer.testing import CliRunner

from newsgold.cli import app
from newsgold.io.carried import Carried
from newsgold.io.documents import read_documents
from newsgold.io.polnear import load_mapping, read_polnear
from newsgold.model.errors import DocumentError, NewsgoldError

runner = CliRunner()

# Written for these tests in PolNeAR's layout: a quotation interrupted by its source and cue, a
# source shared by two attributions, an attribution without a source, curly quotes and an emoji.
TEXT = (
    "Mayor Ana Ruiz said the bridge will reopen in May. "
    "“The repairs are on schedule,” Ruiz told reporters, “and under budget.” "
    "She also argued that traffic had eased 🚗. "
    "Critics are skeptical, according to a survey."
)


def _at(piece: str, after: int = 0) -> tuple[int, int]:
    start = TEXT.index(piece, after)
    return start, start + len(piece)


def _ann_full() -> str:
    src1, cue1, con1 = _at("Mayor Ana Ruiz"), _at("said"), _at("the bridge will reopen in May")
    q1, q2 = _at("“The repairs are on schedule,”"), _at("“and under budget.”")
    src2, cue2 = _at("Ruiz", q1[0]), _at("told reporters")
    src3, cue3, con3 = _at("She"), _at("argued"), _at("traffic had eased 🚗")
    cue4, con4 = _at("according to a survey"), _at("Critics are skeptical")
    lines = [
        f"T1\tSource {src1[0]} {src1[1]}\tMayor Ana Ruiz",
        f"T2\tCue {cue1[0]} {cue1[1]}\tsaid",
        f"T3\tContent {con1[0]} {con1[1]}\tthe bridge will reopen in May",
        f"T4\tAttribution {cue1[0]} {cue1[1]}\tsaid",
        "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1",
        f"T5\tSource {src2[0]} {src2[1]}\tRuiz",
        f"T6\tCue {cue2[0]} {cue2[1]}\ttold reporters",
        f"T7\tContent {q1[0]} {q1[1]};{q2[0]} {q2[1]}\t“The repairs are on schedule,” “and under budget.”",
        f"T8\tAttribution {cue2[0]} {cue2[1]}\ttold reporters",
        "E2\tAttribution:T8 Cue:T6 Source:T5 Content:T7",
        f"T9\tSource {src3[0]} {src3[1]}\tShe",
        f"T10\tCue {cue3[0]} {cue3[1]}\targued",
        f"T11\tContent {con3[0]} {con3[1]}\ttraffic had eased 🚗",
        f"T12\tAttribution {cue3[0]} {cue3[1]}\targued",
        "E3\tAttribution:T12 Content:T11 Cue:T10 Source:T9",
        f"T13\tCue {cue4[0]} {cue4[1]}\taccording to a survey",
        f"T14\tContent {con4[0]} {con4[1]}\tCritics are skeptical",
        f"T15\tAttribution-no-source {cue4[0]} {cue4[1]}\taccording to a survey",
        "E4\tAttribution-no-source:T15 Content:T14 Cue:T13",
    ]
    return "\n".join(lines) + "\n"


def _ann_partial() -> str:
    src1, cue1, con1 = _at("Mayor Ana Ruiz"), _at("said"), _at("the bridge will reopen in May.")
    return (f"T1\tSource {src1[0]} {src1[1]}\tMayor Ana Ruiz\nT2\tCue {cue1[0]} {cue1[1]}\tsaid\n"
            f"T3\tContent {con1[0]} {con1[1]}\tthe bridge will reopen in May.\nT4\tAttribution {cue1[0]} {cue1[1]}\tsaid\n"
            "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n")


def _split(root: Path, annotations: dict[str, str]) -> Path:
    (root / "text").mkdir(parents=True)
    (root / "attributions").mkdir()
    (root / "text" / "nyt_2026-01-02_bridge.txt").write_bytes(TEXT.encode("utf-8"))
    for annotator, ann in annotations.items():
        (root / "attributions" / f"nyt_2026-01-02_bridge_{annotator}.ann").write_text(ann, encoding="utf-8")
    return root


def test_roles_become_speakers_claims_and_attributions(tmp_path: Path) -> None:
    carried = Carried()
    [(annotator, [document])] = read_polnear(_split(tmp_path, {"4b22": _ann_full()}), load_mapping(SCHEMA), carried).items()
    assert annotator == "4b22" and document.id == "nyt_2026-01-02_bridge"
    assert all(document.text[s.start:s.end] == s.text for s in document.spans)  # type: ignore[index]
    speakers = [s.text for s in document.spans if s.label == "SPEAKER"]
    claims = {s.id: s.text for s in document.spans if s.label == "CLAIM"}
    assert speakers == ["Mayor Ana Ruiz", "Ruiz", "She"]
    # the interrupted quotation is one CLAIM per part, each attributed to Ruiz (guidelines §2)
    assert claims == {"T3": "the bridge will reopen in May", "T7": "“The repairs are on schedule,”", "T7-2": "“and under budget.”",
                      "T11": "traffic had eased 🚗", "T14": "Critics are skeptical"}
    assert sorted((r.head, r.tail) for r in document.relations) == [("T11", "T9"), ("T3", "T1"), ("T7", "T5"), ("T7-2", "T5")]
    assert {r.label for r in document.relations} == {"attributed_to"}
    assert all(s.attrs == {"voice": "attributed"} for s in document.spans if s.label == "CLAIM")
    assert sorted(carried.lines()) == ["1 discontinuous span(s) split into fragments", "4 Cue span(s) (mapped to nothing)",
                                       "4 attribution trigger span(s) (they repeat the cue)"]


def test_discontinuous_rule_can_be_overridden(tmp_path: Path) -> None:
    folder = _split(tmp_path, {"4b22": _ann_full()})
    joined = read_polnear(folder, load_mapping(SCHEMA), discontinuous="join")["4b22"][0]
    [quote] = [s for s in joined.spans if s.id == "T7"]
    assert quote.text.startswith("“The repairs") and quote.text.endswith("under budget.”")  # one span over the gap
    with pytest.raises(DocumentError) as info:
        read_polnear(folder, load_mapping(SCHEMA), discontinuous="refuse")
    [problem] = info.value.problems
    assert problem.line == 8 and problem.field == "offsets" and "discontinuous span T7" in problem.message


def test_cli_writes_one_file_per_annotator_for_agreement(tmp_path: Path) -> None:
    folder = _split(tmp_path / "dev", {"4b22": _ann_full(), "ef2d": _ann_partial()})
    out = tmp_path / "imported"
    result = runner.invoke(app, ["convert", str(folder), str(out), "--from", "polnear", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["annotators"] == ["4b22", "ef2d"] and report["documents"] == 2
    assert "4 Cue span(s) (mapped to nothing)" not in report["not_carried"]  # counted across both annotators
    assert "5 Cue span(s) (mapped to nothing)" in report["not_carried"]
    assert [d.id for d in read_documents(out / "ef2d.jsonl")] == ["nyt_2026-01-02_bridge"]
    tasks = tmp_path / "tasks"  # a one-file format gets one file per annotator, with its suffix
    assert runner.invoke(app, ["convert", str(folder), str(tasks), "--from", "polnear", "--to", "labelstudio"]).exit_code == 0
    assert sorted(p.name for p in tasks.iterdir()) == ["4b22.json", "ef2d.json"]
    agreement = runner.invoke(app, ["annotate", "agreement", str(out), "--json"])
    assert agreement.exit_code == 0, agreement.output
    scores = json.loads(agreement.output)["span_f1"]
    # one SPEAKER of three in common; the partial annotator's claim takes the final period (no strict match)
    assert scores["strict"]["SPEAKER"]["f1"] == pytest.approx(0.5) and scores["strict"]["CLAIM"]["f1"] == 0.0


@pytest.mark.parametrize(
    ("ann", "field", "message"),
    [
        ("T1\tSpeaker 0 5\tMayor\n", "label", "neither a role"),
        ("T1\tSource 0 5\tMayor\nE1\tQuote:T1 Source:T1\n", "type", "not an attribution type"),
        ("T1\tSource 0 5\tMayor\nE1\tAttribution:T1 Source:T9\n", "role", "refers to T9"),
        ("T1\tSource 0 5\tMajor\n", "text", "does not equal the document text"),
    ],
)
def test_refusals_name_file_line_and_field_and_nothing_is_written(tmp_path: Path, ann: str, field: str, message: str) -> None:
    folder = _split(tmp_path / "dev", {"4b22": ann})
    result = runner.invoke(app, ["convert", str(folder), str(tmp_path / "out"), "--from", "polnear"])
    assert result.exit_code == 1 and "Traceback" not in result.output and message in result.output
    assert "bridge_4b22.ann" in result.output and field in result.output
    assert not (tmp_path / "out").exists()


def test_layout_and_mapping_errors(tmp_path: Path) -> None:
    (tmp_path / "flat").mkdir()
    result = runner.invoke(app, ["convert", str(tmp_path / "flat"), str(tmp_path / "out"), "--from", "polnear"])
    assert result.exit_code == 1 and "text/ and attributions/" in result.output
    folder = _split(tmp_path / "dev", {"4b22": _ann_full()})
    (folder / "attributions" / "lonely_ef2d.ann").write_text("", encoding="utf-8")
    with pytest.raises(DocumentError, match="no text/lonely.txt"):
        read_polnear(folder, load_mapping(SCHEMA))
    bad = tmp_path / "mapping.yaml"
    bad.write_text("events: [Attribution]\nroles: {Source: SPEAKER, Content: CLAIM}\n"
                   "relation: {label: attributed_to, head: Source, tail: Content}\nattributes: {}\ndiscontinuous: split\n")
    with pytest.raises(NewsgoldError, match="does not become a label attributed_to allows at its head"):
        load_mapping(SCHEMA, bad)
