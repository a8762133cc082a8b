"""Reading YAML configuration strictly: duplicate keys rejected, errors with file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from newsgold.errors import NewsgoldError


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
