"""Annotator accounts: one Label Studio user and API token per annotator, as a team would have.

`add_annotator` does what an annotator does with the organization's invite link: sign up with an
e-mail and a password, then read their own API token (Account & Settings). The admin token is only
used to read the invite link. The password and token go to a git-ignored file of the local data
folder (`annotators/<e-mail>.json`, mode 0600) for the person who runs the annotation; the token
is never printed. Annotations made with that token carry the annotator's own `completed_by`.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

import httpx

from newsgold.annotation.client import Connection, translated
from newsgold.annotation.pull import remember_pseudonyms
from newsgold.io.documents import atomic_write_text
from newsgold.model.errors import SyncError

ACCOUNTS_DIR = "annotators"
EMAIL = re.compile(r"^[^@\s/\\]+@[^@\s/\\]+\.[^@\s/\\]+$")


@dataclass(frozen=True)
class AnnotatorAccount:
    """A Label Studio annotator: pseudonym (`annotator-<user id>`), e-mail and where the secrets are."""

    pseudonym: str
    email: str
    user_id: int
    secrets_file: Path
    created: bool


def account_file(data_dir: Path, email: str) -> Path:
    """The 0600 file holding an annotator's password and API token."""
    return data_dir / ACCOUNTS_DIR / f"{email.lower()}.json"


def read_account_token(data_dir: Path, email: str) -> str:
    """The API token of an annotator added with `add_annotator`; SyncError if there is none."""
    path = account_file(data_dir, email)
    try:
        return str(json.loads(path.read_text(encoding="utf-8"))["token"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SyncError(f"no annotator account for {email} here: run `newsgold annotate add-annotator {email}`", path=path) from exc


def _form_error(page: str) -> str:
    """The first error message of a re-rendered Label Studio form, in one line."""
    found = re.search(r'class="[^"]*(?:error|field_errors)[^"]*"[^>]*>\s*(?:<[^>]+>\s*)*([^<]{3,200})', page)
    return " ".join(found.group(1).split()) if found else "the sign-up form was refused"


def add_annotator(connection: Connection, email: str, data_dir: Path) -> AnnotatorAccount:
    """Create (or find) the annotator account `email` and keep its password and token in a 0600 file.

    Running it again for the same e-mail reuses the stored account. An account that exists in
    Label Studio without a stored file is refused: its password is not known here.
    """
    email = email.strip().lower()
    if not EMAIL.match(email):
        raise SyncError(f"{email!r} is not an e-mail address", field="email")
    path = account_file(data_dir, email)
    if path.exists():
        stored = json.loads(path.read_text(encoding="utf-8"))
        return AnnotatorAccount(f"annotator-{stored['user_id']}", email, int(stored["user_id"]), path, created=False)
    with translated("reading the organization's invite link", url=connection.url):
        existing = [u for u in connection.client.users.list() if (u.email or "").lower() == email]
        if existing:
            raise SyncError(
                f"Label Studio already has a user {email} (annotator-{existing[0].id}), but its password and token "
                f"are not in {path}; sign in as that user and copy the token, or choose another e-mail"
            )
        invite_url = str(connection.client.organizations.invites.get_invite_link().invite_url)
    password = secrets.token_urlsafe(16)
    try:
        with httpx.Client(base_url=connection.url, follow_redirects=False, timeout=60) as browser:
            browser.get(invite_url)
            signed_up = browser.post(
                invite_url,
                data={"email": email, "password": password, "csrfmiddlewaretoken": browser.cookies.get("csrftoken") or ""},
                headers={"Referer": connection.url + invite_url},
            )
            if signed_up.status_code != 302:
                raise SyncError(f"signing up {email} on {connection.url} failed: {_form_error(signed_up.text)}")
            token = browser.get("/api/current-user/token").raise_for_status().json()["token"]
            user_id = int(browser.get("/api/current-user/whoami").raise_for_status().json()["id"])
    except httpx.HTTPError as exc:
        raise SyncError(f"signing up {email} on {connection.url} failed ({type(exc).__name__}: {exc})") from exc
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"email": email, "user_id": user_id, "password": password, "token": token, "url": connection.url}
    atomic_write_text(path, json.dumps(payload, indent=2) + "\n", mode=0o600)
    remember_pseudonyms({f"annotator-{user_id}": email}, data_dir)
    return AnnotatorAccount(f"annotator-{user_id}", email, user_id, path, created=True)
