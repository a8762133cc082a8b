"""A validation problem with its place: file, line, document, span or relation, and field."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located precisely enough to fix it."""

    message: str
    path: str | None = None
    line: int | None = None
    doc_id: str | None = None
    span_id: str | None = None
    relation: int | None = None
    field: str | None = None

    def at(self, *, path: str | None = None, line: int | None = None) -> Problem:
        """Return this problem placed in a file (and line), keeping what it already knows."""
        return replace(self, path=self.path or path, line=self.line if self.line else line)

    def __str__(self) -> str:
        file = None
        if self.path is not None:
            file = self.path if self.line is None else f"{self.path}:{self.line}"
        elif self.line is not None:
            file = f"line {self.line}"
        where = []
        if self.doc_id is not None:
            where.append(f"document {self.doc_id!r}")
        if self.span_id is not None:
            where.append(f"span {self.span_id!r}")
        if self.relation is not None:
            where.append(f"relation #{self.relation}")
        if self.field is not None:
            where.append(f"field {self.field!r}")
        parts = [part for part in (file, ", ".join(where)) if part]
        return ": ".join([*parts, self.message])

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for `--json` output, without empty places."""
        return {key: value for key, value in asdict(self).items() if value is not None}
