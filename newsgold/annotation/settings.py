"""Label Studio settings from `configs/labelstudio.yaml`."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

from newsgold.io.config import read_yaml
from newsgold.model.errors import SyncError


@dataclass(frozen=True)
class LabelStudioSettings:
    """Project and local-server settings (no secrets)."""

    project_title: str = "newsgold annotation"
    maximum_annotations: int = 2
    batch_size: int = 100
    host: str = "127.0.0.1"
    port: int = 8080
    data_dir: Path = Path(".newsgold/labelstudio")
    admin_email: str = "admin@newsgold.local"
    startup_timeout: float = 180.0


def default_settings_path() -> Path:
    """The shipped configs/labelstudio.yaml."""
    return Path(str(resources.files("newsgold.configs").joinpath("labelstudio.yaml")))


def load_ls_settings(path: str | Path | None = None) -> LabelStudioSettings:
    """Read and check the settings; SyncError names the bad key."""
    source = Path(path) if path is not None else default_settings_path()
    data = read_yaml(source, error=SyncError, what="Label Studio settings") or {}  # strict: a duplicate key is an error
    if not isinstance(data, Mapping):
        raise SyncError("settings must be a mapping", path=source)
    server = data.get("server") or {}
    if not isinstance(server, Mapping):
        raise SyncError("server must be a mapping", path=source, field="server")

    def get(mapping: Mapping[str, Any], key: str, kind: type, default: Any, where: str) -> Any:
        value = mapping.get(key, default)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise SyncError(f"{where}{key} must be a {kind.__name__}, got {value!r}", path=source, field=f"{where}{key}")
        return value

    defaults = LabelStudioSettings()
    settings = LabelStudioSettings(
        project_title=get(data, "project_title", str, defaults.project_title, ""),
        maximum_annotations=get(data, "maximum_annotations", int, defaults.maximum_annotations, ""),
        batch_size=get(data, "batch_size", int, defaults.batch_size, ""),
        host=get(server, "host", str, defaults.host, "server."),
        port=get(server, "port", int, defaults.port, "server."),
        data_dir=Path(get(server, "data_dir", str, str(defaults.data_dir), "server.")),
        admin_email=get(server, "admin_email", str, defaults.admin_email, "server."),
        startup_timeout=float(get(server, "startup_timeout", (int, float), defaults.startup_timeout, "server.")),  # type: ignore[arg-type]
    )
    if len(settings.project_title) < 3:
        raise SyncError("project_title needs at least 3 characters (a Label Studio rule)", path=source, field="project_title")
    if settings.batch_size < 1 or settings.maximum_annotations < 1:
        raise SyncError("batch_size and maximum_annotations must be at least 1", path=source)
    return settings
