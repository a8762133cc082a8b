"""The one exception hierarchy of newsgold.

Library code raises these; only the command line catches them, prints the message and exits 1.
Every error carries its place as keyword arguments so a user can find what to fix::

    NewsgoldError
    ├── SchemaError        a schema file is unreadable or breaks a schema rule
    ├── DocumentError      documents are unreadable or fail validation (carries every problem)
    ├── IngestError        a seed article cannot be turned into a Document
    ├── BuildError         the dataset cannot be built or published
    ├── SyncError          talking to Label Studio failed
    └── SystemRunError     an extraction system failed or returned bad output
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from newsgold.model.problems import Problem


class NewsgoldError(Exception):
    """Base class: raised for any input or environment problem a user can fix."""

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        doc_id: str | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.doc_id = doc_id
        self.field = field
        super().__init__(self.__str__())

    def __str__(self) -> str:
        return str(Problem(self.message, path=self.path, line=self.line, doc_id=self.doc_id, field=self.field))


class SchemaError(NewsgoldError):
    """Raised when a schema file cannot be read or breaks a schema rule."""


class DocumentError(NewsgoldError):
    """Raised when documents cannot be read or fail validation; `problems` lists every one."""

    def __init__(self, problems: Sequence[Problem], *, path: str | Path | None = None) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        first = str(self.problems[0]) if self.problems else "no problems recorded"
        more = f" (and {count - 1} more)" if count > 1 else ""
        super().__init__(f"{first}{more}" if path is None else f"{count} problem(s): {first}{more}")
        self.path = str(path) if path is not None else None

    def __str__(self) -> str:
        return self.message


class IngestError(NewsgoldError):
    """Raised when a seed article cannot be turned into a Document."""


class BuildError(NewsgoldError):
    """Raised when the dataset cannot be built, written or published."""


class SyncError(NewsgoldError):
    """Raised when talking to Label Studio fails or its data cannot be converted."""


class SystemRunError(NewsgoldError):
    """Raised when an extraction system fails, times out or returns bad output."""
