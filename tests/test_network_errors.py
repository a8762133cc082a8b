"""Every command that talks to a server, with the server unreachable: one clear message, exit 1, no traceback.

An unreachable endpoint is a closed port on 127.0.0.1 (nothing listens on the port a socket was
just bound to and closed), so the test runs the same with or without a network.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsgold.cli import app
from newsgold.io.documents import read_documents, write_documents

REPO = Path(__file__).resolve().parents[1]
runner = CliRunner()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture()
def inputs(tmp_path: Path) -> dict[str, str]:
    documents = tmp_path / "documents.jsonl"
    write_documents(read_documents(REPO / "gold")[:1], documents)
    (tmp_path / "hub").mkdir()
    (tmp_path / "hub" / "README.md").write_text("---\nlicense: cc-by-2.5\n---\n", encoding="utf-8")
    return {"documents": str(documents), "hub": str(tmp_path / "hub"), "out": str(tmp_path / "out"), "url": f"http://127.0.0.1:{_closed_port()}"}


COMMANDS = {
    "corpus publish": ["corpus", "publish", "--repo-id", "me/news", "--folder", "{hub}"],
    "annotate push": ["annotate", "push", "{documents}", "--url", "{url}"],
    "annotate pull": ["annotate", "pull", "--url", "{url}", "--out", "{out}", "--gold", "{out}/gold"],
    "annotate submit": ["annotate", "submit", "{documents}", "--url", "{url}"],
    "eval run --url": ["eval", "run", "--url", "{url}/predict", "--gold", "{documents}", "--out", "{out}/p.jsonl"],
    "eval run --llm": ["eval", "run", "--llm", "m", "--base-url", "{url}/v1", "--gold", "{documents}", "--out", "{out}/p.jsonl",
                       "--no-llm-cache", "--retries", "0"],
}


@pytest.mark.parametrize("name", COMMANDS)
def test_an_unreachable_server_is_one_clear_error(name: str, inputs: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", inputs["url"])
    monkeypatch.setenv("HF_TOKEN", "hf_not_a_real_token")
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "not-a-real-key")
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)  # the suite's conftest sets it; here the Hub must be tried
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    args = [part.format(**inputs) for part in COMMANDS[name]]
    result = runner.invoke(app, args)
    assert isinstance(result.exception, SystemExit), repr(result.exception)  # a handled error, not an escaped one
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert "offline mode" not in result.output  # the request really went out, to a closed port
    lowered = result.output.lower()
    assert any(word in lowered for word in ("cannot reach", "unreachable", "cannot connect", "failed")), result.output
    assert len(result.output.splitlines()) <= 6, result.output  # one message, not a dump
