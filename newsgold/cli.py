"""The `newsgold` command line: a thin Typer layer over the library functions.

Exit codes: 0 success, 1 bad input (the message names file, line/document and field), 2 usage.
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.markup import escape
from rich.table import Table

from newsgold import __version__
from newsgold.console import print_json, stderr, stdout, user_errors
from newsgold.corpus.ingest import ingest_seeds
from newsgold.corpus.stats import corpus_stats
from newsgold.document import atomic_write_text, write_documents
from newsgold.errors import NewsgoldError
from newsgold.guidelines import embed_reference, schema_reference
from newsgold.schema import Schema, load_schema
from newsgold.validation import load_documents, validate_paths

app = typer.Typer(
    name="newsgold",
    help="Annotated corpus and evaluation framework for claims, speakers, events and framing in news.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
schema_app = typer.Typer(no_args_is_help=True, help="Show, check and document the annotation schema.")
corpus_app = typer.Typer(no_args_is_help=True, help="Ingest seed articles and inspect corpora.")
app.add_typer(schema_app, name="schema")
app.add_typer(corpus_app, name="corpus")

SchemaOption = typer.Option(
    None, "--schema", "-s", help="Schema file (default: the shipped configs/schema.yaml).", dir_okay=False
)
JsonOption = typer.Option(False, "--json", help="Print machine-readable JSON instead of a table.")


def _version(value: bool) -> None:
    if value:
        stdout().print(f"newsgold {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """Annotated corpus and evaluation framework for claims, speakers, events and framing in news.

    Example: newsgold validate gold/
    """


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


# ---------------------------------------------------------------------------------- validate


@app.command("validate")
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

    Example: newsgold validate gold/ predictions.jsonl --predictions
    """
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


# ------------------------------------------------------------------------------------ corpus


@corpus_app.command("ingest")
def corpus_ingest(
    seeds: Path = typer.Option(Path("seeds"), "--seeds", help="Folder of seed articles (*.txt, optional *.meta.yaml)."),
    out: Path = typer.Option(
        Path("build/documents.jsonl"), "--out", "-o", help="Output: a .jsonl file or a folder of .json files."
    ),
    schema_path: Optional[Path] = SchemaOption,
) -> None:
    """Turn seed articles into Documents with exact text, sha256, tokens and sentences.

    Example: newsgold corpus ingest --seeds seeds --out build/documents.jsonl
    """
    with user_errors():
        schema = load_schema(schema_path)
        documents = list(ingest_seeds(seeds))
        written = write_documents(documents, out)
        load_documents(out, schema)  # what was written must read back valid
    tokens = sum(len(d.tokens or ()) for d in documents)
    stdout().print(f"ingested {written} document(s), {tokens} tokens -> {escape(str(out))}")


@corpus_app.command("stats")
def corpus_stats_cmd(
    path: Path = typer.Argument(..., help="Documents: a .jsonl file or a folder of .json files."),
    schema_path: Optional[Path] = SchemaOption,
    as_json: bool = JsonOption,
) -> None:
    """Count documents, tokens, spans per label, attribute values and relations.

    Example: newsgold corpus stats build/documents.jsonl --json
    """
    with user_errors():
        schema = load_schema(schema_path)
        stats = corpus_stats(load_documents(path, schema), schema)
    if as_json:
        print_json(stats)
        return
    _print_stats(stats, schema)


def _print_stats(stats: dict, schema: Schema) -> None:  # type: ignore[type-arg]
    console = stdout()
    overview = Table(title=f"corpus (schema v{stats['schema_version']})")
    overview.add_column("what")
    overview.add_column("count", justify="right")
    for key in ("documents", "characters", "sentences", "tokens"):
        overview.add_row(key, f"{stats[key]:,}")
    for label, count in stats["spans"].items():
        overview.add_row(f"spans: {label}", f"{count:,}")
    for relation, count in stats["relations"].items():
        overview.add_row(f"relations: {relation}", f"{count:,}")
    console.print(overview)
    values = Table(title="attribute values")
    for column in ("label", "attribute", "value", "count"):
        values.add_column(column, justify="right" if column == "count" else "left")
    for label, attributes in stats["attributes"].items():
        for attribute, counts in attributes.items():
            for value, count in counts.items():
                values.add_row(label, attribute, value, f"{count:,}")
    console.print(values)


if __name__ == "__main__":  # pragma: no cover
    app()
