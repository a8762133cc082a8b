"""Terminal output shared by the commands: consoles, error reporting and JSON printing."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from typing import Any, Iterator

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from newsgold.model.errors import DocumentError, NewsgoldError

MAX_PROBLEMS_SHOWN = 200


def stdout() -> Console:
    """Console for results (stdout)."""
    return Console(highlight=False, soft_wrap=True)


def stderr() -> Console:
    """Console for errors and progress (stderr)."""
    return Console(stderr=True, highlight=False, soft_wrap=True)


def print_json(data: Any) -> None:
    """Write data as indented JSON to stdout (plain, no colour, so it pipes cleanly)."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn newsgold errors into a message on stderr and exit code 1: no traceback for bad input."""
    try:
        yield
    except DocumentError as exc:
        console = stderr()
        for problem in exc.problems[:MAX_PROBLEMS_SHOWN]:
            console.print(f"[red]error:[/red] {escape(str(problem))}")
        hidden = len(exc.problems) - MAX_PROBLEMS_SHOWN
        if hidden > 0:
            console.print(f"[red]… and {hidden} more problem(s)[/red]; run `newsgold validate` for all of them")
        raise typer.Exit(1) from None
    except NewsgoldError as exc:
        stderr().print(f"[red]error:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        stderr().print("[yellow]interrupted[/yellow]")
        raise typer.Exit(130) from None


class ProgressHandle:
    """What long-running library functions report to: `start(total)` once, then `advance(n)`."""

    def __init__(self, progress: Progress, task: TaskID) -> None:
        self._progress = progress
        self._task = task

    def start(self, total: int) -> None:
        """Set the number of steps once it is known."""
        self._progress.update(self._task, total=total)

    def advance(self, steps: int = 1) -> None:
        """Record finished steps."""
        self._progress.advance(self._task, steps)

    def describe(self, description: str) -> None:
        """Change the line's text (e.g. tokens spent so far)."""
        self._progress.update(self._task, description=description)


@contextmanager
def progress_bar(description: str, console: Console) -> Iterator[ProgressHandle]:
    """A rich progress bar on stderr, hidden when stderr is not a terminal."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as progress:
        yield ProgressHandle(progress, progress.add_task(description, total=None))
