"""Prediction formats and the `newsgold eval` commands end to end, including every bad input."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsgold.cli import app
from newsgold.corpus.rows import RowMaker
from newsgold.io.documents import read_documents, write_documents
from newsgold.io.labelstudio import document_to_results
from newsgold.io.predictions import detect_format, load_predictions
from newsgold.model.document import Document
from newsgold.model.errors import DocumentError
from newsgold.model.schema import Schema
from newsgold.text.iob2 import spans_to_tags
from newsgold.text.segment import Segmenter

REPO = Path(__file__).parents[2]
GOLD = REPO / "gold"
SEED_GOLD = GOLD / "000_1c4f7a9ed72f78a1.json"  # one article: the toy systems look for its words
runner = CliRunner()


def invoke(*args: str):  # type: ignore[no-untyped-def]
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


@pytest.fixture(scope="module")
def gold_docs() -> list[Document]:
    return read_documents(GOLD)


def _half(gold_docs: list[Document]) -> list[Document]:
    """Every other gold span, as a system's predictions (relations kept where both ends remain)."""
    out = []
    for document in gold_docs:
        spans = document.spans[::2]
        ids = {s.id for s in spans}
        out.append(Document(id=document.id, text=None, spans=spans,
                            relations=[r for r in document.relations if r.head in ids and r.tail in ids]))
    return out


# ------------------------------------------------------------------ formats


def test_conll_round_trip_matches_native(gold_docs: list[Document], schema: Schema, tmp_path: Path) -> None:
    predictions = _half(gold_docs)
    lines = ["# columns: token " + " ".join(schema.label_names)]
    maker = RowMaker(schema)
    for gold, pred in zip(gold_docs, predictions):
        lines.append(f"-DOCSTART- {gold.id}")
        segmented = next(Segmenter().segment_documents([Document(id=gold.id, text=gold.text, spans=gold.spans)]))
        for row in maker.token_rows(segmented):
            offsets = list(zip(row["token_starts"], row["token_ends"]))
            layers = [spans_to_tags(offsets, [(s.start, s.end) for s in pred.spans if s.label == label], label)
                      for label in schema.label_names]
            for index, token in enumerate(row["tokens"]):
                lines.append("\t".join([token, *(layer[index] for layer in layers)]))
            lines.append("")
    path = tmp_path / "pred.conll"
    path.write_text("\n".join(lines), encoding="utf-8")
    assert detect_format(path) == "conll"
    loaded = {d.id: d for d in load_predictions(path, schema, {d.id: d for d in gold_docs})}
    assert sorted(loaded) == sorted(d.id for d in gold_docs)  # wikinews_clock's "#IStandWithAhmed" is a token
    for pred in predictions:
        assert {(s.label, s.start, s.end) for s in loaded[pred.id].spans} == {(s.label, s.start, s.end) for s in pred.spans}


def test_conll_hashtag_tokens_are_not_comments(schema: Schema, tmp_path: Path) -> None:
    """Issue 12: `#FreeAleppo B-FRAMING` was read as a comment and dropped; only the header has comments."""
    text = "#FreeAleppo trended. Users said #FreeAleppo again."
    gold = Document(id="tags", text=text)
    path = tmp_path / "tags.conll"
    path.write_text("# columns: token FRAMING\n# a comment in the header\n-DOCSTART- tags\n"
                    "#FreeAleppo\tB-FRAMING\ntrended\tO\n.\tO\n\nUsers\tO\nsaid\tO\n#FreeAleppo\tB-FRAMING\nagain\tO\n.\tO\n",
                    encoding="utf-8")
    [loaded] = load_predictions(path, schema, {"tags": gold})
    assert [(s.label, text[s.start:s.end]) for s in loaded.spans] == [("FRAMING", "#FreeAleppo"), ("FRAMING", "#FreeAleppo")]
    assert [s.start for s in loaded.spans] == [0, text.rindex("#")]


@pytest.mark.parametrize(
    ("content", "message", "line"),
    [
        ("tok\tO\tO\tO\tO\n", "before any -DOCSTART-", 1),
        ("-DOCSTART- nope\n", "not in the gold", 1),
        ("-DOCSTART- 000_1c4f7a9ed72f78a1\nRussia\tO\tO\n", "expected a token and 4 tag column(s)", 2),
        ("-DOCSTART- 000_1c4f7a9ed72f78a1\nRussia\tB-EVENT\tO\tO\tO\n", "is not O, B-<label> or I-<label>", 2),
        ("-DOCSTART- 000_1c4f7a9ed72f78a1\nMoscow\tO\tO\tO\tO\n", "does not continue the document text", 2),
    ],
)
def test_conll_errors_name_the_line(gold_docs, schema, tmp_path, content, message, line) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.conll"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DocumentError) as info:
        load_predictions(path, schema, {d.id: d for d in gold_docs})
    problem = info.value.problems[0]
    assert message in problem.message and problem.line == line and problem.path == str(path)


def _ls_export(gold_docs: list[Document], predictions: list[Document], schema: Schema) -> list[dict]:
    tasks = []
    for index, (gold, pred) in enumerate(zip(gold_docs, predictions), start=1):
        with_text = Document(id=pred.id, text=gold.text, spans=pred.spans, relations=pred.relations)
        tasks.append({
            "id": index,
            "data": {"text": gold.text, "doc_id": gold.id},
            "annotations": [],
            "predictions": [{"id": 7, "model_version": "m1", "result": document_to_results(with_text, schema)}],
        })
    return tasks


def test_label_studio_export_is_scored_like_native(gold_docs, schema, tmp_path) -> None:  # type: ignore[no-untyped-def]
    predictions = _half(gold_docs)
    export = tmp_path / "export.json"
    export.write_text(json.dumps(_ls_export(gold_docs, predictions, schema)), encoding="utf-8")
    assert detect_format(export) == "labelstudio"
    loaded = load_predictions(export, schema, {d.id: d for d in gold_docs})
    assert [(s.label, s.start, s.end, s.attrs) for s in loaded[0].spans] == sorted(
        [(s.label, s.start, s.end, s.attrs) for s in predictions[0].spans], key=lambda x: (x[1], x[2], x[0]))
    assert {(r.label, r.head, r.tail) for r in loaded[0].relations} == {(r.label, r.head, r.tail) for r in predictions[0].relations}
    native = tmp_path / "native.jsonl"
    write_documents(predictions, native)
    a = json.loads(invoke("eval", "score", str(GOLD), str(native), "--json", "--samples", "0").stdout)
    b = json.loads(invoke("eval", "score", str(GOLD), str(export), "--json", "--samples", "0").stdout)
    assert a["scores"] == b["scores"]


def test_label_studio_export_problems(gold_docs, schema, tmp_path) -> None:  # type: ignore[no-untyped-def]
    export = _ls_export(gold_docs, _half(gold_docs), schema)
    result = export[0]["predictions"][0]["result"]
    result[0]["value"]["end"] = 10**6
    result.append({"from_id": "T1", "to_id": "ghost", "type": "relation", "labels": ["attributed_to"]})
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    with pytest.raises(DocumentError) as info:
        load_predictions(path, schema, {d.id: d for d in gold_docs})
    messages = [str(p) for p in info.value.problems]
    assert any("task 1 prediction 7" in m and "outside the task text" in m for m in messages)
    assert any("missing region 'ghost'" in m for m in messages)


# ------------------------------------------------------------------ eval score


def test_score_writes_every_report(gold_docs, tmp_path) -> None:  # type: ignore[no-untyped-def]
    pred = tmp_path / "pred.jsonl"
    write_documents(_half(gold_docs), pred)
    out = {name: tmp_path / name for name in ("r.json", "r.md", "r.html")}
    result = invoke("eval", "score", str(GOLD), str(pred), "--json-out", str(out["r.json"]),
                    "--markdown", str(out["r.md"]), "--html", str(out["r.html"]), "--samples", "200")
    assert result.exit_code == 0 and "strict" in result.output and "micro" in result.output
    report = json.loads(out["r.json"].read_text())
    assert report["inputs"]["gold"]["sha256"] and report["inputs"]["predictions"]["sha256"]
    assert report["schema_version"] == 1 and report["newsgold_version"]
    assert 0 < report["scores"]["strict"]["micro"]["recall"] < 1
    assert report["scores"]["strict"]["micro"]["precision"] == 1.0
    assert "| strict | CLAIM |" in out["r.md"].read_text()
    page = out["r.html"].read_text()
    assert "<script" not in page and "http" not in page.split("<body>")[1].split("newsgold evaluation")[0]
    assert "missed (in gold, not predicted)" in page and "Konashenkov" in page


def _bad_prediction(kind: str, gold_docs: list[Document], tmp_path: Path) -> tuple[Path, str]:
    doc_id = gold_docs[0].id
    path = tmp_path / "pred.jsonl"
    span = {"id": "P1", "label": "EVENT", "start": 0, "end": 6}
    if kind == "malformed JSON":
        path.write_text('{"id": "%s", "spans": [\n' % doc_id)
        return path, f"{path}:1: invalid JSON"
    if kind == "unknown label":
        span["label"] = "BIAS"
        expected = "span 'P1', field 'label': unknown label 'BIAS'"
    elif kind == "offsets out of range":
        span["end"] = 10**6
        expected = "span 'P1', field 'end'"
    elif kind == "unknown document":
        path.write_text(json.dumps({"id": "ghost", "spans": [span]}) + "\n")
        return path, "document 'ghost', field 'id': prediction for a document that is not in the gold"
    elif kind == "ungroundable text":
        span = {"id": "P1", "label": "EVENT", "text": "peace talks"}
        expected = "span 'P1', field 'text': cannot ground 'peace talks'"
    path.write_text(json.dumps({"id": doc_id, "spans": [span]}) + "\n")
    return path, expected


@pytest.mark.parametrize("kind", ["malformed JSON", "unknown label", "offsets out of range", "unknown document", "ungroundable text"])
def test_bad_predictions_exit_one_naming_the_place(gold_docs, tmp_path, kind) -> None:  # type: ignore[no-untyped-def]
    path, expected = _bad_prediction(kind, gold_docs, tmp_path)
    result = invoke("eval", "score", str(GOLD), str(path))
    assert result.exit_code == 1
    assert expected in result.output, result.output


def test_allow_flags(gold_docs, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path, _ = _bad_prediction("ungroundable text", gold_docs, tmp_path)
    result = invoke("eval", "score", str(GOLD), str(path), "--allow-ungrounded", "--samples", "0")
    assert result.exit_code == 0 and "could not be grounded" in result.output
    path, _ = _bad_prediction("unknown document", gold_docs, tmp_path)
    result = invoke("eval", "score", str(GOLD), str(path), "--allow-extra", "--samples", "0")
    assert result.exit_code == 0 and "ignored predictions for 1 document" in result.output
    assert "had no prediction" in result.output


# ------------------------------------------------------------------ eval run / compare


SYSTEM_MODULE = '''
def predict(text):
    """A toy system: every occurrence of a few words as EVENT spans."""
    spans = []
    for word, kind in (("rejected", "REJECT"), ("ceasefire", "CEASEFIRE"), ("aid", "AID")):
        start = text.find(word)
        if start >= 0:
            spans.append({"label": "EVENT", "start": start, "end": start + len(word),
                          "attrs": {"type": kind, "factuality": "asserted"}})
    spans.append({"label": "SPEAKER", "text": "Maria Zakharova", "attrs": {"entity": "Maria Zakharova"}})
    return {"spans": spans}
'''

COMMAND = '''
import json, sys
for line in sys.stdin:
    doc = json.loads(line)
    start = doc["text"].find("Russia")
    print(json.dumps({"id": doc["id"], "spans": [{"label": "SPEAKER", "start": start, "end": start + 6}]}))
'''


def test_run_callable_and_command_then_compare(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "toy_system.py").write_text(SYSTEM_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    result = invoke("eval", "run", "toy_system:predict", "--gold", str(SEED_GOLD), "--out", str(a), "--samples", "100")
    assert result.exit_code == 0, result.output
    [prediction] = read_documents(a, require_text=False)
    assert {s.label for s in prediction.spans} == {"EVENT", "SPEAKER"}
    script = tmp_path / "system.py"
    script.write_text(COMMAND)
    result = invoke("eval", "run", "--cmd", f"{sys.executable} {script}", "--gold", str(SEED_GOLD), "--out", str(b), "--json", "--samples", "100")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["scores"]["strict"]["per_label"]["SPEAKER"]["p_num"] == 1  # "Russia" at 0 is a gold speaker
    result = invoke("eval", "compare", str(SEED_GOLD), str(a), str(b), "--samples", "200")
    assert result.exit_code == 0 and "p = " in result.output
    data = json.loads(invoke("eval", "compare", str(SEED_GOLD), str(a), str(b), "--samples", "200", "--json").stdout)
    micro = data["tests"]["strict"]["micro"]
    assert 0 < micro["p_value_randomization"] <= 1 and micro["ci"][0] <= micro["difference"] <= micro["ci"][1]
    # one document: the tests say little, and the output says so; systems are named by their files
    assert data["documents"] == 1 and "only 1 document(s)" in data["warnings"][0] and data["names"] == {"a": str(a), "b": str(b)}
    result = runner.invoke(app, ["eval", "compare", str(SEED_GOLD), str(a), str(b), "--samples", "200", "--html", str(tmp_path / "c.html")],
                           env={"COLUMNS": "80"})
    assert result.exit_code == 0 and "warning: only 1 document(s)" in result.output and f"A = {a}" in result.output.replace("\n", "")
    table = result.stdout.splitlines()
    assert max(len(line) for line in table if "…" in line) <= 80  # the table fits an 80-column terminal
    page = (tmp_path / "c.html").read_text(encoding="utf-8")
    assert "only 1 document(s)" in page and "p randomization" in page


def test_run_reports_system_failures(tmp_path) -> None:  # type: ignore[no-untyped-def]
    script = tmp_path / "broken.py"
    script.write_text("import sys\nsys.stderr.write('model exploded\\n')\nsys.exit(3)\n")
    result = invoke("eval", "run", "--cmd", f"{sys.executable} {script}", "--gold", str(GOLD), "--out", str(tmp_path / "p.jsonl"))
    assert result.exit_code == 1 and "model exploded" in result.output
    result = invoke("eval", "run", "no_such_module:predict", "--gold", str(GOLD), "--out", str(tmp_path / "p.jsonl"))
    assert result.exit_code == 1 and "no_such_module" in result.output
    assert invoke("eval", "run", "--gold", str(GOLD)).exit_code == 1  # no system given


def test_workers_option_gives_the_same_report(gold_docs, tmp_path) -> None:  # type: ignore[no-untyped-def]
    pred = tmp_path / "pred.jsonl"
    write_documents(_half(gold_docs), pred)
    reports = []
    for workers in ("1", "2"):
        result = invoke("eval", "score", str(GOLD), str(pred), "--json", "--samples", "50", "--workers", workers)
        assert result.exit_code == 0, result.output
        reports.append(json.loads(result.output))
    assert reports[0]["scores"] == reports[1]["scores"] and reports[0]["per_document"] == reports[1]["per_document"]
    assert invoke("eval", "score", str(GOLD), str(pred), "--workers", "0").exit_code == 2


def test_split_scores_only_that_splits_documents(gold_docs, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from newsgold.corpus.settings import load_settings

    rule = load_settings().splits
    pred = tmp_path / "pred.jsonl"
    write_documents(_half(gold_docs), pred)  # predictions for every document, of every split
    for split in ("train", "test"):
        report = json.loads(invoke("eval", "score", str(GOLD), str(pred), "--split", split, "--json", "--samples", "50").stdout)
        expected = sorted(d.id for d in gold_docs if rule.assign(d.id) == split)
        assert report["documents"]["scored"] == len(expected) and report["inputs"]["split"] == {"name": split, "documents": len(expected)}
        assert sorted(report["per_document"]) == expected
        gold_claims = sum(1 for d in gold_docs if d.id in expected for s in d.spans if s.label == "CLAIM")
        assert report["scores"]["strict"]["per_label"]["CLAIM"]["r_den"] == gold_claims
    result = invoke("eval", "score", str(GOLD), str(pred), "--split", "dev")
    assert result.exit_code == 1 and "unknown split 'dev'" in result.output and "train, validation, test" in result.output


def test_an_empty_prediction_file_scores_everything_as_missed(gold_docs, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Issue 12: a system that found nothing is a valid result, not bad input."""
    empty = tmp_path / "nothing.jsonl"
    empty.write_bytes(b"\xef\xbb\xbf\n")
    result = invoke("eval", "score", str(GOLD), str(empty), "--json", "--samples", "20")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert sorted(report["documents"]["missing_predictions"]) == sorted(d.id for d in gold_docs)
    micro = report["scores"]["strict"]["micro"]
    assert micro["recall"] == 0.0 and micro["fn"] == micro["support"] == sum(len(d.spans) for d in gold_docs)


def test_a_registered_format_is_one_registration_away(gold_docs, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Formats are a registry: a new one is recognised by `auto`, named by --format, and listed in errors."""
    from newsgold.io import predictions

    def read_ids(path, schema, gold, ls_source):  # type: ignore[no-untyped-def]
        return [Document(id=line.strip(), text=None) for line in path.read_text().splitlines() if line.strip()]

    fmt = predictions.PredictionFormat("ids", "one document id per line, no spans", read_ids,
                                       recognise=lambda path: path.suffix == ".ids")
    monkeypatch.setitem(predictions.FORMATS, "ids", fmt)
    listing = tmp_path / "nothing.ids"
    listing.write_text("\n".join(d.id for d in gold_docs) + "\n")
    assert detect_format(listing) == "ids"
    report = json.loads(invoke("eval", "score", str(GOLD), str(listing), "--json", "--samples", "10").stdout)
    assert report["documents"]["missing_predictions"] == [] and report["scores"]["strict"]["micro"]["tp"] == 0
    plain = tmp_path / "ids.txt"
    plain.write_text(listing.read_text())
    assert json.loads(invoke("eval", "score", str(GOLD), str(plain), "--format", "ids", "--json", "--samples", "10").stdout)
    result = invoke("eval", "score", str(GOLD), str(plain), "--format", "xml")
    assert result.exit_code == 1 and "unknown format 'xml'" in result.output and "ids" in result.output


def test_a_registered_system_runs_by_name(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from newsgold.systems import adapters

    system = adapters.NamedSystem("nothing", "finds nothing", lambda schema: adapters.CallableSystem("nothing", lambda text: {"spans": []}))
    monkeypatch.setitem(adapters.SYSTEMS, "nothing", system)
    out = tmp_path / "p.jsonl"
    result = invoke("eval", "run", "nothing", "--gold", str(SEED_GOLD), "--out", str(out), "--json", "--samples", "10")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["inputs"]["system"] == "nothing"
    result = invoke("eval", "run", "no-such-system", "--gold", str(SEED_GOLD), "--out", str(out))
    assert result.exit_code == 1 and "'baseline'" in result.output and "'nothing'" in result.output


def test_reports_are_a_registry(gold_docs, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A report format is one registration away; --report NAME=PATH writes any registered one."""
    from newsgold.evaluate import reports

    writer = reports.ReportWriter("f1", "micro F1 alone", lambda report, evaluation, schema: f"{report['scores']['strict']['micro']['f1']:.4f}\n")
    monkeypatch.setitem(reports.REPORT_WRITERS, "f1", writer)
    pred = tmp_path / "pred.jsonl"
    write_documents(_half(gold_docs), pred)
    out, page = tmp_path / "f1.txt", tmp_path / "page.html"
    result = invoke("eval", "score", str(GOLD), str(pred), "--samples", "10", "--report", f"f1={out}", "--report", f"html={page}",
                    "--json-out", str(tmp_path / "r.json"))
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "r.json").read_text())
    assert out.read_text() == f"{report['scores']['strict']['micro']['f1']:.4f}\n"
    assert page.read_text().lstrip().lower().startswith("<!doctype html")
    result = invoke("eval", "score", str(GOLD), str(pred), "--report", "pdf=x.pdf")
    assert result.exit_code == 1 and "unknown report 'pdf'" in result.output and "f1" in result.output
