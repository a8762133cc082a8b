"""A local OpenAI-compatible chat-completions server for the LLM tests (no real model can run here).

It speaks the real protocol on 127.0.0.1 — `POST /v1/chat/completions` with the `chat.completion`
answer, `usage`, bearer-token check, and `GET /v1/models` — and answers each request with what the
test's `script(body, article, call)` returns: the article is the text of the last user message,
`call` counts the requests for that article (1, 2, …). An `Answer` can be a status with headers (429
with Retry-After, 500), content that is malformed JSON, or a delay longer than the client's timeout.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

ARTICLE_START, ARTICLE_END = "Article:\n<<<\n", "\n>>>"


@dataclass
class Answer:
    """What the server does for one request."""

    content: str = ""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    body: str | None = None  # a raw body instead of a chat.completion (for broken servers)
    finish: str = "stop"  # finish_reason ("length": the answer was cut at max_tokens)


Script = Callable[[dict[str, Any], str, int], Answer]


class FakeLlm:
    """The server, its script and what it was asked (`requests`: bodies in arrival order)."""

    def __init__(self, script: Script, *, api_key: str | None = None) -> None:
        self.script = script
        self.api_key = api_key
        self.requests: list[dict[str, Any]] = []
        self.calls: dict[str, int] = {}
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _send(self, status: int, body: str, headers: dict[str, str] | None = None) -> None:
                data = body.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def do_GET(self) -> None:  # noqa: N802
                if self.path.rstrip("/") == "/v1/models":
                    self._send(200, json.dumps({"object": "list", "data": [{"id": "fake-model", "object": "model"}]}))
                else:
                    self._send(404, json.dumps({"error": {"message": "not found"}}))

            def do_POST(self) -> None:  # noqa: N802
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self._send(404, json.dumps({"error": {"message": f"no route {self.path}"}}))
                    return
                if outer.api_key is not None and self.headers.get("Authorization") != f"Bearer {outer.api_key}":
                    self._send(401, json.dumps({"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}}))
                    return
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                article = outer_article(body)
                with outer.lock:
                    outer.requests.append(body)
                    outer.calls[article] = outer.calls.get(article, 0) + 1
                    call = outer.calls[article]
                answer = outer.script(body, article, call)
                if answer.delay:
                    time.sleep(answer.delay)
                if answer.body is not None or answer.status != 200:
                    self._send(answer.status, answer.body if answer.body is not None else json.dumps({"error": {"message": "scripted"}}),
                               answer.headers)
                    return
                prompt_tokens = sum(len(m["content"]) for m in body["messages"]) // 4
                completion_tokens = max(1, len(answer.content) // 4)
                self._send(200, json.dumps({
                    "id": f"chatcmpl-{len(outer.requests)}", "object": "chat.completion", "created": int(time.time()),
                    "model": body["model"],
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": answer.content}, "finish_reason": answer.finish}],
                    "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                              "total_tokens": prompt_tokens + completion_tokens},
                }), answer.headers)

        def outer_article(body: dict[str, Any]) -> str:
            firsts = [m["content"] for m in body["messages"] if m["role"] == "user" and m["content"].startswith(ARTICLE_START)]
            content = firsts[-1]  # few-shot examples come first; the article asked about is the last one
            return content[len(ARTICLE_START):content.rindex(ARTICLE_END)]

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> FakeLlm:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
