"""`newsgold validate`: check gold or prediction files against the schema."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.markup import escape

from newsgold.cli.options import JsonOption, SchemaOption
from newsgold.console import print_json, stdout, user_errors
from newsgold.io.config import load_schema

# ---------------------------------------------------------------------------------- validate


def validate_cmd(
    paths: List[Path] = typer.Argument(..., help="Document files (.jsonl or .json) or folders of .json files."),
    predictions: bool = typer.Option(
        False, "--predictions", "-p", help="Check as predictions: text optional, spans may be given by text alone."
    ),
    schema_path: Optional[Path] = SchemaOption,
    as_json: bool = JsonOption,
) -> None:
    """Check gold or prediction files against the schema and print every problem with its place.

    Exit 0 when all are valid, 1 when any problem is found.

    Examples: newsgold validate gold/; newsgold validate --predictions build/predictions.jsonl
    """
    from newsgold.io.documents import validate_paths
    with user_errors():
        schema = load_schema(schema_path)
        report = validate_paths(paths, schema, gold=not predictions)
    if as_json:
        print_json({**report.to_dict(), "schema_version": schema.version})
    else:
        console = stdout()
        for problem in report.problems:
            console.print(f"[red]error:[/red] {escape(str(problem))}")
        summary = (
            f"{report.files} file(s), {report.documents} document(s), {report.spans} span(s), "
            f"{report.relations} relation(s), schema v{schema.version}"
        )
        if report.ok:
            console.print(f"[green]ok:[/green] {summary}")
        else:
            console.print(f"[red]{len(report.problems)} problem(s)[/red] in {summary}")
    if not report.ok:
        raise typer.Exit(1)
