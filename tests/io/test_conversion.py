"""`convert` streams: documents pass one at a time (bounded memory), and a late problem leaves the target untouched."""

from __future__ import annotations

import json
import weakref
from pathlib import Path
from typing import Iterator

import pytest
from strategies import SCHEMA

from newsgold.io.conversion import DOCUMENT_FORMATS, DocumentFormat, convert, register_document_format
from newsgold.io.documents import read_documents, write_documents
from newsgold.model.document import Document, Span
from newsgold.model.errors import DocumentError

COUNT = 60
REPO = Path(__file__).resolve().parents[2]


def _document(index: int) -> Document:
    text = f"Russia said the UN failed, report {index} says."
    return Document(id=f"doc{index:03d}", text=text, spans=[
        Span("T1", "SPEAKER", 0, 6, "Russia", {"mention": "name", "entity": "Russia"}),
        Span("T2", "FRAMING", 16, 25, "UN failed", {"device": "labeling", "target": "international", "valence": "negative",
                                                    "voice": "authorial"}),
    ])


@pytest.fixture()
def probe() -> Iterator[list[int]]:
    """A registered reader that yields COUNT documents and records, at each yield, how many of the
    documents it yielded before are still alive somewhere (a writer that keeps them all grows this)."""
    alive_counts: list[int] = []

    def read(path, schema, options, carried):  # type: ignore[no-untyped-def]
        def stream() -> Iterator[Document]:
            refs: list[weakref.ref[Document]] = []
            for index in range(COUNT):  # documents hold no cycles: reference counting frees a dropped one at once
                alive_counts.append(sum(1 for ref in refs if ref() is not None))
                document = _document(index)
                refs.append(weakref.ref(document))
                yield document
                del document
        return {"": stream()}

    register_document_format(DocumentFormat("probe", "test reader", read=read))
    yield alive_counts
    del DOCUMENT_FORMATS["probe"]


@pytest.mark.parametrize(("target_format", "name"), [
    ("native", "out.jsonl"), ("native", "out"), ("brat", "out"), ("conll", "out.conll"), ("labelstudio", "tasks.json"), ("ptc", "out"),
])
def test_writers_hold_one_document_at_a_time(tmp_path: Path, probe: list[int], target_format: str, name: str) -> None:
    report = convert(tmp_path / "unused", tmp_path / name, SCHEMA, source_format="probe", target_format=target_format)
    assert report.documents == COUNT and len(probe) == COUNT
    assert max(probe) <= 1, f"{target_format} kept up to {max(probe)} earlier documents alive"
    assert (tmp_path / name).exists()


def test_a_problem_in_the_last_document_leaves_the_target_as_it_was(tmp_path: Path) -> None:
    documents = [_document(i) for i in range(5)]
    documents[-1].spans[0].label = "ORGANIZATION"
    write_documents(documents, tmp_path / "in.jsonl")
    (tmp_path / "out.jsonl").write_text("earlier output\n", encoding="utf-8")
    (tmp_path / "brat").mkdir()
    (tmp_path / "brat" / "keep.txt").write_text("not ours", encoding="utf-8")
    for target, fmt in ((tmp_path / "out.jsonl", "native"), (tmp_path / "brat", "brat")):
        with pytest.raises(DocumentError, match="unknown label 'ORGANIZATION'"):
            convert(tmp_path / "in.jsonl", target, SCHEMA, source_format="native", target_format=fmt)
    assert (tmp_path / "out.jsonl").read_text(encoding="utf-8") == "earlier output\n"
    assert sorted(p.name for p in (tmp_path / "brat").iterdir()) == ["keep.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brat", "in.jsonl", "out.jsonl"]  # no staging left behind


def test_reader_and_schema_problems_are_reported_together(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Russia said so.", encoding="utf-8")
    (tmp_path / "in" / "a.ann").write_text("T1\tORGANIZATION 0 6\tRussia\n", encoding="utf-8")
    (tmp_path / "in" / "b.txt").write_text("Russia said so.", encoding="utf-8")
    (tmp_path / "in" / "b.ann").write_text("T1\tSPEAKER 0 6\tMoscow\n", encoding="utf-8")
    with pytest.raises(DocumentError) as info:
        convert(tmp_path / "in", tmp_path / "out.jsonl", SCHEMA, source_format="brat", target_format="native")
    assert sorted((p.doc_id, p.field) for p in info.value.problems) == [("a", "label"), ("b", "text")]
    assert not (tmp_path / "out.jsonl").exists()


def test_rerunning_a_conversion_gives_the_same_files(tmp_path: Path) -> None:
    write_documents([_document(i) for i in range(3)], tmp_path / "in.jsonl")
    for _ in range(2):
        convert(tmp_path / "in.jsonl", tmp_path / "brat", SCHEMA, source_format="native", target_format="brat")
        convert(tmp_path / "brat", tmp_path / "back.jsonl", SCHEMA, source_format="brat", target_format="native")
    assert [d.id for d in read_documents(tmp_path / "back.jsonl")] == ["doc000", "doc001", "doc002"]
    assert len(list((tmp_path / "brat").iterdir())) == 6


def test_a_document_with_a_bad_id_never_reaches_a_writer(tmp_path: Path) -> None:
    """An id like "../escaped" is refused, and no file appears outside the target (or anywhere)."""
    (tmp_path / "in.jsonl").write_text(json.dumps(_document(0).to_dict() | {"id": "../../escaped"}) + "\n", encoding="utf-8")
    (tmp_path / "work").mkdir()
    for fmt, name in (("brat", "out"), ("native", "out"), ("ptc", "out")):
        with pytest.raises(DocumentError, match="id may hold only"):
            convert(tmp_path / "in.jsonl", tmp_path / "work" / name, SCHEMA, source_format="native", target_format=fmt)
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["in.jsonl", "work"]


def test_brat_keeps_a_tab_inside_a_span(tmp_path: Path) -> None:
    document = Document(id="d", text="Name:\tPutin said so.", spans=[Span("T1", "SPEAKER", 0, 11, "Name:\tPutin", {"mention": "name", "entity": "Putin"})])
    write_documents([document], tmp_path / "in.jsonl")
    convert(tmp_path / "in.jsonl", tmp_path / "brat", SCHEMA, source_format="native", target_format="brat")
    convert(tmp_path / "brat", tmp_path / "back.jsonl", SCHEMA, source_format="brat", target_format="native")
    [back] = read_documents(tmp_path / "back.jsonl")
    assert back.spans[0].text == "Name:\tPutin" and back.spans[0].attrs == {"mention": "name", "entity": "Putin"}


def test_split_converts_one_split_only(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from newsgold.cli import app
    from newsgold.corpus.settings import load_settings

    result = CliRunner().invoke(app, ["convert", str(REPO / "gold"), str(tmp_path / "test.jsonl"), "--from", "native", "--split", "test", "--json"])
    assert result.exit_code == 0, result.output
    ids = [d.id for d in read_documents(tmp_path / "test.jsonl")]
    assert len(ids) == 5 and all(load_settings().splits.assign(i) == "test" for i in ids)
    wrong = CliRunner().invoke(app, ["convert", str(REPO / "gold"), str(tmp_path / "x.jsonl"), "--from", "native", "--split", "dev"])
    assert wrong.exit_code == 1 and "unknown split 'dev'" in wrong.output and not (tmp_path / "x.jsonl").exists()
