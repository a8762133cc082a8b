"""`newsgold schema`: show, check and document the annotation schema."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.table import Table

from newsgold.cli.conventions import NewsgoldTyper
from newsgold.cli.options import JsonOption, SchemaOption
from newsgold.console import print_json, stderr, stdout, user_errors
from newsgold.io.config import load_schema
from newsgold.model.errors import NewsgoldError

schema_app = NewsgoldTyper(no_args_is_help=True, help="Show, check and document the annotation schema.\n\nExample: newsgold schema show")

# ------------------------------------------------------------------------------------ schema


@schema_app.command("show")
def schema_show(schema_path: Optional[Path] = SchemaOption, as_json: bool = JsonOption) -> None:
    """Print the labels, attributes, values and relations of the schema.

    Example: newsgold schema show --json
    """
    with user_errors():
        schema = load_schema(schema_path)
    if as_json:
        print_json(schema.to_dict())
        return
    console = stdout()
    table = Table(title=f"newsgold schema v{schema.version}", show_lines=True)
    for column in ("label", "key", "attribute", "values"):
        table.add_column(column)
    for label in schema.labels:
        attributes = "\n".join(a.name for a in label.attributes)
        values = "\n".join(", ".join(a.value_names) if a.kind == "choice" else "(free text)" for a in label.attributes)
        table.add_row(f"[{label.color}]{label.name}[/]", label.hotkey, attributes, values)
    console.print(table)
    relations = Table(title="relations")
    for column in ("relation", "from", "to", "meaning"):
        relations.add_column(column)
    for relation in schema.relations:
        relations.add_row(relation.name, " | ".join(relation.head), " | ".join(relation.tail), relation.description)
    console.print(relations)


@schema_app.command("validate")
def schema_validate(path: Optional[Path] = typer.Argument(None, help="Schema file (default: the shipped one).")) -> None:
    """Check a schema file; exit 1 with the key that is wrong.

    Example: newsgold schema validate configs/schema.yaml
    """
    with user_errors():
        schema = load_schema(path)
    stdout().print(
        f"ok: {escape(schema.source)} — schema v{schema.version}, {len(schema.labels)} labels, "
        f"{len(schema.relations)} relations"
    )


@schema_app.command("guidelines")
def schema_guidelines(
    schema_path: Optional[Path] = SchemaOption,
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write to this file instead of stdout.", dir_okay=False),
    into: Optional[Path] = typer.Option(
        None, "--into", help="Refresh the generated block of a guidelines page (between its schema-reference markers).",
        dir_okay=False,
    ),
) -> None:
    """Print the schema reference of the annotation guidelines as Markdown.

    Example: newsgold schema guidelines --into docs/guidelines.md
    """
    from newsgold.io.documents import atomic_write_text
    from newsgold.io.schema_reference import embed_reference, schema_reference
    with user_errors():
        schema = load_schema(schema_path)
        markdown = schema_reference(schema)
        if into is not None:
            try:
                page = into.read_text(encoding="utf-8")
            except OSError as exc:
                raise NewsgoldError(f"cannot read: {exc.strerror}", path=into) from exc
            atomic_write_text(into, embed_reference(page, markdown, path=str(into)))
            stderr().print(f"updated the schema reference in {escape(str(into))}")
            return
    if out is None:
        typer.echo(markdown, nl=False)
    else:
        atomic_write_text(out, markdown)
        stderr().print(f"wrote {escape(str(out))}")
