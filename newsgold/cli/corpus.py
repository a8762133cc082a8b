"""`newsgold corpus`: ingest seed articles, build, inspect and publish the dataset."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.table import Table

from newsgold.cli.conventions import NewsgoldTyper
from newsgold.cli.options import JsonOption, SchemaOption, WorkersOption
from newsgold.console import print_json, progress_bar, stderr, stdout, user_errors
from newsgold.io.config import load_schema
from newsgold.model.schema import Schema

corpus_app = NewsgoldTyper(no_args_is_help=True, help="Ingest seed articles, build, inspect and publish the dataset.\n\n"
                           "Example: newsgold corpus ingest && newsgold corpus build && newsgold corpus stats")

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
    from newsgold.corpus.ingest import ingest_seeds
    from newsgold.io.documents import load_documents, write_documents
    with user_errors():
        schema = load_schema(schema_path)
        documents = list(ingest_seeds(seeds))
        written = write_documents(documents, out)
        load_documents(out, schema)  # what was written must read back valid
    tokens = sum(len(d.tokens or ()) for d in documents)
    stdout().print(f"ingested {written} document(s), {tokens} tokens -> {escape(str(out))}")


SettingsOption = typer.Option(
    None, "--corpus-config", "-c", help="Corpus settings (default: the shipped configs/corpus.yaml).", dir_okay=False
)
OldSettingsOption = typer.Option(None, "--config", hidden=True, dir_okay=False, help="Old name of --corpus-config (kept until 0.3).")


@corpus_app.command("build")
def corpus_build(
    settings_path: Optional[Path] = SettingsOption,
    output: Optional[Path] = typer.Option(None, "--out", "-o", help="Output folder (default: from the settings)."),
    schema_path: Optional[Path] = SchemaOption,
    workers: Optional[int] = WorkersOption,
    as_json: bool = JsonOption,
    old_settings: Optional[Path] = OldSettingsOption,
    old_output: Optional[Path] = typer.Option(None, "--output", hidden=True, help="Old name of --out (kept until 0.3)."),
) -> None:
    """Build the Hugging Face dataset from seeds + gold: Parquet + card (hub/) and save_to_disk (disk/).

    Refuses to build on any validation problem and lists them all. Re-running replaces the output
    atomically and gives byte-identical files, for any number of workers.

    Example: newsgold corpus build --out build/dataset
    """
    from newsgold.corpus.build import build_dataset
    from newsgold.corpus.settings import load_settings
    settings_path, output = settings_path or old_settings, output or old_output
    with user_errors():
        schema = load_schema(schema_path)
        settings = load_settings(settings_path)
        if output is not None:
            settings = replace(settings, output=output)
        with progress_bar("building", stderr()) as advance:
            report = build_dataset(settings, schema, progress=advance, workers=workers)
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
    folder: Optional[Path] = typer.Option(None, "--folder", help="Hub folder to upload (default: the build's hub/ folder)."),
    old_settings: Optional[Path] = OldSettingsOption,
) -> None:
    """Upload the built dataset (the hub/ folder: Parquet + README.md) to the Hugging Face Hub.

    The token comes only from HF_TOKEN or the standard `hf auth login`.

    Example: newsgold corpus publish --repo-id my-org/newsgold --private --dry-run
    """
    from newsgold.corpus.build import HUB_DIR
    from newsgold.corpus.publish import publish, upload_plan
    from newsgold.corpus.settings import load_settings
    settings_path = settings_path or old_settings
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
    from newsgold.corpus.stats import corpus_stats
    from newsgold.io.documents import load_documents
    from newsgold.text.segment import Segmenter
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
