"""SemEval-2020 Task 11 / PTC in and out through the shipped mapping (configs/mappings/ptc.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from strategies import SCHEMA

from newsgold.io.carried import Carried
from newsgold.io.ptc import default_mapping_path, load_mapping, read_ptc, write_ptc
from newsgold.model.document import Document, Span
from newsgold.model.errors import DocumentError, NewsgoldError

TEXT = "The regime's thugs stormed the so-called peaceful protest."


def _article(folder: Path, labels: str) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "article111.txt").write_text(TEXT, encoding="utf-8")
    (folder / "article111.task2-TC.labels").write_text(labels, encoding="utf-8")
    return folder


def test_mapped_techniques_become_framing_and_write_back(tmp_path: Path) -> None:
    start = TEXT.index("thugs")
    labels = f"111\tName_Calling,Labeling\t{start}\t{start + 5}\n111\tDoubt\t0\t10\n111\tLoaded_Language\t31\t40\n"
    carried = Carried()
    [document] = read_ptc(_article(tmp_path / "in", labels), load_mapping(SCHEMA), carried)
    assert document.id == "111" and document.text == TEXT
    assert [(s.label, s.text, s.attrs) for s in document.spans] == [
        ("FRAMING", "thugs", {"device": "labeling"}), ("FRAMING", "so-called", {"device": "loaded_language"})]
    assert carried.lines() == ["1 span(s) of techniques mapped to nothing (Doubt)"]  # reported, not silent
    write_ptc([document], tmp_path / "out", load_mapping(SCHEMA), Carried())
    written = (tmp_path / "out" / "article111.task2-TC.labels").read_text()
    assert written == f"111\tName_Calling,Labeling\t{start}\t{start + 5}\n111\tLoaded_Language\t31\t40\n"


@pytest.mark.parametrize(
    ("labels", "field", "message"),
    [("111\tFlattery\t0\t3\n", "technique", "has no entry in the mapping"),
     ("111\tLoaded_Language\t0\t999\n", "offsets", "outside the article"),
     ("222\tLoaded_Language\t0\t3\n", "id", "is not this file's"),
     ("111 Loaded_Language 0 3\n", "line", "id<TAB>technique")],
)
def test_refusals_name_file_and_line(tmp_path: Path, labels: str, field: str, message: str) -> None:
    with pytest.raises(DocumentError) as info:
        read_ptc(_article(tmp_path / "in", labels), load_mapping(SCHEMA), Carried())
    [problem] = info.value.problems
    assert problem.line == 1 and problem.field == field and message in problem.message and problem.path.endswith(".labels")


def test_the_mapping_is_checked_against_the_schema(tmp_path: Path) -> None:
    data = yaml.safe_load(default_mapping_path().read_text(encoding="utf-8"))
    data["techniques"]["Loaded_Language"] = "shouting"
    bad = tmp_path / "ptc.yaml"
    bad.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(NewsgoldError) as info:
        load_mapping(SCHEMA, bad)
    assert info.value.field == "techniques.Loaded_Language" and "'shouting'" in info.value.message


def test_what_ptc_cannot_hold_is_reported(tmp_path: Path) -> None:
    document = Document(id="7", text=TEXT, meta={"license": "x"}, spans=[
        Span("F", "FRAMING", 13, 18, attrs={"device": "labeling", "target": "armed_opposition", "valence": "negative", "voice": "authorial"}),
        Span("E", "EVENT", 19, 26, attrs={"type": "ATTACK", "factuality": "asserted"})])
    carried = Carried()
    write_ptc([document], tmp_path, load_mapping(SCHEMA), carried)
    assert carried.lines() == ["1 EVENT span(s) with no PTC technique", "3 FRAMING attribute value(s) other than device",
                               "1 document meta field(s)"]
