"""The `--llm` options shared by `eval run` and `annotate push`, and the system they build."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Optional
from urllib.parse import urlsplit

import typer

from newsgold.model.document import Document
from newsgold.model.errors import NewsgoldError
from newsgold.model.schema import Schema
from newsgold.systems.llm_prompt import STRUCTURED

if TYPE_CHECKING:
    from newsgold.systems.llm import LlmSystem

PANEL = "Language model (--llm; docs/llm.md)"
DEFAULT_GUIDELINES = Path("docs/guidelines.md")

LlmOption = typer.Option(None, "--llm", rich_help_panel=PANEL,
                         help="Extract with this model behind an OpenAI-compatible chat API (vLLM, llama.cpp server, Ollama, hosted).")
BaseUrlOption = typer.Option(None, "--base-url", rich_help_panel=PANEL,
                             help="The API's base URL, ending in /v1 (default: $OPENAI_BASE_URL).")
ApiKeyEnvOption = typer.Option("OPENAI_API_KEY", "--api-key-env", rich_help_panel=PANEL,
                               help="Environment variable holding the API key (the key itself is never an option).")
ConcurrencyOption = typer.Option(4, "--concurrency", min=1, rich_help_panel=PANEL, help="Requests in flight.")
FewShotOption = typer.Option(0, "--few-shot", min=0, rich_help_panel=PANEL,
                             help="Few-shot examples in the prompt: the N shortest gold documents of the train split (never another split).")
MaxTokensOption = typer.Option(None, "--max-tokens", min=1, rich_help_panel=PANEL,
                               help="Token budget of the run (prompt + completion; cached answers are free): documents past it are recorded as failures.")
LlmCacheOption = typer.Option(Path(".newsgold/llm-cache"), "--llm-cache", rich_help_panel=PANEL,
                              help="Response cache, keyed by the server and the whole request (model, prompt, document): a re-run is free and gives the same answers.")
NoLlmCacheOption = typer.Option(False, "--no-llm-cache", rich_help_panel=PANEL, help="Ask the model again even when an answer is cached.")
StructuredOption = typer.Option("json_schema", "--structured", rich_help_panel=PANEL,
                                help=f"response_format sent: {', '.join(STRUCTURED)} (json_schema: the schema-generated JSON Schema, strict).")
LlmGuidelinesOption = typer.Option(None, "--llm-guidelines", rich_help_panel=PANEL,
                                   help="Guidelines in the prompt (default: docs/guidelines.md without its generated schema reference; 'none': left out).")
RetriesOption = typer.Option(4, "--retries", min=0, rich_help_panel=PANEL,
                             help="Retries of a request on 408, 409, 429, 500, 502-504, non-JSON answers, timeouts and dropped connections.")
RepairsOption = typer.Option(2, "--repairs", min=0, rich_help_panel=PANEL, help="Re-asks after an answer that is not JSON or not the schema.")
MaxOutputTokensOption = typer.Option(4096, "--max-output-tokens", min=1, rich_help_panel=PANEL,
                                     help="Longest answer (max_tokens per request); an answer cut at it fails its document.")
LlmTimeoutOption = typer.Option(120.0, "--llm-timeout", min=0.001, rich_help_panel=PANEL, help="Seconds to wait for one answer.")


def build_llm(
    model: Optional[str], schema: Schema, *, base_url: Optional[str], api_key_env: str, concurrency: int, few_shot: int,
    max_tokens: Optional[int], cache: Path, no_cache: bool, structured: str, guidelines: Optional[str], retries: int,
    repairs: int, timeout: float, gold: Path = Path("gold"), corpus_config: Optional[Path] = None, max_output_tokens: int = 4096,
) -> LlmSystem | None:
    """The LLM system the options describe, or None without --llm."""
    from newsgold.systems.llm import LlmSystem
    from newsgold.systems.llm_client import LlmSettings
    if model is None:
        return None
    url = base_url or os.environ.get("OPENAI_BASE_URL")
    if not url:
        raise NewsgoldError("--llm needs --base-url (or $OPENAI_BASE_URL), e.g. http://127.0.0.1:8000/v1", field="--base-url")
    parsed = urlsplit(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise NewsgoldError(f"{url!r} is not an http(s) URL with a host, e.g. http://127.0.0.1:8000/v1", field="--base-url")
    if structured not in STRUCTURED:
        raise NewsgoldError(f"must be one of {', '.join(STRUCTURED)}", field="--structured")
    settings = LlmSettings(model=model, base_url=url, api_key_env=api_key_env, timeout=timeout, concurrency=concurrency,
                           retries=retries, repairs=repairs, token_budget=max_tokens, structured=structured,
                           cache_dir=None if no_cache else cache, max_output_tokens=max_output_tokens)
    return LlmSystem.create(settings, schema, guidelines=_guidelines(guidelines),
                            examples=few_shot_examples(gold, schema, few_shot, corpus_config) if few_shot else ())


@contextmanager
def closed_after(system: Any) -> Iterator[Any]:
    """`system`, closed at the end of the block if it holds resources (an LLM's connection pool)."""
    try:
        yield system
    finally:
        close = getattr(system, "close", None)
        if callable(close):
            close()


def _guidelines(choice: Optional[str]) -> str | None:
    from newsgold.io.schema_reference import without_block
    if choice == "none":
        return None
    path = Path(choice) if choice else DEFAULT_GUIDELINES
    if choice is None and not path.is_file():
        return None
    try:
        return without_block(path.read_text(encoding="utf-8"))  # the prompt lists the schema itself
    except (OSError, UnicodeDecodeError) as exc:
        raise NewsgoldError(f"cannot read the guidelines: {exc}", path=path, field="--llm-guidelines") from exc


def few_shot_examples(gold: Path, schema: Schema, count: int, corpus_config: Optional[Path]) -> list[Document]:
    """The `count` shortest gold documents of the train split (the corpus split rule): examples never
    come from the documents a system is scored on."""
    from newsgold.corpus.settings import load_settings
    from newsgold.io.documents import load_documents
    rule = load_settings(corpus_config).splits
    train = sorted((d for d in load_documents(gold, schema) if rule.assign(d.id) == "train"), key=lambda d: (len(d.text or ""), d.id))
    if len(train) < count:
        raise NewsgoldError(f"--few-shot {count}: the train split has {len(train)} gold document(s)", path=gold, field="--few-shot")
    return train[:count]
