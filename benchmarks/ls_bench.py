#!/usr/bin/env python
"""Benchmark `annotate push` / re-push / pull against a real, private, local Label Studio.

Starts a fresh server (temporary data folder, free port on 127.0.0.1, SQLite) with
`newsgold.annotation.server.start_server`, always stops it with `stop_server`, then measures:

1. push of N generated news-like documents (`push_documents`, batch_size 100);
2. a no-op re-push of the same N documents (asserted to import nothing);
3. pull of K annotations made through the SDK: `export_snapshot` + `convert_export` + `adjudicate`.

HTTP requests are counted by wrapping `send` on the SDK's own `httpx.Client` instance (every SDK
request, streamed or not, goes through it); the time spent inside `send` is the HTTP time, so
wall time minus HTTP time is what our code and the SDK spend client-side.

    python benchmarks/ls_bench.py [--tasks N] [--annotated K] [--seed S] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Iterator

from newsgold.annotation.adjudicate import adjudicate
from newsgold.annotation.client import API_KEY_ENV, Connection, connect
from newsgold.annotation.pull import convert_export, export_snapshot
from newsgold.annotation.push import existing_tasks, push_documents
from newsgold.annotation.server import start_server, stop_server
from newsgold.annotation.settings import LabelStudioSettings
from newsgold.io.config import load_schema
from newsgold.io.labelstudio import document_to_results
from newsgold.model.document import Document, Relation, Span, text_sha256
from newsgold.model.schema import Schema
from newsgold.model.validation import validate

HOST = "127.0.0.1"
BATCH_SIZE = 100
STARTUP_TIMEOUT = 300.0
ID_IN_PATH = re.compile(r"/\d+")

# ------------------------------------------------------------------------------------------------
# Seeded news-like documents from a small vocabulary

PLACES = ["Aleppo", "Idlib", "Homs", "Douma", "Hama", "Raqqa", "Deir ez-Zor", "the northern province", "the border area", "the capital"]
ACTORS = ["government forces", "rebel fighters", "the army", "local residents", "aid workers", "the militia", "security forces",
          "the coalition", "opposition groups", "civil defence teams", "the United Nations", "Russian troops"]
VERBS = ["reported", "described", "confirmed", "denied", "discussed", "criticised", "welcomed", "questioned", "monitored", "recorded"]
OBJECTS = ["the situation", "heavy fighting", "the latest clashes", "the humanitarian crisis", "new checkpoints", "the talks",
           "a convoy of trucks", "the damage", "several casualties", "the evacuation plan", "the proposal", "the shelling"]
TIMES = ["on Monday", "on Tuesday", "late on Wednesday", "early on Thursday", "on Friday", "over the weekend", "last week",
         "this morning", "overnight", "in recent days"]
CONNECTORS = ["Meanwhile,", "However,", "In a separate development,", "Earlier,", "According to witnesses,", "Later,"]
ADVERBS = ["again", "repeatedly", "briefly", "openly", "quietly", "formally"]

# (mention words, mention kind, canonical entity)
SPEAKERS = [
    ("Konashenkov", "name", "Igor Konashenkov"), ("Officials", "nominal", "Syrian officials"),
    ("The ministry", "nominal", "Russian Defence Ministry"), ("She", "pronoun", "Jane Doe"),
    ("The statement", "document", "UN Security Council"), ("Lavrov", "name", "Sergei Lavrov"),
    ("The spokesman", "nominal", "White House spokesman"), ("They", "pronoun", "rebel commanders"),
]
# (framing word, device, target, valence)
FRAMINGS = [
    ("terrorists", "labeling", "armed_opposition", "negative"), ("militants", "labeling", "armed_opposition", "negative"),
    ("regime", "labeling", "government_side", "negative"), ("heroic", "loaded_language", "government_side", "positive"),
    ("battered", "loaded_language", "place", "negative"), ("brutal", "loaded_language", "action", "negative"),
    ("so-called", "scare_quotes", "armed_opposition", "negative"), ("liberators", "labeling", "government_side", "positive"),
]
# (event word, event type, factuality, words that follow it inside the claim)
EVENTS = [
    ("attacked", "ATTACK", "asserted", ["the positions near"]), ("shelled", "ATTACK", "asserted", ["the outskirts of"]),
    ("withdrew", "MOVEMENT", "asserted", ["from the villages around"]), ("blocked", "REJECT", "negated", ["the aid route to"]),
    ("delivered", "AID", "planned", ["food and medicine to"]), ("violated", "CEASEFIRE", "hypothetical", ["the truce in"]),
    ("accused", "ACCUSE", "asserted", ["the observers in"]), ("requested", "REQUEST", "planned", ["safe passage from"]),
]


class TextBuilder:
    """Appends words and sentences, remembering each word's (start, end) offsets."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.words = 0

    def _raw(self, piece: str) -> None:
        self.parts.append(piece)
        self.length += len(piece)

    def word(self, word: str) -> tuple[int, int]:
        if self.parts and not self.parts[-1].endswith(("\n", " ")):
            self._raw(" ")
        start = self.length
        self._raw(word)
        self.words += len(word.split())
        return start, self.length

    def words_of(self, phrase: str) -> tuple[int, int]:
        """Several words as one span: (start of the first, end of the last)."""
        offsets = [self.word(w) for w in phrase.split()]
        return offsets[0][0], offsets[-1][1]

    def end_sentence(self) -> None:
        self._raw(".")

    def paragraph(self) -> None:
        self._raw("\n\n")

    def text(self) -> str:
        return "".join(self.parts)


def filler_sentence(rng: random.Random, out: TextBuilder) -> None:
    subject = rng.choice(ACTORS)
    if rng.random() < 0.3:
        out.words_of(rng.choice(CONNECTORS))
    else:
        subject = subject[0].upper() + subject[1:]
    out.words_of(subject)
    if rng.random() < 0.3:
        out.word(rng.choice(ADVERBS))
    out.words_of(f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} in {rng.choice(PLACES)} {rng.choice(TIMES)}")
    out.end_sentence()


def make_document(index: int, rng: random.Random) -> tuple[Document, Document]:
    """A ~200-400 word article, and the same article annotated (speaker, claim, event, framing)."""
    out = TextBuilder()
    target = rng.randint(200, 400)
    lead = rng.randint(1, 4)  # filler sentences before the attributed claim
    for _ in range(lead):
        filler_sentence(rng, out)
    out.paragraph()
    speaker_words, mention, entity = rng.choice(SPEAKERS)
    framing_word, device, framing_target, valence = rng.choice(FRAMINGS)
    event_word, event_type, factuality, tail = rng.choice(EVENTS)
    speaker = out.words_of(speaker_words)
    out.word("said")
    claim_start, _ = out.word("the")
    framing = out.word(framing_word)
    out.word("fighters")
    event = out.word(event_word)
    _, claim_end = out.words_of(f"{rng.choice(tail)} {rng.choice(PLACES)}")
    out.end_sentence()
    sentences_in_paragraph = 0
    for _ in range(200):  # bounded: 200 sentences are far more than 400 words
        if out.words >= target:
            break
        if sentences_in_paragraph >= rng.randint(3, 6):
            out.paragraph()
            sentences_in_paragraph = 0
        filler_sentence(rng, out)
        sentences_in_paragraph += 1
    text = out.text() + "\n"
    doc_id = f"bench-{index:06d}"
    document = Document(id=doc_id, text=text, meta={"source": "ls_bench", "sha256": text_sha256(text)})
    quote = "indirect"
    spans = [
        Span("s1", "SPEAKER", *speaker, text=text[speaker[0]:speaker[1]], attrs={"mention": mention, "entity": entity}),
        Span("s2", "CLAIM", claim_start, claim_end, text=text[claim_start:claim_end],
             attrs={"voice": "attributed", "quote": quote, "checkworthy": rng.choice(["yes", "no"])}),
        Span("s3", "FRAMING", *framing, text=text[framing[0]:framing[1]],
             attrs={"device": device, "target": framing_target, "valence": valence, "voice": "quoted"}),
        Span("s4", "EVENT", *event, text=text[event[0]:event[1]], attrs={"type": event_type, "factuality": factuality}),
    ]
    relations = [Relation("attributed_to", "s2", "s1"), Relation("about", "s2", "s4")]
    annotated = Document(id=doc_id, text=text, meta=dict(document.meta), spans=spans, relations=relations)
    return document, annotated


# ------------------------------------------------------------------------------------------------
# Counting HTTP requests on the SDK's httpx client


@dataclass
class RequestCounter:
    """Counts and times every request the SDK's httpx client sends; refuses any host but 127.0.0.1."""

    counts: Counter[str] = field(default_factory=Counter)
    seconds_by: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def reset(self) -> None:
        self.counts = Counter()
        self.seconds_by = Counter()
        self.seconds = 0.0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def install(self, connection: Connection) -> None:
        httpx_client = connection.client._client_wrapper.httpx_client.httpx_client  # the SDK's httpx.Client
        original = httpx_client.send

        def send(request: Any, *args: Any, **kwargs: Any) -> Any:
            if request.url.host != HOST:
                raise RuntimeError(f"refusing a request to {request.url.host}: this benchmark talks to {HOST} only")
            key = f"{request.method} {ID_IN_PATH.sub('/{id}', request.url.path)}"
            self.counts[key] += 1
            started = time.perf_counter()
            try:
                return original(request, *args, **kwargs)
            finally:
                elapsed = time.perf_counter() - started
                self.seconds += elapsed
                self.seconds_by[key] += elapsed

        httpx_client.send = send  # instance attribute: httpx.Client.request/stream call self.send

    def snapshot(self) -> dict[str, Any]:
        return {"total": self.total, "http_seconds": round(self.seconds, 3), "by_endpoint": dict(sorted(self.counts.items())),
                "http_seconds_by_endpoint": {key: round(value, 3) for key, value in sorted(self.seconds_by.items())}}


@dataclass
class Phase:
    wall: float = 0.0
    cpu: float = 0.0


class timed:
    """Wall and client-process CPU time of a block."""

    def __init__(self) -> None:
        self.phase = Phase()

    def __enter__(self) -> Phase:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self.phase

    def __exit__(self, *exc: Any) -> None:
        self.phase.wall = time.perf_counter() - self._wall
        self.phase.cpu = time.process_time() - self._cpu


# ------------------------------------------------------------------------------------------------
# Server lifetime


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _our_label_studio_children() -> Iterator[int]:
    """Label Studio processes whose parent is this process (a start interrupted before server.json)."""
    me = os.getpid()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as handle:
                stat = handle.read()
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                cmdline = handle.read()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == me and b"label-studio" in cmdline:
            yield int(entry)


def _stop_everything(data_dir: Path) -> list[str]:
    """stop_server, then end (by pid) any Label Studio child left by an interrupted start."""
    notes = []
    try:
        stop_server(data_dir)
    except Exception as exc:  # noqa: BLE001 - keep cleaning up
        notes.append(f"stop_server failed: {exc!r}")
    for pid in list(_our_label_studio_children()):
        notes.append(f"ended leftover Label Studio child {pid}")
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(pid, sig)  # started with start_new_session: its group id is its pid
            except ProcessLookupError:
                break
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if os.waitpid(pid, os.WNOHANG)[0] == pid:
                    break
                time.sleep(0.1)
            else:
                continue
            break
    return notes


def _terminate(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


# ------------------------------------------------------------------------------------------------


def _version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    schema: Schema = load_schema()
    rng = random.Random(args.seed)
    notes: list[str] = []

    with timed() as generation:
        pairs = [make_document(index, rng) for index in range(1, args.tasks + 1)]
        documents = [document for document, _ in pairs]
        annotated_ids = set(rng.sample([d.id for d in documents], args.annotated))
        gold = {annotated.id: annotated for _, annotated in pairs if annotated.id in annotated_ids}
    for document in gold.values():  # every generated annotation is valid gold
        problems = validate(document, schema)
        assert not problems, [str(p) for p in problems]
    words = [len(d.text.split()) for d in documents]  # type: ignore[union-attr]
    print(f"generated {len(documents)} documents ({min(words)}-{max(words)} words, mean {sum(words) / len(words):.0f}, "
          f"{sum(len(d.text) for d in documents) / 1e6:.1f} M chars) in {generation.wall:.1f} s", flush=True)  # type: ignore[arg-type]

    data_dir = workdir / "data"
    settings = LabelStudioSettings(
        project_title=f"newsgold bench {uuid.uuid4().hex[:8]}", maximum_annotations=2, batch_size=BATCH_SIZE,
        host=HOST, port=_free_port(), data_dir=data_dir, startup_timeout=STARTUP_TIMEOUT,
    )
    if os.environ.pop(API_KEY_ENV, None) is not None:
        notes.append(f"{API_KEY_ENV} was set and was ignored (removed from this process) so the local token is used")
    result: dict[str, Any] = {"tasks": args.tasks, "annotated": args.annotated, "seed": args.seed, "batch_size": BATCH_SIZE}
    try:
        with timed() as start:
            server = start_server(settings, data_dir=data_dir, port=settings.port)
        result["server_start_seconds"] = round(start.wall, 2)
        print(f"server up at {server.url} (pid {server.pid}) in {start.wall:.1f} s (fresh data dir: migrations)", flush=True)
        connection = connect(settings, data_dir=data_dir)
        counter = RequestCounter()
        counter.install(connection)

        # 1. push
        counter.reset()
        with timed() as push:
            report = push_documents(connection, schema, settings, documents)
        assert report.imported == args.tasks and report.project_created, report
        project_id = report.project_id
        result.update(push_seconds=round(push.wall, 3), push_tasks_per_second=round(args.tasks / push.wall, 1),
                      push_client_cpu_seconds=round(push.cpu, 3), requests_push=counter.total,
                      push_requests_detail=counter.snapshot())
        print(f"push: {args.tasks} tasks in {push.wall:.2f} s = {args.tasks / push.wall:.0f} tasks/s; "
              f"{counter.total} requests, {counter.seconds:.2f} s inside HTTP, client CPU {push.cpu:.2f} s", flush=True)

        # 2. no-op re-push
        counter.reset()
        with timed() as repush:
            again = push_documents(connection, schema, settings, documents)
        assert again.imported == 0 and again.updated == 0 and again.unchanged == args.tasks, again
        assert not again.project_created, again
        if again.project_updated:
            notes.append("re-push reported project_updated=True: ensure_project found the stored project stale and "
                         "sent a PATCH + GET of the project although nothing changed (see repush_requests_detail)")
        result.update(repush_seconds=round(repush.wall, 3), repush_client_cpu_seconds=round(repush.cpu, 3),
                      repush_project_updated=again.project_updated, requests_repush=counter.total,
                      repush_requests_detail=counter.snapshot())
        print(f"re-push (no-op, 0 imported, {again.unchanged} unchanged): {repush.wall:.2f} s; {counter.total} requests, "
              f"{counter.seconds:.2f} s inside HTTP, client CPU {repush.cpu:.2f} s", flush=True)

        # 3. annotations through the SDK (setup, timed separately), then pull
        counter.reset()
        with timed() as annotate:
            task_ids = {doc_id: info.id for doc_id, info in existing_tasks(connection, project_id).items()}
            for doc_id in sorted(gold):  # bounded: K annotations
                connection.client.annotations.create(task_ids[doc_id], result=document_to_results(gold[doc_id], schema))
        result.update(annotate_setup_seconds=round(annotate.wall, 3), requests_annotate_setup=counter.total)
        print(f"setup: {args.annotated} annotations created through the SDK in {annotate.wall:.2f} s "
              f"({counter.total} requests)", flush=True)

        counter.reset()
        with timed() as pull:
            t0 = time.perf_counter()
            exported = export_snapshot(connection, project_id)
            t1 = time.perf_counter()
            conversion = convert_export(exported, schema, source=f"{connection.url} project {project_id}")
            t2 = time.perf_counter()
            decided = adjudicate(conversion.annotations, schema)
            t3 = time.perf_counter()
        assert conversion.tasks == args.annotated, conversion.tasks
        assert len(conversion.annotations) == args.annotated, len(conversion.annotations)
        assert not conversion.problems, [str(p) for p in conversion.problems[:5]]
        assert len(decided.gold) == args.annotated and not decided.unresolved, decided.unresolved
        for document in decided.gold:  # the round trip is exact
            expected = gold[document.id]
            assert {(s.label, s.start, s.end, tuple(sorted(s.attrs.items()))) for s in document.spans} == \
                {(s.label, s.start, s.end, tuple(sorted(s.attrs.items()))) for s in expected.spans}, document.id
        result.update(pull_seconds=round(pull.wall, 3), pull_annotations_per_second=round(args.annotated / pull.wall, 1),
                      pull_breakdown_seconds={"export_snapshot": round(t1 - t0, 3), "convert_export": round(t2 - t1, 3),
                                              "adjudicate": round(t3 - t2, 3)},
                      pull_client_cpu_seconds=round(pull.cpu, 3), requests_pull=counter.total,
                      pull_requests_detail=counter.snapshot(), converted_annotations=len(conversion.annotations),
                      gold_documents=len(decided.gold))
        print(f"pull: {args.annotated} annotations in {pull.wall:.2f} s = {args.annotated / pull.wall:.0f} annotations/s "
              f"(export {t1 - t0:.2f} s, convert {t2 - t1:.2f} s, adjudicate {t3 - t2:.2f} s; {counter.total} requests)", flush=True)
    finally:
        notes.extend(_stop_everything(data_dir))
        print("server stopped", flush=True)
    result.update(
        label_studio_version=_version("label-studio"), label_studio_sdk_version=_version("label-studio-sdk"),
        python=sys.version.split()[0], cpus=os.cpu_count(),
        notes=notes + [
            "requests counted by wrapping send() on the SDK's own httpx.Client instance (every SDK call, streamed "
            "or not, passes through it); by_endpoint groups paths with numeric ids replaced by {id}; the whoami "
            "request made by connect() happens before counting starts",
            "http_seconds = time spent inside send() (includes server time and, except for streamed downloads, "
            "reading the body); *_client_cpu_seconds = CPU time of this Python process (our code + SDK + JSON)",
            "push and re-push call newsgold.annotation.push.push_documents with batch_size 100 on a fresh project; "
            "pull = export_snapshot + convert_export + adjudicate (annotation creation is setup, timed separately)",
            "server: label-studio start (Django runserver, SQLite) in a fresh temporary data dir on 127.0.0.1; "
            "server_start_seconds includes the first-start migrations",
        ],
    )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=10000, help="documents to push (default 10000)")
    parser.add_argument("--annotated", type=int, default=500, help="tasks to annotate and pull (default 500)")
    parser.add_argument("--seed", type=int, default=13, help="random seed for the generated documents")
    parser.add_argument("--json", type=Path, default=None, help="write the results here (default: print them)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data folder (server log) for inspection")
    args = parser.parse_args(argv)
    if args.tasks < 1 or not 0 < args.annotated <= args.tasks:
        parser.error("need --tasks >= 1 and 0 < --annotated <= --tasks")
    signal.signal(signal.SIGTERM, _terminate)
    workdir = Path(tempfile.mkdtemp(prefix="newsgold-ls-bench-"))
    try:
        result = run(args, workdir)
    finally:
        if args.keep:
            print(f"kept {workdir}", flush=True)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    text = json.dumps(result, indent=2) + "\n"
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text, encoding="utf-8")
        print(f"results written to {args.json}")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
