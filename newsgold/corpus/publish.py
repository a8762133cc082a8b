"""`corpus publish`: upload the built Hub folder to a Hugging Face dataset repository."""

from __future__ import annotations

import hashlib
import importlib
from dataclasses import dataclass
from pathlib import Path

from newsgold.model.errors import BuildError

TOKEN_HELP = "set HF_TOKEN or run `hf auth login` (the token is never read from a file of this project)"


@dataclass(frozen=True)
class UploadFile:
    """A file that publishing uploads: its path inside the repository, size and sha256."""

    path: str
    size: int
    sha256: str


def upload_plan(hub_folder: Path) -> list[UploadFile]:
    """Exactly the files `publish` uploads, sorted; BuildError if the folder is not a built dataset."""
    if not (hub_folder / "README.md").is_file():
        raise BuildError("not a built dataset folder (no README.md): run `newsgold corpus build` first", path=hub_folder)
    files = []
    for path in sorted(p for p in hub_folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        files.append(UploadFile(str(path.relative_to(hub_folder)), len(data), hashlib.sha256(data).hexdigest()))
    return files


def resolve_token() -> str:
    """The Hub token from HF_TOKEN or the standard login; BuildError if there is none."""
    from huggingface_hub import get_token

    token = get_token()
    if not token:
        raise BuildError(f"no Hugging Face token: {TOKEN_HELP}")
    return token


def network_errors() -> tuple[type[BaseException], ...]:
    """OSError and the transport errors of the HTTP client huggingface_hub uses (httpx, its httpx2
    fork, or requests, by version): what "the Hub cannot be reached" looks like."""
    errors: list[type[BaseException]] = [OSError]
    for name in ("httpx", "httpx2", "requests"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        for attribute in ("HTTPError", "RequestException"):
            kind = getattr(module, attribute, None)
            if isinstance(kind, type) and issubclass(kind, BaseException):
                errors.append(kind)
    return tuple(errors)


def publish(hub_folder: Path, repo_id: str, *, private: bool = False, token: str | None = None) -> str:
    """Create the dataset repository if needed and upload the folder in one commit; return its URL."""
    from huggingface_hub import HfApi
    from huggingface_hub.errors import HfHubHTTPError

    upload_plan(hub_folder)
    if repo_id.count("/") != 1 or not all(repo_id.split("/")):
        raise BuildError(f"repo id must look like OWNER/NAME, got {repo_id!r}", field="repo_id")
    api = HfApi(token=token or resolve_token())
    try:
        api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
        commit = api.upload_folder(
            folder_path=str(hub_folder),
            repo_id=repo_id,
            repo_type="dataset",
            commit_message="Publish newsgold dataset",
            delete_patterns=["*.parquet", "README.md"],
        )
    except HfHubHTTPError as exc:
        raise BuildError(f"upload to {repo_id} failed: {exc}") from exc
    except network_errors() as exc:  # no network, DNS, refused, timeouts (the HTTP clients' errors are not OSErrors)
        raise BuildError(f"cannot reach the Hugging Face Hub ({type(exc).__name__}: {exc}); check the network, "
                         "or HF_ENDPOINT if you set it") from exc
    return str(getattr(commit, "commit_url", f"https://huggingface.co/datasets/{repo_id}"))
