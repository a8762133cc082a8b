"""Document model and I/O: JSONL and folder round trips, atomic writes, structural problems."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import base_document

from newsgold.io.documents import read_documents, write_documents
from newsgold.model.document import Document, parse_document
from newsgold.model.errors import DocumentError


def _docs() -> list[Document]:
    first = Document.from_dict(base_document())
    second_data = base_document()
    second_data["id"] = "doc-2"
    second_data["text"] = second_data["text"].replace("Russia", "Россия")  # same length, non-ASCII
    second_data["spans"][0]["text"] = "Россия"
    second_data["spans"][0]["attrs"]["entity"] = "Россия"
    second_data["meta"] = {"note": "emoji 🙂 and CRLF\r\n"}
    return [first, Document.from_dict(second_data)]


@pytest.mark.parametrize("first", ["out.jsonl", "folder"])
def test_round_trip_jsonl_and_folder(tmp_path: Path, first: str) -> None:
    documents = _docs()
    a = tmp_path / first
    b = tmp_path / ("folder" if first == "out.jsonl" else "out.jsonl")
    assert write_documents(documents, a) == 2
    assert write_documents(read_documents(a), b) == 2
    assert read_documents(b) == documents
    assert [d.to_dict() for d in read_documents(a)] == [d.to_dict() for d in documents]


def test_folder_holds_one_pretty_file_per_document(tmp_path: Path) -> None:
    write_documents(_docs(), tmp_path / "gold")
    files = sorted(p.name for p in (tmp_path / "gold").iterdir())
    assert files == ["doc-1.json", "doc-2.json"]  # no temp files left behind
    text = (tmp_path / "gold" / "doc-2.json").read_text(encoding="utf-8")
    assert text.startswith("{\n  \"id\": \"doc-2\"") and "Россия" in text and text.endswith("}\n")


def test_jsonl_is_one_line_per_document(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    write_documents(_docs(), path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and all(json.loads(line)["id"] for line in lines)


def test_write_is_atomic_on_failure(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    write_documents(_docs(), path)
    before = path.read_bytes()

    def broken():
        yield _docs()[0]
        raise RuntimeError("system crashed mid-way")

    with pytest.raises(RuntimeError):
        write_documents(broken(), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["d.jsonl"]


def test_to_dict_omits_absent_fields() -> None:
    span = Document.from_dict({"id": "x", "text": "ab", "spans": [{"id": "S", "label": "EVENT", "text": "ab"}]}).spans[0]
    assert span.to_dict() == {"id": "S", "label": "EVENT", "text": "ab"}


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ([], None, "must be a JSON object"),
        ({"text": "a"}, "id", "id must be a non-empty string"),
        ({"id": "x"}, "text", "missing document text"),
        ({"id": "x", "text": 3}, "text", "text must be a string"),
        ({"id": "x", "text": "a", "extra": 1}, "extra", "unknown field"),
        ({"id": "x", "text": "a", "spans": {}}, "spans", "spans must be a list"),
        ({"id": "x", "text": "a", "spans": [{"label": "EVENT"}]}, "spans[0].id", "non-empty string id"),
        ({"id": "x", "text": "a", "spans": [{"id": "S", "label": "EVENT", "start": "0", "end": 1}]}, "start", "integer"),
        ({"id": "x", "text": "a", "spans": [{"id": "S", "label": "EVENT", "start": True, "end": 1}]}, "start", "integer"),
        ({"id": "x", "text": "a", "spans": [{"id": "S", "label": "EVENT", "start": 0}]}, "end", "together"),
        ({"id": "x", "text": "a", "spans": [{"id": "S", "label": "EVENT"}]}, "start", "offsets (start, end) or its text"),
        ({"id": "x", "text": "a", "spans": [{"id": "S", "label": "EVENT", "text": "a", "attrs": {"k": 1}}]}, "attrs.k", "strings"),
        ({"id": "x", "text": "a", "relations": [{"label": "about", "head": "A"}]}, "tail", "tail must be"),
        ({"id": "x", "text": "a", "tokens": [[0]]}, "tokens", "pairs"),
    ],
)
def test_structural_problems(data: object, field: str | None, message: str) -> None:
    _, problems = parse_document(data)
    assert any(p.field == field and message in p.message for p in problems), [str(p) for p in problems]
    with pytest.raises(DocumentError):
        Document.from_dict(data)


def test_read_folder_reports_json_errors_with_line(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('{\n  "id": "a",\n  "text": "x",,\n}\n')
    with pytest.raises(DocumentError) as info:
        read_documents(tmp_path)
    problem = info.value.problems[0]
    assert problem.path == str(tmp_path / "a.json") and problem.line == 3 and "invalid JSON" in problem.message


def test_bom_and_blank_lines_in_jsonl_are_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(base_document()).encode() + b"\n\n")
    assert [d.id for d in read_documents(path)] == ["doc-1"]
