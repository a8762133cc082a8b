"""End to end against a real Label Studio server (fresh data dir, free port): up, push with
baseline pre-annotations, annotations by two users through the SDK (emoji + CRLF, cancelled,
ground truth, relations, per-region attributes), pull, agreement, down — and every failure path.
"""

from __future__ import annotations

import http.server
import json
import shutil
import socket
import threading
from pathlib import Path

import httpx
import pytest
import yaml
from label_studio_sdk import LabelStudio
from label_studio_sdk.core.api_error import ApiError
from typer.testing import CliRunner

from newsgold.annotation.config import labeling_config
from newsgold.cli import app
from newsgold.corpus.ingest import seed_document
from newsgold.io.documents import read_documents, write_documents
from newsgold.io.labelstudio import document_to_results
from newsgold.model.document import Document, Relation, Span
from newsgold.model.schema import Schema

pytestmark = pytest.mark.server
REPO = Path(__file__).parents[2]
SEED_ID = "000_1c4f7a9ed72f78a1"
TEST_ID = "emoji-crlf"
TEST_TEXT = "Officials 🙂 said the “truce” held.\r\nShe added that aid would arrive 👩‍⚕️ soon.\r\n"
runner = CliRunner()


def invoke(*args: str, ok: bool = True):  # type: ignore[no-untyped-def]
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output, result.output
    if ok:
        assert result.exit_code == 0, result.output
    return result


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _at(part: str) -> tuple[int, int]:
    start = TEST_TEXT.index(part)
    return start, start + len(part)


def expected_test_gold() -> Document:
    """What annotator A marks in the emoji/CRLF document."""
    claim = {"voice": "attributed", "quote": "indirect", "checkworthy": "no"}
    return Document(id=TEST_ID, text=TEST_TEXT, spans=[
        Span("a1", "SPEAKER", *_at("Officials"), attrs={"mention": "nominal", "entity": "Syrian officials"}),
        Span("a2", "CLAIM", *_at("the “truce” held"), attrs=claim),
        Span("a3", "FRAMING", *_at("“truce”"), attrs={"device": "scare_quotes", "target": "action", "valence": "negative", "voice": "quoted"}),
        Span("a4", "SPEAKER", *_at("She"), attrs={"mention": "pronoun", "entity": "Jane Doe 🙂"}),
        Span("a5", "CLAIM", *_at("aid would arrive 👩‍⚕️ soon"), attrs=claim),
        Span("a6", "EVENT", *_at("aid"), attrs={"type": "AID", "factuality": "planned"}),
    ], relations=[Relation("attributed_to", "a2", "a1"), Relation("attributed_to", "a5", "a4"), Relation("about", "a5", "a6")])


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A real server started by `newsgold annotate up`, stopped by `annotate down` at the end."""
    root = tmp_path_factory.mktemp("ls")
    seeds = root / "seeds"
    seeds.mkdir()
    shutil.copy(REPO / "seeds" / f"{SEED_ID}.txt", seeds)
    (seeds / f"{TEST_ID}.txt").write_bytes(TEST_TEXT.encode("utf-8"))
    config = root / "labelstudio.yaml"
    config.write_text(yaml.safe_dump({
        "project_title": "newsgold e2e", "maximum_annotations": 2, "batch_size": 1,
        "server": {"host": "127.0.0.1", "port": _free_port(), "data_dir": str(root / "data"), "startup_timeout": 240},
    }))
    result = invoke("annotate", "up", "--seeds", str(seeds), "--ls-config", str(config))
    assert "tasks: 2 imported" in result.output and "password" in result.output
    state = json.loads((root / "data" / "server.json").read_text())
    token = (root / "data" / "api-token").read_text().strip()
    assert oct((root / "data" / "api-token").stat().st_mode)[-3:] == "600"
    documents = root / "documents.jsonl"
    write_documents([seed_document(seeds / f"{SEED_ID}.txt"), seed_document(seeds / f"{TEST_ID}.txt")], documents)
    yield {"root": root, "config": config, "url": state["url"], "token": token, "documents": documents,
           "client": LabelStudio(base_url=state["url"], api_key=token)}
    result = invoke("annotate", "down", "--ls-config", str(config))
    assert "stopped" in result.output
    assert not (root / "data" / "server.json").exists()


def _tasks(lab) -> dict[str, int]:  # type: ignore[no-untyped-def]
    client = lab["client"]
    [project] = [p for p in client.projects.list() if p.title == "newsgold e2e"]
    return {t.data["doc_id"]: t.id for t in client.tasks.list(project=project.id)}


def test_labeling_config_is_valid_on_the_real_server(lab, schema: Schema) -> None:  # type: ignore[no-untyped-def]
    client = lab["client"]
    [project] = [p for p in client.projects.list() if p.title == "newsgold e2e"]
    client.projects.validate_label_config(project.id, label_config=labeling_config(schema))
    with pytest.raises(ApiError):
        client.projects.validate_label_config(project.id, label_config=labeling_config(schema).replace('toName="text"', 'toName="nope"', 1))
    assert client.projects.get(project.id).maximum_annotations == 2


def test_secrets_are_not_on_the_server_command_line(lab) -> None:  # type: ignore[no-untyped-def]
    """/proc/<pid>/cmdline is readable by every local user; the password and token never go there."""
    state = json.loads((lab["root"] / "data" / "server.json").read_text())
    password = json.loads((lab["root"] / "data" / "credentials.json").read_text())["password"]
    pids = [int(state["pid"])] + [int(p) for p in Path(f"/proc/{state['pid']}/task").glob("*/children") for p in p.read_text().split()]
    seen = 0
    for pid in pids:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace")
        seen += "label" in cmdline or "python" in cmdline
        assert lab["token"] not in cmdline and password not in cmdline
    assert seen >= 1


def test_up_again_reuses_server_and_project(lab) -> None:  # type: ignore[no-untyped-def]
    result = invoke("annotate", "up", "--seeds", str(lab["root"] / "seeds"), "--ls-config", str(lab["config"]))
    assert lab["url"] in result.output and "0 imported, 2 already there" in result.output


def test_push_is_idempotent_and_attaches_predictions(lab) -> None:  # type: ignore[no-untyped-def]
    first = json.loads(invoke("annotate", "push", str(lab["documents"]), "--system", "baseline", "--ls-config", str(lab["config"]), "--json").stdout)
    assert first["imported"] == 0 and first["unchanged"] == 2 and first["predictions_added"] == 2
    again = json.loads(invoke("annotate", "push", str(lab["documents"]), "--system", "baseline", "--ls-config", str(lab["config"]), "--json").stdout)
    assert again["imported"] == 0 and again["predictions_added"] == 0 and again["predictions_kept"] == 2
    assert again["project_created"] is False and again["project_updated"] is False  # a true no-op
    tasks = _tasks(lab)
    assert len(tasks) == 2
    predictions = lab["client"].predictions.list(task=tasks[SEED_ID])
    assert len(predictions) == 1 and predictions[0].model_version.startswith("baseline")


def test_pull_before_anyone_annotated_says_so_and_writes_nothing(lab, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = invoke("annotate", "pull", "--out", str(tmp_path / "ann"), "--gold", str(tmp_path / "gold"), "--ls-config", str(lab["config"]))
    assert "nothing is annotated yet" in result.output and "annotate submit" in result.output
    assert not (tmp_path / "ann").exists() and not (tmp_path / "gold").exists()


def test_round_trip_annotations_to_gold_and_agreement(lab, schema: Schema) -> None:  # type: ignore[no-untyped-def]
    client, tasks = lab["client"], _tasks(lab)
    user2 = client.users.create(username="annotator2", email="annotator2@example.com")
    client.users.update(user2.id, active_organization=client.users.whoami().active_organization)
    [seed_gold] = read_documents(REPO / "gold" / f"{SEED_ID}.json")
    partial = Document(id=SEED_ID, text=seed_gold.text, spans=[s for s in seed_gold.spans if s.label != "FRAMING"],
                       relations=seed_gold.relations)
    reviewer = client.users.create(username="reviewer", email="reviewer@example.com")
    client.users.update(reviewer.id, active_organization=client.users.whoami().active_organization)
    client.annotations.create(tasks[SEED_ID], result=document_to_results(seed_gold, schema))
    client.annotations.create(tasks[SEED_ID], result=document_to_results(partial, schema), completed_by=user2.id)
    # the reviewer's version, made with sight of the other two: it decides the gold, not the agreement
    client.annotations.create(tasks[SEED_ID], result=document_to_results(seed_gold, schema), ground_truth=True, completed_by=reviewer.id)
    client.annotations.create(tasks[TEST_ID], result=document_to_results(expected_test_gold(), schema))
    client.annotations.create(tasks[TEST_ID], result=[], was_cancelled=True, completed_by=user2.id)

    root = lab["root"]
    result = invoke("annotate", "pull", "--out", str(root / "ann"), "--gold", str(root / "gold"), "--ls-config", str(lab["config"]), "--json")
    report = json.loads(result.stdout)
    assert report["cancelled_dropped"] == 1 and report["annotations"] == 4 and report["problems"] == []
    assert report["rules"][SEED_ID].startswith("ground truth") and report["rules"][TEST_ID].startswith("single annotator")
    assert lab["token"] not in result.output

    def key(document: Document) -> tuple[set, set]:  # type: ignore[type-arg]
        spans = {s.id: (s.label, s.start, s.end) for s in document.spans}
        return ({(s.label, s.start, s.end, tuple(sorted(s.attrs.items()))) for s in document.spans},
                {(r.label, spans[r.head], spans[r.tail]) for r in document.relations})

    gold = {d.id: d for d in read_documents(root / "gold")}
    assert key(gold[TEST_ID]) == key(expected_test_gold())
    assert gold[TEST_ID].text == TEST_TEXT  # CRLF and emoji kept, offsets exact
    assert key(gold[SEED_ID]) == key(seed_gold)
    admin, checker = f"annotator-{client.users.whoami().id}", f"annotator-{reviewer.id}"
    assert gold[SEED_ID].meta["annotators"] == [checker]  # the ground truth decided: one person's annotation
    assert gold[SEED_ID].meta["adjudication"]["rule"] == "ground_truth"
    assert "@" not in json.dumps([d.meta for d in gold.values()])  # no e-mail address in gold
    pseudonyms = json.loads((root / "data" / "annotators.json").read_text())
    assert pseudonyms == {admin: "admin@newsgold.local", f"annotator-{user2.id}": "annotator2@example.com",
                          checker: "reviewer@example.com"}
    assert invoke("validate", str(root / "gold")).exit_code == 0
    assert sorted(p.name for p in (root / "ann").iterdir()) == sorted([f"{admin}.jsonl", f"annotator-{user2.id}.jsonl", f"{checker}.jsonl"])

    agreement = json.loads(invoke("annotate", "agreement", str(root / "ann"), "--json").stdout)
    assert agreement["documents_compared"] == 1 and agreement["annotators"] == sorted([admin, f"annotator-{user2.id}"])
    assert agreement["span_f1"]["strict"]["CLAIM"]["f1"] == 1.0
    assert agreement["span_f1"]["strict"]["FRAMING"]["f1"] == 0.0
    assert agreement["token_alpha"]["EVENT"] == pytest.approx(1.0)
    assert agreement["relations_f1"]["attributed_to"]["f1"] == 1.0
    assert invoke("annotate", "agreement", str(root / "ann")).exit_code == 0

    # re-pulling changes nothing; a hand-edited gold file is not overwritten without --force
    again = json.loads(invoke("annotate", "pull", "--out", str(root / "ann"), "--gold", str(root / "gold"), "--ls-config", str(lab["config"]), "--json").stdout)
    assert sorted(again["gold_unchanged"]) == [SEED_ID, TEST_ID]
    edited = gold[TEST_ID]
    write_documents([Document(id=TEST_ID, text=TEST_TEXT, meta=edited.meta, spans=edited.spans[:1])], root / "gold")
    refused = invoke("annotate", "pull", "--out", str(root / "ann"), "--gold", str(root / "gold"), "--ls-config", str(lab["config"]), ok=False)
    assert refused.exit_code == 3 and "gold differs" in refused.output and "--force" in refused.output  # its own exit code
    assert len(read_documents(root / "gold" / f"{TEST_ID}.json")[0].spans) == 1
    invoke("annotate", "pull", "--out", str(root / "ann"), "--gold", str(root / "gold"), "--ls-config", str(lab["config"]), "--force")
    assert key(read_documents(root / "gold" / f"{TEST_ID}.json")[0]) == key(expected_test_gold())

    # changing the text of an annotated document is refused
    changed = root / "changed.jsonl"
    write_documents([Document(id=TEST_ID, text=TEST_TEXT + "More.")], changed)
    result = invoke("annotate", "push", str(changed), "--ls-config", str(lab["config"]), ok=False)
    assert result.exit_code == 1 and f"document '{TEST_ID}', field 'text'" in result.output and "annotation" in result.output


def test_votes_per_annotator_and_invalid_annotations_on_the_real_server(lab, schema: Schema) -> None:  # type: ignore[no-untyped-def]
    """Issue 16: a second annotation by the same person is not a second vote; an invalid one blocks the task."""
    client, root = lab["client"], lab["root"]
    text = "Anna and Bert spoke."
    documents = root / "votes.jsonl"
    write_documents([Document(id="votes", text=text), Document(id="invalid-one", text=text)], documents)
    invoke("annotate", "push", str(documents), "--ls-config", str(lab["config"]))
    tasks = _tasks(lab)
    other = client.users.create(username="annotator3", email="annotator3@example.com")
    client.users.update(other.id, active_organization=client.users.whoami().active_organization)
    anna = Span("a", "SPEAKER", 0, 4, attrs={"mention": "name", "entity": "Anna"})
    bert = Span("b", "SPEAKER", 9, 13, attrs={"mention": "name", "entity": "Bert"})
    both = document_to_results(Document(id="votes", text=text, spans=[anna, bert]), schema)
    only_anna = document_to_results(Document(id="votes", text=text, spans=[anna]), schema)
    client.annotations.create(tasks["votes"], result=both)
    client.annotations.create(tasks["votes"], result=both)  # the same person again
    client.annotations.create(tasks["votes"], result=only_anna, completed_by=other.id)
    trailing_space = document_to_results(Document(id="invalid-one", text=text, spans=[
        Span("a", "SPEAKER", 0, 5, attrs={"mention": "name", "entity": "Anna"})]), schema)
    client.annotations.create(tasks["invalid-one"], result=only_anna)
    client.annotations.create(tasks["invalid-one"], result=trailing_space, completed_by=other.id)

    out, gold = root / "votes-ann", root / "votes-gold"
    result = invoke("annotate", "pull", "--out", str(out), "--gold", str(gold), "--ls-config", str(lab["config"]), "--json", ok=False)
    report = json.loads(result.stdout)
    assert result.exit_code == 1  # the invalid annotation is a problem
    assert report["rules"]["votes"].startswith("majority of 2 annotators")
    [votes] = read_documents(gold / "votes.json")
    assert [(s.start, s.end) for s in votes.spans] == [(0, 4)]  # Bert: 1 of 2 annotators
    assert "invalid-one" in report["unresolved"] and not (gold / "invalid-one.json").exists()
    assert any("ends on whitespace" in p["message"] or "whitespace" in p["message"] for p in report["problems"])
    again = json.loads(invoke("annotate", "pull", "--out", str(out), "--gold", str(gold), "--drop-invalid",
                              "--ls-config", str(lab["config"]), "--json", ok=False).stdout)
    assert "invalid-one" in again["gold_written"] and "left out" in again["rules"]["invalid-one"]


class _FaultyProxy(http.server.BaseHTTPRequestHandler):
    """Forwards to the real server; the second task import answers 500 (a server dying mid-push)."""

    target = ""
    imports = 0

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.startswith("/html"):
            self._answer(404, b"<!DOCTYPE html><html><body><h1>Not Found</h1>" + b"x" * 2000 + b"</body></html>", "text/html")
            return
        if "/import" in self.path:
            type(self).imports += 1
            if type(self).imports == 2:
                self._answer(500, b'{"detail": "server went away"}', "application/json")
                return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length", "accept-encoding")}
        reply = httpx.request(self.command, self.target + self.path, content=body, headers=headers, timeout=60)
        self._answer(reply.status_code, reply.content, reply.headers.get("content-type", "application/json"))

    def _answer(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PATCH = do_DELETE = _forward

    def log_message(self, *args: object) -> None:
        pass


def test_a_push_cut_short_says_how_far_it_got_and_html_is_not_pasted(lab, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _FaultyProxy.target, _FaultyProxy.imports = lab["url"], 0
    proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FaultyProxy)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{proxy.server_address[1]}"
        config = yaml.safe_load(lab["config"].read_text())
        small = tmp_path / "ls.yaml"
        small.write_text(yaml.safe_dump({**config, "project_title": "newsgold cut short", "batch_size": 1}))
        documents = tmp_path / "three.jsonl"
        write_documents([Document(id=f"cut-{i}", text=f"Text number {i}.") for i in range(3)], documents)
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("LABEL_STUDIO_API_KEY", lab["token"])
            result = invoke("annotate", "push", str(documents), "--url", url, "--ls-config", str(small), ok=False)
            assert result.exit_code == 1 and "1 of 3 new task(s) were imported before the failure" in result.output
            again = invoke("annotate", "push", str(documents), "--url", lab["url"], "--ls-config", str(small), "--json")
            assert json.loads(again.stdout)["imported"] == 2 and json.loads(again.stdout)["unchanged"] == 1
            html = invoke("annotate", "push", str(documents), "--url", url + "/html", "--ls-config", str(small), ok=False)
        assert html.exit_code == 1 and "<html" not in html.output.lower() and "HTML page" in html.output
    finally:
        proxy.shutdown()


def test_failure_paths(lab, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    config = yaml.safe_load(lab["config"].read_text())
    wrong_title = tmp_path / "other.yaml"
    wrong_title.write_text(yaml.safe_dump({**config, "project_title": "no such project"}))
    result = invoke("annotate", "pull", "--gold", str(tmp_path / "g"), "--ls-config", str(wrong_title), ok=False)
    assert result.exit_code == 1 and "no project titled 'no such project'" in result.output

    result = invoke("annotate", "push", str(lab["documents"]), "--url", f"http://127.0.0.1:{_free_port()}", "--ls-config", str(lab["config"]), ok=False)
    assert result.exit_code == 1 and "cannot reach Label Studio" in result.output

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LABEL_STUDIO_API_KEY", "0" * 40)
        result = invoke("annotate", "push", str(lab["documents"]), "--ls-config", str(lab["config"]), ok=False)
    assert result.exit_code == 1 and "rejected the API key" in result.output and "0" * 40 not in result.output

    bad = tmp_path / "bad.json"
    bad.write_text("[{")
    result = invoke("annotate", "pull", "--from-export", str(bad), "--gold", str(tmp_path / "g"), "--ls-config", str(lab["config"]), ok=False)
    assert result.exit_code == 1 and "cannot read the export" in result.output

    export = [{"id": 5, "data": {"text": "He said no.", "doc_id": "x"}, "annotations": [{"id": 9, "completed_by": 1, "result": [
        {"id": "r1", "type": "labels", "from_name": "label", "to_name": "text", "value": {"start": 0, "end": 2, "labels": ["SPEAKER"]}},
        {"id": "r2", "type": "labels", "from_name": "label", "to_name": "text", "value": {"start": 3, "end": 99, "labels": ["CLAIM"]}},
        {"from_id": "r9", "to_id": "r1", "type": "relation", "labels": ["attributed_to"]},
    ]}]}]
    bad.write_text(json.dumps(export))
    result = invoke("annotate", "pull", "--from-export", str(bad), "--out", str(tmp_path / "a"), "--gold", str(tmp_path / "g"), "--ls-config", str(lab["config"]), ok=False)
    assert result.exit_code == 1
    assert "task 5 annotation 9: offsets 3:99" in result.output and "missing region 'r9'" in result.output
    assert "missing required attribute SPEAKER.mention" in result.output
    assert not (tmp_path / "g").exists() or not list((tmp_path / "g").iterdir())


def test_api_key_is_not_in_tracked_files(lab) -> None:  # type: ignore[no-untyped-def]
    import subprocess

    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    for name in tracked:
        path = REPO / name
        if path.is_file() and path.stat().st_size < 2_000_000:
            assert lab["token"] not in path.read_text(encoding="utf-8", errors="ignore"), name


def test_annotators_with_their_own_accounts_submit_through_the_api(lab, schema: Schema, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """add-annotator signs a person up through the invite link; submit makes annotations that are theirs."""
    config = str(lab["config"])
    added = json.loads(invoke("annotate", "add-annotator", "Alice@Example.org", "--ls-config", config, "--json").stdout)
    assert added["created"] is True and added["email"] == "alice@example.org"
    secrets_file = Path(added["secrets_file"])
    assert oct(secrets_file.stat().st_mode)[-3:] == "600"
    stored = json.loads(secrets_file.read_text())
    alice = LabelStudio(base_url=lab["url"], api_key=stored["token"])
    me = alice.users.whoami()
    assert me.email == "alice@example.org" and added["pseudonym"] == f"annotator-{me.id}"  # her own token, not the admin's
    assert me.id != lab["client"].users.whoami().id
    again = invoke("annotate", "add-annotator", "alice@example.org", "--ls-config", config)
    assert "already there" in again.output and stored["token"] not in again.output and stored["password"] not in again.output
    pseudonyms = json.loads((lab["root"] / "data" / "annotators.json").read_text())
    assert pseudonyms[added["pseudonym"]] == "alice@example.org"
    assert invoke("annotate", "add-annotator", "not-an-email", "--ls-config", config, ok=False).exit_code == 1

    mine = expected_test_gold()
    mine.spans[0].attrs["entity"] = "Alice's officials"  # her own reading, distinguishable from the others'
    path = tmp_path / "alice.json"
    write_documents([mine], tmp_path / "alice")
    submitted = json.loads(invoke("annotate", "submit", str(tmp_path / "alice"), "--annotator", "alice@example.org",
                                  "--ls-config", config, "--json").stdout)
    assert submitted["annotator"] == added["pseudonym"] and list(submitted["created"]) == [TEST_ID]
    annotation = lab["client"].annotations.get(submitted["created"][TEST_ID])
    assert annotation.completed_by == me.id and not annotation.ground_truth
    resubmitted = json.loads(invoke("annotate", "submit", str(tmp_path / "alice"), "--annotator", "alice@example.org",
                                    "--ls-config", config, "--json").stdout)
    assert resubmitted["created"] == {} and resubmitted["unchanged"] == {TEST_ID: submitted["created"][TEST_ID]}

    # every problem is named before anything is sent: unknown document, crossing spans
    crossing = expected_test_gold()
    crossing.spans[1] = Span("a2", "CLAIM", _at("Officials")[0] + 3, _at("the “truce”")[0] + 5, attrs=crossing.spans[1].attrs)
    crossing.spans[0] = Span("a1", "SPEAKER", *_at("Officials 🙂 said"), attrs=crossing.spans[0].attrs)
    stray = Document(id="not-a-task", text="Nothing.", spans=[])
    write_documents([crossing, stray], path.with_suffix(".jsonl"))
    before = len(lab["client"].annotations.list(id=_tasks(lab)[TEST_ID]))
    result = invoke("annotate", "submit", str(path.with_suffix(".jsonl")), "--annotator", "alice@example.org", "--ls-config", config, ok=False)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "not-a-task" in result.output and "push the document first" in result.output
    assert "crosses SPEAKER span 'a1'" in result.output
    assert len(lab["client"].annotations.list(id=_tasks(lab)[TEST_ID])) == before

    pulled = json.loads(invoke("annotate", "pull", "--out", str(tmp_path / "ann"), "--gold", str(tmp_path / "gold"),
                               "--ls-config", config, "--json", ok=False).stdout)
    assert pulled["by_annotator"][added["pseudonym"]] == 1
    [theirs] = read_documents(tmp_path / "ann" / f"{added['pseudonym']}.jsonl")
    assert theirs.spans[0].attrs["entity"] == "Alice's officials" and theirs.meta["ground_truth"] is False


def test_exported_tasks_import_by_hand_and_export_back_whole(lab, schema: Schema) -> None:  # type: ignore[no-untyped-def]
    """`convert --to labelstudio` gives tasks a user imports into any project with newsgold's config;
    the project's own JSON export converts back to the same documents (relations and attributes included)."""
    from newsgold.annotation.client import Connection
    from newsgold.annotation.pull import export_snapshot, same_annotation

    root = lab["root"]
    documents = [*read_documents(REPO / "gold")[:2], expected_test_gold()]
    documents[-1].meta = {"source": "hand-written", "license": "CC0-1.0"}
    write_documents(documents, root / "to-import.jsonl")
    invoke("convert", str(root / "to-import.jsonl"), str(root / "tasks.json"), "--from", "native", "--to", "labelstudio")
    client = lab["client"]
    project = client.projects.create(title="hand import", label_config=labeling_config(schema))
    client.projects.import_tasks(project.id, request=json.loads((root / "tasks.json").read_text(encoding="utf-8")))
    exported = export_snapshot(Connection(client, lab["url"]), project.id)
    assert len(exported) == 3 and all(len(task["annotations"]) == 1 for task in exported)
    (root / "exported.json").write_text(json.dumps(exported, ensure_ascii=False), encoding="utf-8")
    invoke("convert", str(root / "exported.json"), str(root / "back.jsonl"), "--from", "labelstudio")
    back = {d.id: d for d in read_documents(root / "back.jsonl")}
    assert sorted(back) == sorted(d.id for d in documents)
    for document in documents:
        assert back[document.id].text == document.text and same_annotation(document, back[document.id])
        assert back[document.id].meta == document.meta


def test_llm_pre_annotations_carry_model_and_prompt_hash(lab, schema: Schema, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`annotate push --llm` runs the model (a local OpenAI-compatible server) and names model and prompt in model_version."""
    import re

    from llm_server import Answer, FakeLlm

    from newsgold.systems.llm_prompt import answer_of

    texts = {d.text: d for d in (*read_documents(REPO / "gold" / f"{SEED_ID}.json"), expected_test_gold())}

    def script(body, article, call):  # type: ignore[no-untyped-def]
        return Answer(json.dumps(answer_of(texts[article], schema), ensure_ascii=False))

    with FakeLlm(script) as server:
        result = invoke("annotate", "push", str(lab["documents"]), "--llm", "fake-model", "--base-url", server.base_url,
                        "--llm-cache", str(tmp_path / "cache"), "--ls-config", str(lab["config"]), "--json")
        assert len(server.requests) == 2
    report = json.loads(result.stdout)
    assert report["predictions_added"] == 2
    tasks = _tasks(lab)
    versions = [p.model_version for p in lab["client"].predictions.list(task=tasks[TEST_ID])]
    [version] = [v for v in versions if v.startswith("fake-model")]
    assert re.fullmatch(r"fake-model@prompt-[0-9a-f]{12}", version)
    [prediction] = [p for p in lab["client"].predictions.list(task=tasks[TEST_ID]) if p.model_version == version]
    labels = sorted(r["value"]["labels"][0] for r in prediction.result if r["type"] == "labels")
    assert labels == sorted(s.label for s in expected_test_gold().spans)  # every span grounded, emoji and CRLF included
