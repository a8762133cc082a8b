"""The local Label Studio server: start (SQLite, 127.0.0.1, no telemetry), wait, reuse, stop.

State lives in the git-ignored data folder: `server.json` (pid, url), `api-token` and
`credentials.json` (both 0600). The API token is never printed; the admin password is printed
once, when the admin user is created.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from newsgold.annotation.settings import LabelStudioSettings
from newsgold.io.documents import atomic_write_text
from newsgold.model.errors import SyncError

STATE_FILE = "server.json"
TOKEN_FILE = "api-token"
CREDENTIALS_FILE = "credentials.json"
LOG_FILE = "server.log"
# Label Studio reads LABEL_STUDIO_X, HEARTEX_X and bare X: these bare names must not leak in.
LEAKY_ENV = ("USERNAME", "PASSWORD", "USER_TOKEN", "HOST", "PORT", "DEBUG", "DATABASE_NAME", "DJANGO_DB", "BASE_DATA_DIR")


@dataclass(frozen=True)
class ServerInfo:
    """A running local server: where it listens and its process id."""

    url: str
    pid: int
    data_dir: Path
    created_admin: bool = False
    password: str | None = None  # only when the admin was created by this start
    moved_from: int | None = None  # the port asked for, when it was taken by another program


def label_studio_executable() -> str:
    """The `label-studio` program of this environment; SyncError says how to install it."""
    candidate = Path(sys.executable).with_name("label-studio")
    found = str(candidate) if candidate.exists() else shutil.which("label-studio")
    if not found:
        raise SyncError("Label Studio is not installed: pip install -e '.[server]' (the `server` extra)")
    return found


def server_env(data_dir: Path) -> dict[str, str]:
    """Environment for a private, offline, non-interactive server."""
    env = {key: value for key, value in os.environ.items() if key not in LEAKY_ENV}
    env.update(
        LABEL_STUDIO_BASE_DATA_DIR=str(data_dir.resolve()),
        SENTRY_DSN="",
        FRONTEND_SENTRY_DSN="",
        COLLECT_ANALYTICS="false",
        LATEST_VERSION_CHECK="false",
        LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK="true",
        LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN="true",
        PYTHONUNBUFFERED="1",
    )
    return env


def _bind_probe(host: str, port: int) -> int | None:
    """The port a server could bind on `host` now (0: one the system picks), or None.

    The probe sets SO_REUSEADDR as a server does: without it a socket left in TIME_WAIT by a
    server that just exited makes a free port look taken, and `annotate up` would move to
    another port after every crash.
    """
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return None
        return int(probe.getsockname()[1])


def port_is_free(host: str, port: int) -> bool:
    """Whether a server could bind `host:port` now."""
    return _bind_probe(host, port) is not None


def free_port(host: str, preferred: int) -> tuple[int, bool]:
    """(port, moved): `preferred` if a server can bind it on `host`, else a free port chosen by the system."""
    if port_is_free(host, preferred):
        return preferred, False
    chosen = _bind_probe(host, 0)
    if chosen is None:
        raise SyncError(f"no free port on {host}")
    return chosen, True


def healthy(url: str, timeout: float = 2.0) -> bool:
    """Whether a Label Studio answers `/health` at `url`."""
    try:
        return httpx.get(f"{url}/health", timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_state(data_dir: Path) -> dict | None:  # type: ignore[type-arg]
    """The recorded server state, or None when there is none."""
    path = data_dir / STATE_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def running_server(data_dir: Path) -> ServerInfo | None:
    """The server started from this data folder, if it is still up."""
    state = read_state(data_dir)
    if state and _pid_alive(int(state["pid"])) and healthy(state["url"]):
        return ServerInfo(url=state["url"], pid=int(state["pid"]), data_dir=data_dir)
    return None


def _write_secret(path: Path, text: str) -> None:
    atomic_write_text(path, text, mode=0o600)  # 0600 from creation: never readable by others


def read_token(data_dir: Path) -> str | None:
    """The admin API token written by `start_server`, if any."""
    try:
        return (data_dir / TOKEN_FILE).read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def _stored_password(data_dir: Path) -> str | None:
    try:
        return str(json.loads((data_dir / CREDENTIALS_FILE).read_text(encoding="utf-8"))["password"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def start_server(settings: LabelStudioSettings, *, data_dir: Path | None = None, port: int | None = None) -> ServerInfo:
    """Start (or reuse) the local server; create the admin user and token on the first start."""
    data_dir = data_dir if data_dir is not None else settings.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(data_dir, 0o700)
    existing = running_server(data_dir)
    if existing is not None:
        return existing
    program = label_studio_executable()
    token = read_token(data_dir)
    created = token is None
    password = None
    if created:
        token = secrets.token_hex(20)
        password = secrets.token_urlsafe(12)
        _write_secret(data_dir / TOKEN_FILE, token + "\n")
        _write_secret(
            data_dir / CREDENTIALS_FILE,
            json.dumps({"email": settings.admin_email, "password": password}, indent=2) + "\n",
        )
    asked = port if port is not None else settings.port
    chosen, moved = free_port(settings.host, asked)
    url = f"http://{settings.host}:{chosen}"
    command = [
        program, "start", "--no-browser", "--internal-host", settings.host, "--port", str(chosen),
        "--enable-legacy-api-token", "--log-level", "WARNING",
    ]  # fmt: skip
    # The admin login and token go through the environment (readable by this user only), never
    # the command line, which any local user can read in /proc/<pid>/cmdline.
    env = server_env(data_dir)
    env.update(
        LABEL_STUDIO_USERNAME=settings.admin_email,
        LABEL_STUDIO_PASSWORD=password or _stored_password(data_dir) or secrets.token_urlsafe(12),
        LABEL_STUDIO_USER_TOKEN=token or "",
    )
    log = (data_dir / LOG_FILE).open("ab")
    process = subprocess.Popen(  # noqa: S603 - our own executable, arguments we built
        command, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    log.close()
    deadline = time.monotonic() + settings.startup_timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SyncError(f"Label Studio exited with code {process.returncode} while starting; see {data_dir / LOG_FILE}")
        if healthy(url, timeout=1.0):
            atomic_write_text(data_dir / STATE_FILE, json.dumps({"pid": process.pid, "url": url}) + "\n")
            return ServerInfo(url=url, pid=process.pid, data_dir=data_dir, created_admin=created, password=password,
                              moved_from=asked if moved else None)
        time.sleep(0.5)
    _kill_group(process.pid)
    raise SyncError(f"Label Studio did not answer {url}/health within {settings.startup_timeout:.0f} s; see {data_dir / LOG_FILE}")


def _kill_group(pid: int, timeout: float = 10.0) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _pid_alive(pid):
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        time.sleep(0.1)
    if _pid_alive(pid):
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def stop_server(data_dir: Path) -> bool:
    """Stop the server started from this data folder, by its own process id; False if none ran."""
    state = read_state(data_dir)
    if not state:
        return False
    pid = int(state["pid"])
    alive = _pid_alive(pid)
    if alive:
        _kill_group(pid)
    (data_dir / STATE_FILE).unlink(missing_ok=True)
    return alive
