"""A client for OpenAI-compatible chat completions (vLLM, llama.cpp server, Ollama, hosted APIs).

One request per call to `ChatClient.complete`, with what a long run needs: a timeout per request,
bounded retries with exponential backoff (and the server's `Retry-After`) on 429, 5xx, timeouts
and dropped connections, a token budget for the whole run, usage counters, and a response cache
keyed by (model, messages, parameters) so that re-running is free and gives the same answers. The
API key is read from an environment variable only, never from the command line.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from newsgold.io.documents import atomic_write_text
from newsgold.model.errors import SystemRunError
from newsgold.systems.llm_prompt import STRUCTURED

RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})
FATAL_STATUSES = {401: "unauthorised (is the API key in ${env} right?)", 403: "forbidden (is the API key in ${env} right?)",
                  404: "not found (is --base-url right, ending in /v1, and is the model served?)"}


@dataclass(frozen=True)
class LlmSettings:
    """How to reach the model and how hard to try."""

    model: str
    base_url: str
    api_key_env: str = "OPENAI_API_KEY"
    timeout: float = 120.0  # seconds per request
    concurrency: int = 4  # requests in flight
    retries: int = 4  # per request, on 429 / 5xx / timeouts / dropped connections
    repairs: int = 2  # re-asks after an unusable answer (bad JSON, not the schema)
    max_output_tokens: int = 4096  # per answer
    token_budget: int | None = None  # prompt + completion tokens the whole run may spend (cache hits are free)
    structured: str = "json_schema"  # response_format: json_schema | json_object | none
    temperature: float = 0.0
    seed: int = 0
    cache_dir: Path | None = Path(".newsgold/llm-cache")
    fuzzy: float = 0.9  # grounding similarity for near matches (numbers and negations vetoed)
    backoff_base: float = 1.0  # seconds; doubled per retry, with jitter
    backoff_cap: float = 30.0


@dataclass
class Usage:
    """What a run has spent and how it went (shown on the progress line and in prediction meta)."""

    requests: int = 0
    cached: int = 0
    retries: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def line(self) -> str:
        return (f"{self.requests} request(s), {self.cached} cached, {self.retries} retried; "
                f"tokens {self.prompt_tokens:,} in / {self.completion_tokens:,} out")


@dataclass(frozen=True)
class Reply:
    """One answer: its text and what it cost."""

    content: str
    prompt_tokens: int
    completion_tokens: int
    cached: bool
    cut: bool = False  # finish_reason "length": the answer hit max_tokens and is incomplete


class RequestFailed(Exception):
    """A request that failed for this document only (after retries): recorded, the run goes on."""


class ChatClient:
    """Chat completions against one OpenAI-compatible server (thread-safe)."""

    def __init__(self, settings: LlmSettings, json_schema: dict[str, Any] | None = None) -> None:
        if settings.structured not in STRUCTURED:
            raise SystemRunError(f"structured output must be one of {', '.join(STRUCTURED)}, got {settings.structured!r}")
        self.settings = settings
        self.json_schema = json_schema
        self.usage = Usage()
        headers = {"Content-Type": "application/json"}
        key = os.environ.get(settings.api_key_env)
        if key:
            headers["Authorization"] = f"Bearer {key}"
        self._http = httpx.Client(base_url=settings.base_url.rstrip("/") + "/", headers=headers, timeout=settings.timeout)

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def body(self, messages: list[dict[str, str]]) -> dict[str, Any]:
        """The request body (also the cache key's content)."""
        body: dict[str, Any] = {"model": self.settings.model, "messages": messages, "temperature": self.settings.temperature,
                                "max_tokens": self.settings.max_output_tokens, "seed": self.settings.seed}
        if self.settings.structured == "json_schema" and self.json_schema is not None:
            body["response_format"] = {"type": "json_schema", "json_schema": {"name": "newsgold_annotations", "schema": self.json_schema, "strict": True}}
        elif self.settings.structured in ("json_schema", "json_object"):
            body["response_format"] = {"type": "json_object"}
        return body

    def complete(self, messages: list[dict[str, str]]) -> Reply:
        """The model's answer to `messages`: from the cache, else from the server (with retries).

        RequestFailed for a failure of this request only; SystemRunError when the server refuses
        every request (wrong URL, model or key) or cannot be reached at all.
        """
        body = self.body(messages)
        keyed = {"server": self.settings.base_url.rstrip("/"), "body": body}  # a server may ignore the model name
        key = hashlib.sha256(json.dumps(keyed, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()
        cached = self._cached(key)
        if cached is not None:
            with self.usage.lock:
                self.usage.cached += 1
            return cached
        self._check_budget()
        data = self._post(body)
        reply = self._reply(data)
        with self.usage.lock:
            self.usage.requests += 1
            self.usage.prompt_tokens += reply.prompt_tokens
            self.usage.completion_tokens += reply.completion_tokens
        self._store(key, data)
        return reply

    # ------------------------------------------------------------------ internals
    def _check_budget(self) -> None:
        budget = self.settings.token_budget
        if budget is not None and self.usage.tokens >= budget:
            raise RequestFailed(f"token budget exhausted ({self.usage.tokens:,} of {budget:,} tokens used); not sent")

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        url = f"{self.settings.base_url.rstrip('/')}/chat/completions"
        last = ""
        for attempt in range(self.settings.retries + 1):
            if attempt:
                with self.usage.lock:
                    self.usage.retries += 1
            wait: float | None = None
            try:
                response = self._http.post("chat/completions", json=body)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.UnsupportedProtocol) as exc:
                last = f"cannot connect to {url}: {type(exc).__name__}: {exc}"
            except httpx.TimeoutException:
                last = f"no answer within {self.settings.timeout:g} s"
            except httpx.TransportError as exc:
                last = f"connection to {url} failed: {type(exc).__name__}: {exc}"
            else:
                if response.status_code == 200:
                    data = _json_object(response)
                    if data is not None:
                        return data
                    last = "the server's answer is not a JSON object"
                elif response.status_code in FATAL_STATUSES:
                    why = FATAL_STATUSES[response.status_code].replace("${env}", f"${self.settings.api_key_env}")
                    raise SystemRunError(f"LLM server {url} answered {response.status_code}: {why}; {_excerpt(response)}")
                else:
                    last = f"HTTP {response.status_code}: {_excerpt(response)}"
                    if response.status_code not in RETRY_STATUSES:
                        raise RequestFailed(last)  # e.g. 400: the prompt is too long for this model
                    wait = _retry_after(response)
            if attempt < self.settings.retries:
                time.sleep(self._backoff(attempt, wait))
        if last.startswith("cannot connect"):
            raise SystemRunError(f"LLM server unreachable after {self.settings.retries + 1} attempt(s): {last}")
        raise RequestFailed(f"gave up after {self.settings.retries + 1} attempt(s): {last}")

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.settings.backoff_cap)
        delay = min(self.settings.backoff_base * 2.0**attempt, self.settings.backoff_cap)
        return delay * (0.5 + random.random() / 2)  # noqa: S311 - jitter, not security

    def _reply(self, data: dict[str, Any], *, cached: bool = False) -> Reply:
        try:
            message = data["choices"][0]["message"]
            content = message.get("content") or ""
        except (KeyError, IndexError, TypeError, AttributeError):
            raise RequestFailed("the server's answer has no choices[0].message") from None
        usage = data.get("usage") or {}
        finish = data["choices"][0].get("finish_reason") if isinstance(data["choices"][0], dict) else None
        return Reply(str(content), int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0), cached,
                     cut=finish == "length")

    def _cache_path(self, key: str) -> Path | None:
        return None if self.settings.cache_dir is None else self.settings.cache_dir / key[:2] / f"{key}.json"

    def _cached(self, key: str) -> Reply | None:
        path = self._cache_path(key)
        if path is None or not path.exists():
            return None
        try:
            return self._reply(json.loads(path.read_text(encoding="utf-8")), cached=True)
        except (ValueError, RequestFailed):
            return None  # a damaged entry is asked again and rewritten

    def _store(self, key: str, data: dict[str, Any]) -> None:
        path = self._cache_path(key)
        if path is not None:
            atomic_write_text(path, json.dumps(data, ensure_ascii=False) + "\n")


def _json_object(response: httpx.Response) -> dict[str, Any] | None:
    try:
        data = response.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _excerpt(response: httpx.Response) -> str:
    text = response.text.strip().replace("\n", " ")
    return text[:200] + ("…" if len(text) > 200 else "") if text else "(empty body)"
