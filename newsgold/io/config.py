"""Reading YAML configuration strictly (duplicate keys rejected, errors with file and line), and the schema file."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from newsgold.model.errors import NewsgoldError, SchemaError
from newsgold.model.schema import Schema, parse_schema

DEFAULT_SCHEMA_RESOURCE = ("newsgold.configs", "schema.yaml")


class UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that rejects duplicate keys (PyYAML keeps the last one silently)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: Path, *, error: type[NewsgoldError], what: str) -> Any:
    """Parse a YAML file; `error` (naming the file and line) if it is missing, unreadable or invalid."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise error(f"{what} file not found", path=path) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"cannot read {what} file: {exc}", path=path) from exc
    try:
        return yaml.load(text, Loader=UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise error(f"invalid YAML: {getattr(exc, 'problem', exc)}", path=path, line=line) from exc


def default_schema_path() -> Path:
    """Path of the schema shipped with the package (configs/schema.yaml in the repository)."""
    package, name = DEFAULT_SCHEMA_RESOURCE
    return Path(str(resources.files(package).joinpath(name)))


def load_schema(path: str | Path | None = None) -> Schema:
    """Load and check a schema file (default: the shipped configs/schema.yaml)."""
    source = Path(path) if path is not None else default_schema_path()
    data = read_yaml(source, error=SchemaError, what="schema")
    return parse_schema(data, source=str(source))
