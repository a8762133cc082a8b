"""The `newsgold` command line: a thin Typer layer over the library functions.

Exit codes: 0 success, 1 bad input (the message names file, line/document and field), 2 usage.
"""

from __future__ import annotations

import json
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
from newsgold.evaluate.bootstrap import DEFAULT_SAMPLES, DEFAULT_SEED
from newsgold.evaluate.report_html import score_html
from newsgold.evaluate.report_text import compare_table, score_markdown, score_table, summary_lines
from newsgold.evaluate.run import Evaluation, run_system, score_files
from newsgold.evaluate.scorer import ScoreOptions, compare
from newsgold.evaluate.systems import parse_label_map, resolve_system
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
eval_app = typer.Typer(no_args_is_help=True, help="Score extraction systems against the gold.")
app.add_typer(corpus_app, name="corpus")
app.add_typer(eval_app, name="eval")

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


# -------------------------------------------------------------------------------------- eval

FormatOption = typer.Option("auto", "--format", "-f", help="Predictions format: auto, native, conll, labelstudio.")
SamplesOption = typer.Option(DEFAULT_SAMPLES, "--samples", help="Bootstrap samples over documents (0 to skip CIs).", min=0)
SeedOption = typer.Option(DEFAULT_SEED, "--seed", help="Random seed of the bootstrap.")


def _write_reports(evaluation: Evaluation, schema: Schema, report: dict, json_out: Optional[Path], markdown: Optional[Path], html_out: Optional[Path]) -> None:  # type: ignore[type-arg]
    if json_out is not None:
        atomic_write_text(json_out, json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    if markdown is not None:
        atomic_write_text(markdown, score_markdown(report))
    if html_out is not None:
        atomic_write_text(html_out, score_html(report, evaluation.gold, evaluation.predictions, schema))


def _show_report(report: dict, as_json: bool, written: list[Optional[Path]]) -> None:  # type: ignore[type-arg]
    if as_json:
        print_json(report)
        return
    console = stdout()
    console.print(score_table(report))
    for line in summary_lines(report):
        console.print(escape(line))
    for path in written:
        if path is not None:
            stderr().print(f"wrote {escape(str(path))}")


@eval_app.command("score")
def eval_score(
    gold: Path = typer.Argument(..., help="Gold documents (.jsonl or folder)."),
    predictions: Path = typer.Argument(..., help="Predictions: native .jsonl/folder, CoNLL BIO file, or Label Studio JSON export."),
    fmt: str = FormatOption,
    ls_source: str = typer.Option("predictions", "--ls-source", help="Label Studio export: score its predictions or annotations."),
    allow_extra: bool = typer.Option(False, "--allow-extra", help="Ignore (with a warning) predictions for documents not in the gold."),
    allow_ungrounded: bool = typer.Option(False, "--allow-ungrounded", help="Score spans whose text is not found as false positives instead of failing."),
    samples: int = SamplesOption,
    seed: int = SeedOption,
    as_json: bool = JsonOption,
    json_out: Optional[Path] = typer.Option(None, "--json-out", help="Also write the JSON report here."),
    markdown: Optional[Path] = typer.Option(None, "--markdown", help="Also write a Markdown report here."),
    html_out: Optional[Path] = typer.Option(None, "--html", help="Also write a self-contained HTML report here."),
    schema_path: Optional[Path] = SchemaOption,
) -> None:
    """Score predictions against the gold: strict, exact, overlap, partial, token-level, relations.

    Example: newsgold eval score gold/ predictions.jsonl --html report.html
    """
    with user_errors():
        schema = load_schema(schema_path)
        options = ScoreOptions(samples=samples, seed=seed, allow_extra=allow_extra, allow_ungrounded=allow_ungrounded)
        evaluation = score_files(gold, predictions, schema, fmt=fmt, ls_source=ls_source, options=options)
        report = evaluation.result.to_dict()
        _write_reports(evaluation, schema, report, json_out, markdown, html_out)
    _show_report(report, as_json, [json_out, markdown, html_out])


@eval_app.command("run")
def eval_run(
    system: Optional[str] = typer.Argument(None, help="'baseline' or a Python callable 'package.module:function' (text -> spans)."),
    gold: Path = typer.Option(Path("gold"), "--gold", "-g", help="Gold documents to run the system on and score against."),
    cmd: Optional[str] = typer.Option(None, "--cmd", help="Command reading Documents as JSONL on stdin, writing predictions on stdout."),
    url: Optional[str] = typer.Option(None, "--url", help="HTTP endpoint: POST one document as JSON, JSON predictions back."),
    spacy_model: Optional[str] = typer.Option(None, "--spacy", help="spaCy pipeline name or path; doc.ents/doc.spans are mapped."),
    label_map: Optional[str] = typer.Option(None, "--label-map", help="For --spacy: 'ORG=SPEAKER,PERSON=SPEAKER'."),
    timeout: float = typer.Option(60.0, "--timeout", help="Seconds per document (HTTP) or for the whole run (--cmd)."),
    out: Path = typer.Option(Path("build/predictions.jsonl"), "--out", "-o", help="Where to write the predictions (native format)."),
    samples: int = SamplesOption,
    seed: int = SeedOption,
    as_json: bool = JsonOption,
    json_out: Optional[Path] = typer.Option(None, "--json-out", help="Also write the JSON report here."),
    markdown: Optional[Path] = typer.Option(None, "--markdown", help="Also write a Markdown report here."),
    html_out: Optional[Path] = typer.Option(None, "--html", help="Also write a self-contained HTML report here."),
    schema_path: Optional[Path] = SchemaOption,
) -> None:
    """Run a system over the gold documents, write its predictions, and score them.

    Examples: newsgold eval run baseline --html build/baseline.html;
    newsgold eval run --cmd "python my_system.py"; newsgold eval run mypkg.extract:predict
    """
    with user_errors():
        schema = load_schema(schema_path)
        mapping = parse_label_map(label_map, schema) if label_map is not None else None
        chosen = resolve_system(system, cmd=cmd, url=url, spacy_model=spacy_model, label_map=mapping, schema=schema, timeout=timeout)
        gold_docs = load_documents(gold, schema)
        with progress_bar(f"running {chosen.name}", stderr()) as progress:
            progress.start(len(gold_docs))
            predictions = list(run_system(chosen, gold_docs, progress=progress))
        write_documents(predictions, out)
        options = ScoreOptions(samples=samples, seed=seed, allow_ungrounded=True)  # a system's misses are its score
        evaluation = score_files(gold, out, schema, fmt="native", options=options)
        report = evaluation.result.to_dict()
        report["inputs"]["system"] = chosen.name
        _write_reports(evaluation, schema, report, json_out, markdown, html_out)
    stderr().print(f"wrote {len(predictions)} prediction(s) of {escape(chosen.name)} to {escape(str(out))}")
    _show_report(report, as_json, [json_out, markdown, html_out])


@eval_app.command("compare")
def eval_compare(
    gold: Path = typer.Argument(..., help="Gold documents."),
    predictions_a: Path = typer.Argument(..., help="Predictions of system A."),
    predictions_b: Path = typer.Argument(..., help="Predictions of system B."),
    fmt: str = FormatOption,
    samples: int = typer.Option(DEFAULT_SAMPLES, "--samples", help="Bootstrap/randomization samples.", min=1),
    seed: int = SeedOption,
    as_json: bool = JsonOption,
    schema_path: Optional[Path] = SchemaOption,
) -> None:
    """Compare two systems on the same gold: F1 difference, its paired-bootstrap CI and p-values.

    Example: newsgold eval compare gold/ system_a.jsonl system_b.jsonl
    """
    with user_errors():
        schema = load_schema(schema_path)
        options = ScoreOptions(samples=samples, seed=seed)
        a = score_files(gold, predictions_a, schema, fmt=fmt, options=options)
        b = score_files(gold, predictions_b, schema, fmt=fmt, options=options)
        result = compare(a.result, b.result)
    if as_json:
        print_json(result)
        return
    console = stdout()
    console.print(compare_table(result))
    micro = result["tests"]["strict"]["micro"]
    console.print(
        f"strict micro F1: A {micro['f1_a']:.3f} vs B {micro['f1_b']:.3f}, difference {micro['difference']:+.3f}, "
        f"p = {micro['p_value_randomization']:.4f} (approximate randomization), {micro['p_value_bootstrap']:.4f} (paired bootstrap)"
    )


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
