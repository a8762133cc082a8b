"""System adapters behind `newsgold eval run`: turn any extraction system into prediction Documents.

A system is anything with a `name` and `predict(documents)`, which yields one prediction Document
per input document, with the same id, in the same order, and `text` left as None (the scorer takes
the text from the gold document). `resolve_system` builds one from the command line's choice::

    baseline                  the rule-based baseline (newsgold.systems.baseline.Baseline)
    package.module:function   a Python callable: text -> output
    --cmd "..."               a command run once: {"id", "text"} JSONL on stdin, prediction JSONL on stdout
    --url URL                 an HTTP endpoint: POST {"id", "text"} per document, JSON back
    --spacy PATH_OR_NAME      a spaCy pipeline: doc.ents and doc.spans[*] mapped through a label map

An output is normalised by `output_to_document`: a dict ``{"spans": [...], "relations": [...]}``, a
full Document dict (its id must be the input's id) or a bare list of span dicts. Spans may give
offsets or only their `text` (the scorer grounds them); spans without an id get "P1", "P2", …,
which relations cannot refer to. Every failure (import, crash, timeout, non-zero exit, bad output)
becomes a `SystemRunError` that names the system and, where there is one, the document.
"""

from __future__ import annotations

import importlib
import json
import os
import shlex
import signal
import subprocess
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

from newsgold.model.document import Document, parse_document
from newsgold.model.errors import NewsgoldError, SystemRunError
from newsgold.model.problems import Problem
from newsgold.model.schema import Schema

if TYPE_CHECKING:
    import httpx

DEFAULT_TIMEOUT = 60.0
BASELINE = "baseline"
STDERR_TAIL_LINES = 10
MAX_IDS_SHOWN = 5
BODY_EXCERPT_CHARS = 200
AUTO_SPAN_PREFIX = "P"


class System(Protocol):
    """An extraction system: yields one prediction Document per input, same id, same order."""

    name: str

    def predict(self, documents: Sequence[Document]) -> Iterator[Document]:
        """Predict spans and relations for each document; `text` of the predictions is None."""
        ...


# --------------------------------------------------------------------------------------------
# Choosing a system


def resolve_system(
    system: str | None,
    *,
    cmd: str | None = None,
    url: str | None = None,
    spacy_model: str | None = None,
    label_map: Mapping[str, str] | None = None,
    schema: Schema,
    timeout: float = DEFAULT_TIMEOUT,
) -> System:
    """Build the system chosen on the command line, failing early on a bad choice or import."""
    given = {"SYSTEM": system, "--cmd": cmd, "--url": url, "--spacy": spacy_model}
    chosen = [name for name, value in given.items() if value is not None]
    if len(chosen) != 1:
        got = f" (got {', '.join(chosen)})" if chosen else ""
        raise NewsgoldError(f"give exactly one of SYSTEM (baseline or package.module:function), --cmd, --url, --spacy{got}")
    if label_map is not None and spacy_model is None:
        raise NewsgoldError("a label map applies only to a spaCy pipeline (--spacy)")
    if not timeout > 0:
        raise NewsgoldError(f"timeout must be a positive number of seconds, got {timeout!r}")
    if cmd is not None:
        return CommandSystem.from_command(cmd, timeout=timeout)
    if url is not None:
        return HttpSystem.from_url(url, timeout=timeout)
    if spacy_model is not None:
        mapping = dict(label_map) if label_map is not None else {name: name for name in schema.label_names}
        _check_targets(mapping, schema)
        return SpacySystem.load(spacy_model, label_map=mapping)
    assert system is not None
    if system in SYSTEMS:
        return SYSTEMS[system].build(schema)
    if ":" in system:
        return CallableSystem(name=system, function=load_callable(system))
    names = ", ".join(repr(name) for name in SYSTEMS)
    raise NewsgoldError(f"unknown system {system!r}: give {names}, 'package.module:function', --cmd, --url or --spacy")


def parse_label_map(spec: str, schema: Schema) -> dict[str, str]:
    """Parse "PERSON=SPEAKER,ORG=SPEAKER" into {system label: schema label}, checking the targets."""
    mapping: dict[str, str] = {}
    for item in spec.split(","):
        source, sep, target = (part.strip() for part in item.partition("="))
        if not sep or not source or not target:
            raise NewsgoldError(f"label map entry {item.strip()!r} must look like SYSTEM_LABEL=SCHEMA_LABEL", field="label map")
        if mapping.get(source, target) != target:
            raise NewsgoldError(f"label {source!r} is mapped twice ({mapping[source]!r} and {target!r})", field="label map")
        mapping[source] = target
    _check_targets(mapping, schema)
    return mapping


def _check_targets(mapping: Mapping[str, str], schema: Schema) -> None:
    """Every target of a label map must be a schema label."""
    for source, target in mapping.items():
        if target not in schema.label_names:
            raise NewsgoldError(
                f"{source}={target}: {target!r} is not a schema label (labels: {', '.join(schema.label_names)})",
                field="label map",
            )


def load_callable(spec: str) -> Callable[[str], Any]:
    """Import `package.module:function` (the function may be a dotted attribute path)."""
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise NewsgoldError(f"system {spec!r} must look like package.module:function")
    try:
        target: Any = importlib.import_module(module_name)
    except Exception as exc:  # importing runs arbitrary code; any failure is the system's
        raise SystemRunError(f"system {spec!r}: cannot import module {module_name!r}: {type(exc).__name__}: {exc}") from exc
    for part in attribute.split("."):
        try:
            target = getattr(target, part)
        except AttributeError as exc:
            raise SystemRunError(f"system {spec!r}: {module_name!r} has no attribute {attribute!r}") from exc
    if not callable(target):
        raise SystemRunError(f"system {spec!r}: {attribute!r} is a {type(target).__name__}, not a callable")
    return target


@dataclass(frozen=True)
class NamedSystem:
    """A system known by name (`eval run NAME`, `annotate push --system NAME`): how to build it."""

    name: str
    description: str
    build: Callable[[Schema], System]


SYSTEMS: dict[str, NamedSystem] = {}


def register_system(system: NamedSystem) -> NamedSystem:
    """Make a system available by name to `eval run` and `annotate push --system` (listed in --help)."""
    SYSTEMS[system.name] = system
    return system


def _baseline_system(schema: Schema) -> CallableSystem:
    """The shipped rule-based baseline, built once, wrapped as a callable system."""
    from newsgold.systems.baseline import Baseline  # imported here: building spaCy is only needed for it

    return CallableSystem(name=BASELINE, function=Baseline(schema))


register_system(NamedSystem(BASELINE, "spaCy matcher rules with the lexicon of configs/baseline.yaml", _baseline_system))


# --------------------------------------------------------------------------------------------
# Normalising a system's output


def output_to_document(doc_id: str, output: Any, *, system: str) -> Document:
    """Turn one system output into a prediction Document, or raise SystemRunError saying what is wrong."""
    data = _document_data(doc_id, output, system)
    data, given_ids = _with_span_ids(data)
    document, problems = parse_document(data, require_text=False)
    if problems or document is None:
        raise _bad_output(system, doc_id, problems)
    for index, relation in enumerate(document.relations):
        for end in (relation.head, relation.tail):
            if end not in given_ids:
                raise SystemRunError(
                    f"system {system!r} returned bad output: relation #{index} refers to span {end!r}, "
                    "which the output does not give an id (spans without ids cannot be linked)",
                    doc_id=doc_id,
                )
    document.text = None
    return document


def _document_data(doc_id: str, output: Any, system: str) -> dict[str, Any]:
    """The output as Document data carrying `doc_id`; rejects other shapes and a foreign id."""
    if isinstance(output, Document):
        output = output.to_dict()
    if isinstance(output, (list, tuple)):
        return {"id": doc_id, "spans": list(output)}
    if not isinstance(output, Mapping):
        raise SystemRunError(
            f"system {system!r} returned {type(output).__name__}; expected a dict with 'spans' "
            "(and optionally 'relations'), a Document dict, or a list of span dicts",
            doc_id=doc_id,
        )
    data = dict(output)
    if "id" in data and data["id"] != doc_id:
        raise SystemRunError(f"system {system!r} returned a document with id {data['id']!r}", doc_id=doc_id, field="id")
    data["id"] = doc_id
    return data


def _with_span_ids(data: dict[str, Any]) -> tuple[dict[str, Any], set[str]]:
    """Give "P1", "P2", … to spans without an id; return the data and the ids the system gave."""
    spans = data.get("spans")
    if not isinstance(spans, list):
        return data, set()
    given = {s["id"] for s in spans if isinstance(s, dict) and isinstance(s.get("id"), str)}
    fresh = (f"{AUTO_SPAN_PREFIX}{n}" for n in range(1, len(spans) + len(given) + 2))
    free = (span_id for span_id in fresh if span_id not in given)
    filled = [
        {**span, "id": next(free)} if isinstance(span, dict) and span.get("id") is None else span for span in spans
    ]
    return {**data, "spans": filled}, given


def _bad_output(system: str, doc_id: str, problems: list[Problem]) -> SystemRunError:
    """One error for the structural problems of an output, showing the first and counting the rest."""
    if not problems:
        return SystemRunError(f"system {system!r} returned output that is not a document", doc_id=doc_id)
    first = str(replace(problems[0], doc_id=None))
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return SystemRunError(f"system {system!r} returned bad output: {first}{more}", doc_id=doc_id)


def _input_text(document: Document, system: str) -> str:
    """The text a system runs on; an input document without text cannot be predicted."""
    if document.text is None:
        raise SystemRunError(f"system {system!r} cannot run: the document has no text", doc_id=document.id)
    return document.text


# --------------------------------------------------------------------------------------------
# Python callables (and the baseline)


@dataclass
class CallableSystem:
    """A Python callable that takes a document's text and returns its spans and relations."""

    name: str
    function: Callable[[str], Any]

    def predict(self, documents: Sequence[Document]) -> Iterator[Document]:
        """Call the function once per document, in order."""
        for document in documents:
            text = _input_text(document, self.name)
            try:
                output = self.function(text)
            except Exception as exc:  # the system's own failure, whatever it is
                raise SystemRunError(
                    f"system {self.name!r} failed: {type(exc).__name__}: {exc}", doc_id=document.id
                ) from exc
            yield output_to_document(document.id, output, system=self.name)


# --------------------------------------------------------------------------------------------
# Commands


@dataclass
class CommandSystem:
    """A command run once over all documents: JSONL {"id", "text"} on stdin, JSONL predictions on stdout.

    `timeout` bounds the whole run; the command is run without a shell.
    """

    name: str
    argv: list[str]
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def from_command(cls, command: str, *, timeout: float = DEFAULT_TIMEOUT) -> CommandSystem:
        """Split a command line like a POSIX shell would (no shell is run)."""
        try:
            argv = shlex.split(command)
        except ValueError as exc:
            raise NewsgoldError(f"cannot parse command {command!r}: {exc}") from exc
        if not argv:
            raise NewsgoldError("the command is empty")
        return cls(name=command, argv=argv, timeout=timeout)

    def predict(self, documents: Sequence[Document]) -> Iterator[Document]:
        """Run the command, then yield its predictions in input order."""
        documents = list(documents)
        payload = "".join(
            json.dumps({"id": d.id, "text": _input_text(d, self.name)}, ensure_ascii=False) + "\n" for d in documents
        ).encode("utf-8")
        outputs = self._parse_stdout(self._run(payload))
        self._check_ids([d.id for d in documents], outputs)
        for document in documents:
            yield output_to_document(document.id, outputs[document.id], system=self.name)

    def _run(self, payload: bytes) -> bytes:
        """Run the command with `payload` on stdin; return its stdout or raise on timeout/failure."""
        try:
            process = subprocess.Popen(
                self.argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,  # its own process group, so a timeout kills its children too
            )
        except OSError as exc:
            raise SystemRunError(f"system {self.name!r}: cannot start {self.argv[0]!r}: {exc.strerror or exc}") from exc
        try:
            stdout, stderr = process.communicate(payload, timeout=self.timeout)
        except subprocess.TimeoutExpired as exc:
            _kill(process)
            raise SystemRunError(f"system {self.name!r} timed out after {self.timeout:g} s") from exc
        except BaseException:
            _kill(process)
            raise
        if process.returncode != 0:
            raise SystemRunError(f"system {self.name!r} {_exit_description(process.returncode)}{_stderr_tail(stderr)}")
        return stdout

    def _parse_stdout(self, stdout: bytes) -> dict[str, Any]:
        """Read one JSON object with an "id" per stdout line; raise naming the line that is wrong."""
        outputs: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for number, raw in enumerate(stdout.splitlines(), start=1):
            if not raw.strip():
                continue
            where = f"system {self.name!r}: stdout line {number}"
            try:
                data = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError as exc:
                raise SystemRunError(f"{where} is not valid UTF-8 (byte offset {exc.start})") from exc
            except json.JSONDecodeError as exc:
                raise SystemRunError(f"{where} is not valid JSON: {exc.msg} (column {exc.colno})") from exc
            doc_id = data.get("id") if isinstance(data, dict) else None
            if not isinstance(doc_id, str):
                raise SystemRunError(f"{where} must be a JSON object with the document's \"id\"")
            if doc_id in outputs:
                raise SystemRunError(f"{where} repeats document id {doc_id!r} (first on line {first_line[doc_id]})")
            outputs[doc_id] = data
            first_line[doc_id] = number
        return outputs

    def _check_ids(self, expected: list[str], outputs: Mapping[str, Any]) -> None:
        """Every input id must be answered, and nothing else."""
        wanted = set(expected)
        missing = [doc_id for doc_id in expected if doc_id not in outputs]
        extra = [doc_id for doc_id in outputs if doc_id not in wanted]
        if missing:
            raise SystemRunError(f"system {self.name!r} gave no prediction for {_id_list(missing)}")
        if extra:
            raise SystemRunError(f"system {self.name!r} predicted documents it was not given: {_id_list(extra)}")


def _kill(process: subprocess.Popen[bytes]) -> None:
    """Kill a command and its process group, then reap it."""
    try:
        if hasattr(os, "killpg"):
            os.killpg(process.pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows
            process.kill()
    except OSError:
        pass  # already gone
    process.communicate()


def _exit_description(returncode: int) -> str:
    if returncode < 0:
        return f"was killed by signal {-returncode}"
    return f"exited with status {returncode}"


def _stderr_tail(stderr: bytes) -> str:
    lines = stderr.decode("utf-8", errors="replace").rstrip().splitlines()[-STDERR_TAIL_LINES:]
    if not lines:
        return " and wrote nothing to stderr"
    return "; last lines of stderr:\n" + "\n".join(lines)


def _id_list(ids: list[str]) -> str:
    shown = ", ".join(repr(doc_id) for doc_id in ids[:MAX_IDS_SHOWN])
    more = f" and {len(ids) - MAX_IDS_SHOWN} more" if len(ids) > MAX_IDS_SHOWN else ""
    return f"{len(ids)} document(s): {shown}{more}"


# --------------------------------------------------------------------------------------------
# HTTP endpoints


@dataclass
class HttpSystem:
    """An HTTP endpoint: each document is POSTed as JSON {"id", "text"}; the answer is its output."""

    name: str
    url: str
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def from_url(cls, url: str, *, timeout: float = DEFAULT_TIMEOUT) -> HttpSystem:
        """Check that `url` is an absolute http(s) URL."""
        import httpx  # imported when used: the command line starts faster without it

        try:
            scheme = httpx.URL(url).scheme
        except httpx.InvalidURL as exc:
            raise NewsgoldError(f"invalid URL {url!r}: {exc}") from exc
        if scheme not in ("http", "https"):
            raise NewsgoldError(f"URL {url!r} must start with http:// or https://")
        return cls(name=url, url=url, timeout=timeout)

    def predict(self, documents: Sequence[Document]) -> Iterator[Document]:
        """POST the documents one at a time, in order, over one connection pool."""
        import httpx

        with httpx.Client(timeout=self.timeout) as client:
            for document in documents:
                output = self._post(client, document)
                yield output_to_document(document.id, output, system=self.name)

    def _post(self, client: httpx.Client, document: Document) -> Any:
        """POST one document; return the decoded JSON answer or raise naming the document and URL."""
        import httpx

        payload = {"id": document.id, "text": _input_text(document, self.name)}
        try:
            response = client.post(self.url, json=payload)
        except httpx.TimeoutException as exc:
            raise SystemRunError(f"POST to {self.url} timed out after {self.timeout:g} s", doc_id=document.id) from exc
        except httpx.HTTPError as exc:
            raise SystemRunError(f"POST to {self.url} failed: {type(exc).__name__}: {exc}", doc_id=document.id) from exc
        if not response.is_success:
            raise SystemRunError(
                f"POST to {self.url} answered HTTP {response.status_code} {response.reason_phrase}: "
                f"{_excerpt(response.text)!r}",
                doc_id=document.id,
            )
        try:
            return response.json()
        except ValueError as exc:
            raise SystemRunError(
                f"POST to {self.url} did not answer JSON ({response.headers.get('content-type', 'no content-type')}): "
                f"{_excerpt(response.text)!r}",
                doc_id=document.id,
            ) from exc


def _excerpt(text: str) -> str:
    text = text.strip()
    return text if len(text) <= BODY_EXCERPT_CHARS else text[:BODY_EXCERPT_CHARS] + "…"


# --------------------------------------------------------------------------------------------
# spaCy pipelines


@dataclass
class SpacySystem:
    """A spaCy pipeline; `doc.ents` and every `doc.spans[key]` become spans through `label_map`.

    Labels missing from the map are dropped and counted in `dropped` (over every `predict` call).
    """

    name: str
    nlp: Any  # spacy.language.Language; spaCy is imported only when a pipeline is used
    label_map: dict[str, str]
    dropped: Counter[str] = field(default_factory=Counter)

    @classmethod
    def load(cls, model: str, *, label_map: Mapping[str, str]) -> SpacySystem:
        """Load a pipeline by package name or path with `spacy.load`."""
        import spacy

        try:
            nlp = spacy.load(model)
        except Exception as exc:  # spacy.load raises OSError, config, registry and import errors alike
            raise SystemRunError(f"cannot load spaCy pipeline {model!r}: {exc}") from exc
        return cls(name=f"spacy:{model}", nlp=nlp, label_map=dict(label_map))

    def predict(self, documents: Sequence[Document]) -> Iterator[Document]:
        """Run the pipeline on each document, in order."""
        for document in documents:
            text = _input_text(document, self.name)
            try:
                doc = self.nlp(text)
            except Exception as exc:  # a component's own failure
                raise SystemRunError(
                    f"system {self.name!r} failed: {type(exc).__name__}: {exc}", doc_id=document.id
                ) from exc
            yield output_to_document(document.id, {"spans": self._spans(doc)}, system=self.name)

    def _spans(self, doc: Any) -> list[dict[str, Any]]:
        """Mapped spans of `doc.ents` and `doc.spans[*]` as char offsets, without exact duplicates."""
        seen: set[tuple[str, int, int]] = set()
        spans: list[dict[str, Any]] = []
        for group in (doc.ents, *doc.spans.values()):
            for span in group:
                label = self.label_map.get(span.label_)
                if label is None:
                    self.dropped[span.label_] += 1
                    continue
                key = (label, span.start_char, span.end_char)
                if key not in seen:
                    seen.add(key)
                    spans.append({"label": label, "start": span.start_char, "end": span.end_char, "text": span.text})
        return spans
