"""A connection to Label Studio through label-studio-sdk, with its errors turned into SyncErrors.

The server is `--url` or the local one recorded by `annotate up`; the API key comes from
LABEL_STUDIO_API_KEY or the local server's git-ignored token file. The key is never echoed.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import httpx
from label_studio_sdk import LabelStudio
from label_studio_sdk.core.api_error import ApiError

from newsgold.annotation.server import read_state, read_token
from newsgold.annotation.settings import LabelStudioSettings
from newsgold.model.errors import SyncError

API_KEY_ENV = "LABEL_STUDIO_API_KEY"


@dataclass
class Connection:
    """An SDK client and the project it works on."""

    client: LabelStudio
    url: str


def _short_detail(detail: Any) -> str:
    """An error body fit for a one-line message: never a pasted HTML page, never a wall of text."""
    text = "" if detail is None else str(detail)
    if "<html" in text.lower() or "<!doctype" in text.lower():
        return "(the server answered with an HTML page, not the Label Studio API: is this URL a Label Studio?)"
    return text if len(text) <= 300 else text[:300] + "…"


@contextmanager
def translated(action: str, *, url: str) -> Iterator[None]:
    """Turn SDK and HTTP failures into SyncErrors that say what failed and what to do."""
    try:
        yield
    except ApiError as exc:
        status = exc.status_code
        detail = _short_detail(exc.body.get("detail") if isinstance(exc.body, dict) else exc.body)
        if status == 401:
            message = f"Label Studio at {url} rejected the API key ({API_KEY_ENV} or the local token file)"
        elif status == 404:
            message = f"{action}: not found on {url} ({detail})"
        else:
            message = f"{action} failed on {url}: HTTP {status} {detail or ''}".strip()
        raise SyncError(message) from exc
    except httpx.TransportError as exc:
        raise SyncError(f"cannot reach Label Studio at {url} ({type(exc).__name__}); is it running? try `newsgold annotate up`") from exc


def connect(
    settings: LabelStudioSettings, *, url: str | None = None, data_dir: Path | None = None, api_key: str | None = None
) -> Connection:
    """Connect to `url` (or the local server) with `api_key`, else the key from the environment or token file."""
    data_dir = data_dir if data_dir is not None else settings.data_dir
    state = read_state(data_dir)
    if url is None:
        if not state:
            raise SyncError("no Label Studio URL: pass --url, or start the local server with `newsgold annotate up`")
        url = str(state["url"])
    url = url.rstrip("/")
    api_key = api_key or os.environ.get(API_KEY_ENV) or read_token(data_dir)
    if not api_key:
        raise SyncError(f"no API key: set {API_KEY_ENV} (the key is never read from the repository)")
    with translated("connecting", url=url):
        client = LabelStudio(base_url=url, api_key=api_key, max_retries=0, timeout=60)
        client.users.whoami()
    return Connection(client=client, url=url)


def find_project(connection: Connection, title: str) -> Any | None:
    """The project with this title (the lowest id if several), or None."""
    with translated("listing projects", url=connection.url):
        matches = [p for p in connection.client.projects.list(title=title) if p.title == title]
    return min(matches, key=lambda p: p.id) if matches else None


def project_by_title(connection: Connection, title: str) -> Any:
    """The project with this title; SyncError if there is none."""
    project = find_project(connection, title)
    if project is None:
        raise SyncError(f"no project titled {title!r} on {connection.url}; run `newsgold annotate push` first")
    return project
