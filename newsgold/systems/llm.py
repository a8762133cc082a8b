"""A language model behind an OpenAI-compatible API as an extraction system (`--llm MODEL --base-url URL`).

Per document: the schema-generated prompt (`llm_prompt`), the answer parsed and checked against the
schema, an unusable answer re-asked with what was wrong (`repairs` times), then every span grounded
into offsets with the shared grounder — in the order the model listed them (it is asked for reading
order), then by the order-free assignment — near matches allowed but never one that changes a number
or a negation. Spans that cannot be grounded stay text-only, so the scorer counts them as ungrounded
(hallucinated) per label. A document the model never answers usably becomes an empty prediction
whose `meta.failure` says why (listed in the score report), never a crash. Requests run
`concurrency` at a time; predictions come back in input order.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Iterator, Sequence

from newsgold.model.document import Document
from newsgold.model.errors import SystemRunError
from newsgold.model.schema import Schema
from newsgold.spans.grounding import Grounder
from newsgold.systems.llm_client import ChatClient, LlmSettings, RequestFailed, Usage
from newsgold.systems.llm_prompt import Prompt, build_prompt, parse_answer


@dataclass
class LlmSystem:
    """An OpenAI-compatible chat model as a newsgold system."""

    settings: LlmSettings
    schema: Schema
    prompt: Prompt
    name: str = ""
    client: ChatClient = field(init=False)

    def __post_init__(self) -> None:
        if not self.name:
            self.name = f"llm:{self.settings.model}"
        if self.settings.concurrency < 1:
            raise SystemRunError(f"concurrency must be at least 1, got {self.settings.concurrency}")
        self.client = ChatClient(self.settings, self.prompt.json_schema)

    @classmethod
    def create(cls, settings: LlmSettings, schema: Schema, *, guidelines: str | None = None,
               examples: Sequence[Document] = ()) -> LlmSystem:
        """The system with its prompt built from the schema (and guidelines and few-shot examples)."""
        return cls(settings, schema, build_prompt(schema, guidelines=guidelines, examples=examples))

    @property
    def model_version(self) -> str:
        """The Label Studio model_version of its pre-annotations: model and prompt hash."""
        return f"{self.settings.model}@prompt-{self.prompt.sha256[:12]}"

    @property
    def usage(self) -> Usage:
        return self.client.usage

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self.client.close()

    def status(self) -> str:
        """One line for the progress bar."""
        return self.usage.line()

    def predict(self, documents: Sequence[Document]) -> Iterator[Document]:
        """One prediction per document, in order, `concurrency` requests in flight."""
        documents = list(documents)
        with ThreadPoolExecutor(max_workers=self.settings.concurrency, thread_name_prefix="newsgold-llm") as pool:
            pending: list[Future[Document]] = []
            ahead = iter(documents)
            try:
                for document in ahead:
                    pending.append(pool.submit(self._one, document))
                    if len(pending) >= self.settings.concurrency:
                        yield pending.pop(0).result()
                while pending:
                    yield pending.pop(0).result()
            finally:
                for future in pending:
                    future.cancel()

    def _one(self, document: Document) -> Document:
        """The prediction for one document (a failure becomes an empty prediction with `meta.failure`)."""
        if document.text is None:
            raise SystemRunError(f"system {self.name!r} cannot run: the document has no text", doc_id=document.id)
        messages = self.prompt.messages(document.text)
        problem = ""
        for attempt in range(self.settings.repairs + 1):
            try:
                reply = self.client.complete(messages)
            except RequestFailed as exc:
                return self._failed(document, str(exc))
            if reply.cut:  # asking again would only cut it again
                return self._failed(document, f"the answer was cut off at {self.settings.max_output_tokens} tokens "
                                              "(raise --max-output-tokens, or use a model with a longer output)")
            parsed, problem = parse_answer(document.id, reply.content, self.schema)  # type: ignore[assignment]
            if parsed is not None:
                grounded, failures = Grounder(document.text, fuzzy=self.settings.fuzzy).ground_in_order(parsed)
                meta: dict[str, object] = {"model_version": self.model_version, "attempts": attempt + 1}
                if failures:  # the scorer reports these spans as ungrounded, with this reason
                    meta["ungrounded"] = {f.span_id: f.reason for f in failures}
                return replace(grounded, text=None, meta=meta)
            messages = [*messages, {"role": "assistant", "content": reply.content},
                        {"role": "user", "content": f"That answer cannot be used: {problem}. Answer again with the JSON object only."}]
        return self._failed(document, f"no usable answer after {self.settings.repairs + 1} attempt(s): {problem}")

    def _failed(self, document: Document, why: str) -> Document:
        return Document(id=document.id, text=None, meta={"failure": why, "model_version": self.model_version})
