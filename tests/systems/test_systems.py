"""System adapters: callables, the baseline, commands, HTTP endpoints and spaCy pipelines, run for real."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from conftest import TEXT

from newsgold.io.documents import read_documents
from newsgold.model.document import Document, Span
from newsgold.model.errors import NewsgoldError, SystemRunError
from newsgold.model.schema import Schema
from newsgold.systems.adapters import (
    CallableSystem,
    CommandSystem,
    HttpSystem,
    SpacySystem,
    output_to_document,
    parse_label_map,
    resolve_system,
)

DOCS = [Document(id="doc-1", text=TEXT), Document(id="doc-2", text="Россия said “no” 🙂.")]


def _run(system: Any, documents: list[Document] = DOCS) -> list[Document]:
    return list(system.predict(documents))


# --------------------------------------------------------------------------------------------
# output_to_document


@pytest.mark.parametrize(
    "output, expected_spans, relations",
    [
        ({"spans": [{"label": "SPEAKER", "start": 0, "end": 6}]}, [("P1", "SPEAKER", 0, 6, None)], 0),
        ([{"label": "SPEAKER", "text": "Russia"}], [("P1", "SPEAKER", None, None, "Russia")], 0),
        ([], [], 0),
        (
            {"id": "doc-1", "text": "ignored", "spans": [{"id": "c", "label": "CLAIM", "text": "x"},
                                                         {"id": "s", "label": "SPEAKER", "start": 0, "end": 6}],
             "relations": [{"label": "attributed_to", "head": "c", "tail": "s"}]},
            [("c", "CLAIM", None, None, "x"), ("s", "SPEAKER", 0, 6, None)],
            1,
        ),
        # given ids are kept and never reused for spans without one
        ([{"id": "P1", "label": "EVENT", "text": "a"}, {"label": "EVENT", "text": "b"}],
         [("P1", "EVENT", None, None, "a"), ("P2", "EVENT", None, None, "b")], 0),
        (Document(id="doc-1", text=None, spans=[Span("T1", "EVENT", 19, 26)]), [("T1", "EVENT", 19, 26, None)], 0),
    ],
)
def test_output_to_document_accepts_every_shape(output: Any, expected_spans: list[tuple], relations: int) -> None:
    document = output_to_document("doc-1", output, system="sys")
    assert document.id == "doc-1"
    assert document.text is None
    assert [(s.id, s.label, s.start, s.end, s.text) for s in document.spans] == expected_spans
    assert len(document.relations) == relations


@pytest.mark.parametrize(
    "output, fragment",
    [
        ([{"label": "EVENT", "start": "x", "end": 3}], "start must be an integer, got 'x'"),
        ({"id": "other", "spans": []}, "returned a document with id 'other'"),
        ("spans", "returned str"),
        (None, "returned NoneType"),
        ({"entities": []}, "unknown field"),
        ({"spans": [{"label": "EVENT"}]}, "a span needs offsets (start, end) or its text"),
        ({"spans": [{"label": "CLAIM", "text": "x"}, {"label": "SPEAKER", "text": "y"}],
          "relations": [{"label": "attributed_to", "head": "P1", "tail": "P2"}]}, "relation #0 refers to span 'P1'"),
    ],
)
def test_output_to_document_rejects_bad_output_naming_system_and_document(output: Any, fragment: str) -> None:
    with pytest.raises(SystemRunError) as info:
        output_to_document("doc-1", output, system="my-sys")
    assert info.value.doc_id == "doc-1"
    assert fragment in str(info.value)
    assert "'doc-1'" in str(info.value) and "'my-sys'" in str(info.value)


# --------------------------------------------------------------------------------------------
# Python callables and the baseline

MODULE = "newsgold_test_systems_plugin"
MODULE_SOURCE = '''
def good(text):
    start = text.index("said")
    return {"spans": [{"label": "EVENT", "start": start, "end": start + 4}]}

def bare_list(text):
    return [{"label": "SPEAKER", "text": text.split()[0]}]

def boom(text):
    raise ValueError("model exploded")

def bad(text):
    return [{"label": "EVENT", "start": "x", "end": 4}]

NOT_CALLABLE = 3
'''


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    (tmp_path / f"{MODULE}.py").write_text(MODULE_SOURCE, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield MODULE
    sys.modules.pop(MODULE, None)


def test_callable_system_predicts_in_order(plugin: str, schema: Schema) -> None:
    system = resolve_system(f"{plugin}:good", schema=schema)
    assert isinstance(system, CallableSystem) and system.name == f"{plugin}:good"
    predictions = _run(system)
    assert [p.id for p in predictions] == ["doc-1", "doc-2"]
    assert all(p.text is None for p in predictions)
    assert [(s.start, s.end) for s in predictions[0].spans] == [(7, 11)]
    assert [(s.start, s.end) for s in predictions[1].spans] == [(7, 11)]


def test_callable_bare_list_of_text_spans(plugin: str, schema: Schema) -> None:
    predictions = _run(resolve_system(f"{plugin}:bare_list", schema=schema))
    assert [[(s.id, s.text, s.start) for s in p.spans] for p in predictions] == [
        [("P1", "Russia", None)],
        [("P1", "Россия", None)],
    ]


@pytest.mark.parametrize(
    "spec, fragment",
    [
        ("newsgold_no_such_module_xyz:f", "cannot import module 'newsgold_no_such_module_xyz'"),
        (f"{MODULE}:missing", "has no attribute 'missing'"),
        (f"{MODULE}:NOT_CALLABLE", "not a callable"),
    ],
)
def test_callable_bad_import_path(plugin: str, schema: Schema, spec: str, fragment: str) -> None:
    with pytest.raises(SystemRunError, match=fragment) as info:
        resolve_system(spec, schema=schema)
    assert spec in str(info.value)


def test_callable_exception_names_the_document(plugin: str, schema: Schema) -> None:
    with pytest.raises(SystemRunError) as info:
        _run(resolve_system(f"{plugin}:boom", schema=schema))
    assert info.value.doc_id == "doc-1"
    assert "ValueError: model exploded" in str(info.value)
    assert isinstance(info.value.__cause__, ValueError)


def test_callable_bad_output_names_the_document(plugin: str, schema: Schema) -> None:
    system = resolve_system(f"{plugin}:bad", schema=schema)
    with pytest.raises(SystemRunError) as info:
        _run(system, DOCS[1:])
    assert info.value.doc_id == "doc-2"
    assert "document 'doc-2'" in str(info.value) and "start must be an integer" in str(info.value)


def test_input_document_without_text(plugin: str, schema: Schema) -> None:
    with pytest.raises(SystemRunError, match="has no text") as info:
        _run(resolve_system(f"{plugin}:good", schema=schema), [Document(id="empty", text=None)])
    assert info.value.doc_id == "empty"


def test_baseline_runs_through_the_adapter(schema: Schema) -> None:
    from newsgold.model.validation import validate

    gold = read_documents(Path(__file__).parents[2] / "gold")
    system = resolve_system("baseline", schema=schema)
    predictions = list(system.predict([Document(id=d.id, text=d.text) for d in gold]))
    assert system.name == "baseline" and [p.id for p in predictions] == [d.id for d in gold]
    assert all(p.text is None for p in predictions)
    assert {s.label for p in predictions for s in p.spans} == set(schema.label_names)
    for prediction, document in zip(predictions, gold):
        assert validate(replace(prediction, text=document.text), schema) == []


# --------------------------------------------------------------------------------------------
# Commands

SCRIPT = '''
import json, sys, time
mode = sys.argv[1]
docs = [json.loads(line) for line in sys.stdin.buffer.read().decode("utf-8").splitlines() if line.strip()]
if mode == "fail":
    sys.stderr.write("loading model\\n" + "\\n".join(f"noise {i}" for i in range(20)) + "\\nCUDA out of memory\\n")
    sys.exit(3)
if mode == "sleep":
    time.sleep(30)
if mode == "garbage":
    print(json.dumps({"id": docs[0]["id"], "spans": []}))
    print("{not json")
    sys.exit(0)
if mode == "missing":
    docs = docs[:1]
if mode == "extra":
    docs.append({"id": "ghost", "text": "Ghost town"})
for doc in reversed(docs):  # any order: matched by id
    word = doc["text"].split()[0]
    print(json.dumps({"id": doc["id"], "spans": [{"label": "SPEAKER", "start": 0, "end": len(word), "text": word}]},
                     ensure_ascii=False))
'''


@pytest.fixture
def script(tmp_path: Path) -> Path:
    path = tmp_path / "echo system.py"  # a space, to prove the command is split like a shell would
    path.write_text(SCRIPT, encoding="utf-8")
    return path


def _cmd(script: Path, mode: str) -> str:
    return f"{sys.executable} '{script}' {mode}"


def test_command_good(script: Path, schema: Schema) -> None:
    system = resolve_system(None, cmd=_cmd(script, "good"), schema=schema)
    assert isinstance(system, CommandSystem)
    predictions = _run(system)
    assert [p.id for p in predictions] == ["doc-1", "doc-2"]
    assert [p.spans[0].text for p in predictions] == ["Russia", "Россия"]
    assert predictions[1].spans[0].end == 6


@pytest.mark.parametrize(
    "mode, fragments",
    [
        ("fail", ["exited with status 3", "CUDA out of memory", "noise 19"]),
        ("garbage", ["stdout line 2 is not valid JSON"]),
        ("missing", ["gave no prediction for 1 document(s): 'doc-2'"]),
        ("extra", ["not given: 1 document(s): 'ghost'"]),
    ],
)
def test_command_failures(script: Path, schema: Schema, mode: str, fragments: list[str]) -> None:
    system = resolve_system(None, cmd=_cmd(script, mode), schema=schema)
    with pytest.raises(SystemRunError) as info:
        _run(system)
    for fragment in fragments:
        assert fragment in str(info.value)
    assert "noise 0\n" not in str(info.value)  # only the last lines of stderr


def test_command_timeout(script: Path, schema: Schema) -> None:
    system = resolve_system(None, cmd=_cmd(script, "sleep"), schema=schema, timeout=1)
    with pytest.raises(SystemRunError, match="timed out after 1 s"):
        _run(system)


def test_command_not_found(schema: Schema) -> None:
    system = resolve_system(None, cmd="newsgold-no-such-program-xyz --flag", schema=schema)
    with pytest.raises(SystemRunError, match="cannot start 'newsgold-no-such-program-xyz'"):
        _run(system)


# --------------------------------------------------------------------------------------------
# HTTP endpoints


class _Handler(BaseHTTPRequestHandler):
    stop: threading.Event

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8"))
        if self.path == "/slow":
            self.stop.wait(5)
        if self.path == "/error":
            self._send(500, b"internal failure", "text/plain")
        elif self.path == "/html":
            self._send(200, b"<html>hello</html>", "text/html")
        else:
            word = body["text"].split()[0]
            answer = {"id": body["id"], "spans": [{"label": "SPEAKER", "text": word}]}
            self._send(200, json.dumps(answer).encode("utf-8"), "application/json")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the client gave up (timeout test)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    stop = threading.Event()
    handler = type("Handler", (_Handler,), {"stop": stop})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    stop.set()
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def test_http_good(server: str, schema: Schema) -> None:
    system = resolve_system(None, url=f"{server}/good", schema=schema)
    assert isinstance(system, HttpSystem)
    predictions = _run(system)
    assert [p.id for p in predictions] == ["doc-1", "doc-2"]
    assert [p.spans[0].text for p in predictions] == ["Russia", "Россия"]


@pytest.mark.parametrize(
    "path, timeout, fragment",
    [
        ("/error", 5.0, "answered HTTP 500 Internal Server Error: 'internal failure'"),
        ("/html", 5.0, "did not answer JSON (text/html)"),
        ("/slow", 0.3, "timed out after 0.3 s"),
    ],
)
def test_http_failures_name_document_and_url(server: str, schema: Schema, path: str, timeout: float, fragment: str) -> None:
    system = resolve_system(None, url=server + path, schema=schema, timeout=timeout)
    with pytest.raises(SystemRunError) as info:
        _run(system)
    assert info.value.doc_id == "doc-1"
    assert fragment in str(info.value) and server + path in str(info.value)


def test_http_connection_refused(schema: Schema, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HTTP_PROXY", raising=False)
    monkeypatch.delenv("http_proxy", raising=False)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.server_close()  # nothing listens there any more
    with pytest.raises(SystemRunError, match="ConnectError") as info:
        _run(resolve_system(None, url=url, schema=schema, timeout=5))
    assert info.value.doc_id == "doc-1"


# --------------------------------------------------------------------------------------------
# spaCy pipelines


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import spacy

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "GPE", "pattern": "Russia"}, {"label": "ORG", "pattern": "UN"}])
    spans = nlp.add_pipe("span_ruler")  # writes doc.spans["sc"]
    spans.add_patterns([{"label": "ACT", "pattern": "request"}, {"label": "LOADED", "pattern": "terrorists"}])
    path = tmp_path_factory.mktemp("spacy") / "pipeline"
    nlp.to_disk(path)
    return path


def test_spacy_pipeline_maps_labels_and_counts_dropped(pipeline: Path, schema: Schema) -> None:
    label_map = parse_label_map("GPE=SPEAKER, ACT=EVENT, LOADED=FRAMING", schema)
    system = resolve_system(None, spacy_model=str(pipeline), label_map=label_map, schema=schema)
    assert isinstance(system, SpacySystem)
    (prediction,) = _run(system, DOCS[:1])
    assert prediction.id == "doc-1" and prediction.text is None
    got = sorted((s.label, s.start, s.end) for s in prediction.spans)
    assert got == [("EVENT", 19, 26), ("FRAMING", 39, 49), ("SPEAKER", 0, 6)]
    assert all(TEXT[s.start:s.end] == s.text and s.attrs == {} for s in prediction.spans)
    assert system.dropped == {"ORG": 1}
    _run(system, DOCS[:1])
    assert system.dropped == {"ORG": 2}


def test_spacy_without_label_map_keeps_only_schema_labels(pipeline: Path, schema: Schema) -> None:
    system = resolve_system(None, spacy_model=str(pipeline), schema=schema)
    (prediction,) = _run(system, DOCS[:1])
    assert prediction.spans == []
    assert system.dropped == {"GPE": 1, "ORG": 1, "ACT": 1, "LOADED": 1}


def test_spacy_missing_pipeline(tmp_path: Path, schema: Schema) -> None:
    with pytest.raises(SystemRunError, match="cannot load spaCy pipeline"):
        resolve_system(None, spacy_model=str(tmp_path / "nope"), schema=schema)


# --------------------------------------------------------------------------------------------
# Arguments


@pytest.mark.parametrize(
    "system, kwargs, fragment",
    [
        (None, {}, "give exactly one of"),
        ("baseline", {"cmd": "echo"}, "got SYSTEM, --cmd"),
        (None, {"url": "http://x", "spacy_model": "en"}, "give exactly one of"),
        ("nonsense", {}, "unknown system 'nonsense'"),
        (":f", {}, "must look like package.module:function"),
        (None, {"cmd": "  "}, "the command is empty"),
        (None, {"cmd": "python 'unbalanced"}, "cannot parse command"),
        (None, {"url": "ftp://host/x"}, "must start with http:// or https://"),
        (None, {"cmd": "echo", "label_map": {"A": "SPEAKER"}}, "applies only to a spaCy pipeline"),
        (None, {"spacy_model": "x", "label_map": {"A": "PERSON"}}, "'PERSON' is not a schema label"),
        (None, {"cmd": "echo", "timeout": 0}, "timeout must be a positive"),
    ],
)
def test_resolve_system_argument_errors(schema: Schema, system: str | None, kwargs: dict[str, Any], fragment: str) -> None:
    with pytest.raises(NewsgoldError) as info:
        resolve_system(system, schema=schema, **kwargs)
    assert fragment in str(info.value)


def test_parse_label_map(schema: Schema) -> None:
    assert parse_label_map("PERSON=SPEAKER, ORG = SPEAKER,EVENT=EVENT", schema) == {
        "PERSON": "SPEAKER",
        "ORG": "SPEAKER",
        "EVENT": "EVENT",
    }


@pytest.mark.parametrize(
    "spec, fragment",
    [
        ("PERSON=PEOPLE", "'PEOPLE' is not a schema label (labels: CLAIM, SPEAKER, EVENT, FRAMING)"),
        ("PERSON", "must look like SYSTEM_LABEL=SCHEMA_LABEL"),
        ("PERSON=SPEAKER,", "must look like"),
        ("=SPEAKER", "must look like"),
        ("", "must look like"),
        ("PERSON=SPEAKER,PERSON=CLAIM", "mapped twice"),
    ],
)
def test_parse_label_map_errors(schema: Schema, spec: str, fragment: str) -> None:
    with pytest.raises(NewsgoldError) as info:
        parse_label_map(spec, schema)
    assert fragment in str(info.value)

