"""The `newsgold` command line: a thin Typer layer over the library functions.

Exit codes: 0 success, 1 bad input (the message names file, line/document and field), 2 usage.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import List, Optional

import typer
from rich.markup import escape
from rich.table import Table

from newsgold import __version__
from newsgold.console import print_json, progress_bar, stderr, stdout, user_errors
from newsgold.corpus.build import HUB_DIR, build_dataset
from newsgold.corpus.ingest import ingest_seeds
from newsgold.corpus.publish import publish, upload_plan
from newsgold.corpus.segment import Segmenter
from newsgold.corpus.settings import load_settings
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
corpus_app = typer.Typer(no_args_is_help=True, help="Ingest seed articles, build, inspect and publish the dataset.")
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


SettingsOption = typer.Option(
    None, "--config", "-c", help="Build settings (default: the shipped configs/corpus.yaml).", dir_okay=False
)


@corpus_app.command("build")
def corpus_build(
    settings_path: Optional[Path] = SettingsOption,
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Output folder (default: from the settings)."),
    schema_path: Optional[Path] = SchemaOption,
    as_json: bool = JsonOption,
) -> None:
    """Build the Hugging Face dataset from seeds + gold: Parquet + card (hub/) and save_to_disk (disk/).

    Refuses to build on any validation problem and lists them all. Re-running replaces the output
    atomically and gives byte-identical Parquet files.

    Example: newsgold corpus build --output build/dataset
    """
    with user_errors():
        schema = load_schema(schema_path)
        settings = load_settings(settings_path)
        if output is not None:
            settings = replace(settings, output=output)
        with progress_bar("building", stderr()) as advance:
            report = build_dataset(settings, schema, progress=advance)
    if as_json:
        print_json(report.to_dict())
        return
    console = stdout()
    console.print(
        f"built {sum(report.documents.values())} article(s) -> {escape(str(settings.output))} "
        f"(hub/ to publish, disk/ for load_from_disk), schema v{report.schema_version}"
    )
    table = Table(title="rows per configuration and split")
    table.add_column("configuration")
    for split in report.documents:
        table.add_column(split, justify="right")
    table.add_row("articles", *(str(n) for n in report.documents.values()))
    for config, counts in report.rows.items():
        table.add_row(config, *(str(n) for n in counts.values()))
    console.print(table)
    if report.seeds_without_gold:
        console.print(f"[yellow]not built (no gold yet):[/yellow] {', '.join(report.seeds_without_gold)}")


@corpus_app.command("publish")
def corpus_publish(
    repo_id: str = typer.Option(..., "--repo-id", help="Dataset repository on the Hub, OWNER/NAME."),
    private: bool = typer.Option(False, "--private", help="Create the repository as private."),
    dry_run: bool = typer.Option(False, "--dry-run", help="List exactly what would be uploaded, upload nothing."),
    settings_path: Optional[Path] = SettingsOption,
    folder: Optional[Path] = typer.Option(None, "--folder", help="Hub folder to upload (default: <output>/hub)."),
) -> None:
    """Upload the built dataset (the hub/ folder: Parquet + README.md) to the Hugging Face Hub.

    The token comes only from HF_TOKEN or the standard `hf auth login`.

    Example: newsgold corpus publish --repo-id my-org/newsgold --private --dry-run
    """
    with user_errors():
        settings = load_settings(settings_path)
        hub = folder if folder is not None else settings.output / HUB_DIR
        plan = upload_plan(hub)
        if dry_run:
            console = stdout()
            visibility = "private" if private else "public"
            console.print(f"dry run: would upload {len(plan)} file(s) from {escape(str(hub))} to {visibility} dataset {escape(repo_id)}")
            for item in plan:
                console.print(f"  {escape(item.path)}  {item.size:,} bytes  sha256:{item.sha256}")
            return
        url = publish(hub, repo_id, private=private)
    stdout().print(f"published {len(plan)} file(s) to {escape(url)}")


@corpus_app.command("stats")
def corpus_stats_cmd(
    path: Path = typer.Argument(Path("gold"), help="Documents: a .jsonl file or a folder of .json files."),
    schema_path: Optional[Path] = SchemaOption,
    as_json: bool = JsonOption,
) -> None:
    """Count documents, tokens, spans per label, attribute values and relations.

    Documents without a segmentation (gold files) are tokenized on the fly to count tokens.

    Example: newsgold corpus stats gold/ --json
    """
    with user_errors():
        schema = load_schema(schema_path)
        documents = load_documents(path, schema)
        unsegmented = [d for d in documents if d.tokens is None]
        list(Segmenter().segment_documents(unsegmented))
        stats = corpus_stats(documents, schema)
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
