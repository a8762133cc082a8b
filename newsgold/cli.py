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
from newsgold.annotation.accounts import add_annotator, read_account_token
from newsgold.annotation.adjudicate import adjudicate
from newsgold.annotation.agreement import agreement, load_annotator_files
from newsgold.annotation.client import connect, project_by_title
from newsgold.annotation.config import labeling_config, load_guidelines
from newsgold.annotation.pull import convert_export, export_snapshot, record_pseudonyms, write_by_annotator, write_gold
from newsgold.annotation.push import push_documents
from newsgold.annotation.server import CREDENTIALS_FILE, start_server, stop_server
from newsgold.annotation.settings import load_ls_settings
from newsgold.annotation.submit import submit_documents
from newsgold.console import print_json, progress_bar, stderr, stdout, user_errors
from newsgold.corpus.build import HUB_DIR, build_dataset
from newsgold.corpus.ingest import ingest_seeds
from newsgold.corpus.publish import publish, upload_plan
from newsgold.corpus.settings import load_settings
from newsgold.corpus.stats import corpus_stats
from newsgold.evaluate.bootstrap import DEFAULT_SAMPLES, DEFAULT_SEED
from newsgold.evaluate.report_html import score_html
from newsgold.evaluate.report_text import compare_table, score_markdown, score_table, summary_lines
from newsgold.evaluate.run import Evaluation, path_sha256, run_system, score_files
from newsgold.evaluate.scorer import ScoreOptions, align, compare
from newsgold.io.agreement_tables import AGREEMENT_BLOCK, agreement_markdown
from newsgold.io.config import load_schema
from newsgold.io.documents import atomic_write_text, load_documents, validate_paths, write_documents
from newsgold.io.predictions import load_predictions
from newsgold.io.schema_reference import embed_reference, schema_reference
from newsgold.model.errors import DocumentError, NewsgoldError, SyncError
from newsgold.model.schema import Schema
from newsgold.systems.adapters import parse_label_map, resolve_system
from newsgold.text.segment import Segmenter

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
annotate_app = typer.Typer(no_args_is_help=True, help="Annotate in Label Studio: config, local server, push, pull, agreement.")
app.add_typer(annotate_app, name="annotate")
app.add_typer(corpus_app, name="corpus")
app.add_typer(eval_app, name="eval")

SchemaOption = typer.Option(
    None, "--schema", "-s", help="Schema file (default: the shipped configs/schema.yaml).", dir_okay=False
)
JsonOption = typer.Option(False, "--json", help="Print machine-readable JSON instead of a table.")
SplitOption = typer.Option(
    None, "--split", help="Score only the gold documents of this split (train, validation, test: the rule in configs/corpus.yaml)."
)
CorpusConfigOption = typer.Option(None, "--corpus-config", help="Corpus settings with the split rule (default: the shipped configs/corpus.yaml).", dir_okay=False)


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


WorkersOption = typer.Option(
    None, "--workers", "-j", min=1, help="Processes for per-document work (default: one per core for large inputs)."
)
SettingsOption = typer.Option(
    None, "--config", "-c", help="Build settings (default: the shipped configs/corpus.yaml).", dir_okay=False
)


@corpus_app.command("build")
def corpus_build(
    settings_path: Optional[Path] = SettingsOption,
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Output folder (default: from the settings)."),
    schema_path: Optional[Path] = SchemaOption,
    workers: Optional[int] = WorkersOption,
    as_json: bool = JsonOption,
) -> None:
    """Build the Hugging Face dataset from seeds + gold: Parquet + card (hub/) and save_to_disk (disk/).

    Refuses to build on any validation problem and lists them all. Re-running replaces the output
    atomically and gives byte-identical files, for any number of workers.

    Example: newsgold corpus build --output build/dataset
    """
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


def _split_args(split: Optional[str], corpus_config: Optional[Path]) -> dict:  # type: ignore[type-arg]
    """`split` and `assign` for score_files: the corpus split rule, checked to know the split's name."""
    if split is None:
        return {}
    rule = load_settings(corpus_config).splits
    if split not in rule.names:
        raise NewsgoldError(f"unknown split {split!r} (splits: {', '.join(rule.names)})", field="--split")
    return {"split": split, "assign": rule.assign}


@eval_app.command("score")
def eval_score(
    gold: Path = typer.Argument(..., help="Gold documents (.jsonl or folder)."),
    predictions: Path = typer.Argument(..., help="Predictions: native .jsonl/folder, CoNLL BIO file, or Label Studio JSON export."),
    fmt: str = FormatOption,
    ls_source: str = typer.Option("predictions", "--ls-source", help="Label Studio export: score its predictions or annotations."),
    allow_extra: bool = typer.Option(False, "--allow-extra", help="Ignore (with a warning) predictions for documents not in the gold."),
    allow_ungrounded: bool = typer.Option(False, "--allow-ungrounded", help="Score spans whose text is not found as false positives instead of failing."),
    seqeval: bool = typer.Option(False, "--seqeval", help="Also run seqeval itself on the token layers and add its report to the JSON."),
    split: Optional[str] = SplitOption,
    corpus_config: Optional[Path] = CorpusConfigOption,
    samples: int = SamplesOption,
    workers: Optional[int] = WorkersOption,
    seed: int = SeedOption,
    as_json: bool = JsonOption,
    json_out: Optional[Path] = typer.Option(None, "--json-out", help="Also write the JSON report here."),
    markdown: Optional[Path] = typer.Option(None, "--markdown", help="Also write a Markdown report here."),
    html_out: Optional[Path] = typer.Option(None, "--html", help="Also write a self-contained HTML report here."),
    schema_path: Optional[Path] = SchemaOption,
) -> None:
    """Score predictions against the gold: strict, exact, overlap, partial, token-level, relations.

    Example: newsgold eval score gold/ predictions.jsonl --split test --html report.html
    """
    with user_errors():
        schema = load_schema(schema_path)
        options = ScoreOptions(
            samples=samples, seed=seed, allow_extra=allow_extra, allow_ungrounded=allow_ungrounded, seqeval=seqeval, workers=workers
        )
        evaluation = score_files(gold, predictions, schema, fmt=fmt, ls_source=ls_source, options=options,
                                 **_split_args(split, corpus_config))
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
    split: Optional[str] = SplitOption,
    corpus_config: Optional[Path] = CorpusConfigOption,
    samples: int = SamplesOption,
    seed: int = SeedOption,
    as_json: bool = JsonOption,
    json_out: Optional[Path] = typer.Option(None, "--json-out", help="Also write the JSON report here."),
    markdown: Optional[Path] = typer.Option(None, "--markdown", help="Also write a Markdown report here."),
    html_out: Optional[Path] = typer.Option(None, "--html", help="Also write a self-contained HTML report here."),
    schema_path: Optional[Path] = SchemaOption,
) -> None:
    """Run a system over the gold documents, write its predictions, and score them.

    Examples: newsgold eval run baseline --split test --html build/baseline.html;
    newsgold eval run --cmd "python my_system.py"; newsgold eval run mypkg.extract:predict
    """
    with user_errors():
        schema = load_schema(schema_path)
        mapping = parse_label_map(label_map, schema) if label_map is not None else None
        chosen = resolve_system(system, cmd=cmd, url=url, spacy_model=spacy_model, label_map=mapping, schema=schema, timeout=timeout)
        chosen_split = _split_args(split, corpus_config)
        gold_docs = load_documents(gold, schema)
        if split is not None:
            gold_docs = [d for d in gold_docs if chosen_split["assign"](d.id) == split]
        with progress_bar(f"running {chosen.name}", stderr()) as progress:
            progress.start(len(gold_docs))
            predictions = list(run_system(chosen, gold_docs, progress=progress))
        write_documents(predictions, out)
        options = ScoreOptions(samples=samples, seed=seed, allow_ungrounded=True)  # a system's misses are its score
        evaluation = score_files(gold, out, schema, fmt="native", options=options, **chosen_split)
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


# ---------------------------------------------------------------------------------- annotate

LsSettingsOption = typer.Option(
    None, "--ls-config", help="Label Studio settings (default: the shipped configs/labelstudio.yaml).", dir_okay=False
)
UrlOption = typer.Option(None, "--url", help="A Label Studio to use instead of the local one (key from LABEL_STUDIO_API_KEY).")
GuidelinesOption = typer.Option(
    None, "--guidelines", help="Guidelines Markdown shown as the project instructions (default: docs/guidelines.md if present).",
    dir_okay=False,
)


@annotate_app.command("config")
def annotate_config(
    schema_path: Optional[Path] = SchemaOption,
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write the XML here instead of stdout.", dir_okay=False),
) -> None:
    """Print the Label Studio labeling config (XML) generated from the schema.

    Example: newsgold annotate config --out build/labeling-config.xml
    """
    with user_errors():
        xml = labeling_config(load_schema(schema_path))
        if out is not None:
            atomic_write_text(out, xml)
    if out is None:
        typer.echo(xml, nl=False)


@annotate_app.command("up")
def annotate_up(
    seeds: Path = typer.Option(Path("seeds"), "--seeds", help="Seed articles to import as tasks."),
    port: Optional[int] = typer.Option(None, "--port", help="Port to try first (default from the settings)."),
    ls_config: Optional[Path] = LsSettingsOption,
    schema_path: Optional[Path] = SchemaOption,
    guidelines: Optional[Path] = GuidelinesOption,
) -> None:
    """Start (or reuse) a local Label Studio, create the project and import the seed articles.

    The server binds 127.0.0.1, stores SQLite data in the git-ignored .newsgold/labelstudio/, and
    sends no telemetry. The admin password is printed once; the API token is written to a 0600 file.

    Example: newsgold annotate up
    """
    with user_errors():
        schema = load_schema(schema_path)
        settings = load_ls_settings(ls_config)
        server = start_server(settings, port=port)
        connection = connect(settings)
        documents = list(ingest_seeds(seeds))
        report = push_documents(connection, schema, settings, documents, guidelines=load_guidelines(guidelines))
    console = stdout()
    if server.moved_from is not None:
        console.print(f"[yellow]port {server.moved_from} is taken by another program; using {server.url}[/yellow]")
    console.print(f"Label Studio is running at {server.url} (pid {server.pid}); project id {report.project_id}")
    console.print(f"tasks: {report.imported} imported, {report.unchanged} already there")
    if server.created_admin:
        console.print(f"log in as {escape(settings.admin_email)} with password {escape(server.password or '')} "
                      f"(shown once; also in {escape(str(settings.data_dir / CREDENTIALS_FILE))}, mode 0600)")
    else:
        console.print(f"log in as {escape(settings.admin_email)}; the password is in {escape(str(settings.data_dir / CREDENTIALS_FILE))}")
    console.print("stop it with `newsgold annotate down`")


@annotate_app.command("down")
def annotate_down(ls_config: Optional[Path] = LsSettingsOption) -> None:
    """Stop the local Label Studio started by `annotate up` (by its own process id).

    Example: newsgold annotate down
    """
    with user_errors():
        settings = load_ls_settings(ls_config)
        stopped = stop_server(settings.data_dir)
    stdout().print("stopped the local Label Studio" if stopped else "no local Label Studio was running")


@annotate_app.command("push")
def annotate_push(
    documents_path: Path = typer.Argument(Path("build/documents.jsonl"), help="Documents to import as tasks (.jsonl or folder)."),
    predictions: Optional[Path] = typer.Option(None, "--predictions", help="Pre-annotations: a predictions file in any eval format."),
    system: Optional[str] = typer.Option(None, "--system", help="Pre-annotate with a system, as `eval run` takes it (e.g. baseline)."),
    model_version: Optional[str] = typer.Option(None, "--model-version", help="Label Studio model_version of the pre-annotations."),
    url: Optional[str] = UrlOption,
    ls_config: Optional[Path] = LsSettingsOption,
    schema_path: Optional[Path] = SchemaOption,
    guidelines: Optional[Path] = GuidelinesOption,
    as_json: bool = JsonOption,
) -> None:
    """Create or update the project and import documents as tasks, idempotently, with pre-annotations.

    Example: newsgold annotate push build/documents.jsonl --system baseline
    """
    with user_errors():
        if predictions is not None and system is not None:
            raise NewsgoldError("give --predictions or --system, not both")
        schema = load_schema(schema_path)
        settings = load_ls_settings(ls_config)
        documents = load_documents(documents_path, schema, gold=False)
        missing_text = [d.id for d in documents if d.text is None]
        if missing_text:
            raise NewsgoldError(f"documents without text cannot become tasks: {', '.join(missing_text[:5])}", path=documents_path)
        by_id = {d.id: d for d in documents}
        preds = None
        if system is not None:
            chosen = resolve_system(system, schema=schema)
            preds = list(run_system(chosen, documents))
            model_version = model_version or f"{chosen.name}-newsgold-{__version__}"
        elif predictions is not None:
            preds = load_predictions(predictions, schema, by_id)
            model_version = model_version or f"{predictions.stem}-{path_sha256(predictions)[:8]}"
        grounded = None
        if preds is not None:
            pairs, _, _, _ = align(documents, preds, schema, allow_ungrounded=True)
            grounded = {p.id: p for _, p in pairs}
        connection = connect(settings, url=url)
        report = push_documents(connection, schema, settings, documents, predictions=grounded, model_version=model_version,
                                guidelines=load_guidelines(guidelines))
    if as_json:
        print_json(report.to_dict())
        return
    stdout().print(
        f"project {report.project_id}{' (created)' if report.project_created else ''}: {report.imported} imported, "
        f"{report.unchanged} unchanged, {report.updated} updated; predictions {report.predictions_added} added, "
        f"{report.predictions_kept} already there" + (f" (model_version {escape(model_version)})" if model_version else "")
    )
    if report.spans_not_pushed:
        stdout().print(f"[yellow]{report.spans_not_pushed} predicted span(s) could not be grounded and were not pushed[/yellow]")


@annotate_app.command("add-annotator")
def annotate_add_annotator(
    email: str = typer.Argument(..., help="The annotator's e-mail address (their Label Studio login)."),
    url: Optional[str] = UrlOption,
    ls_config: Optional[Path] = LsSettingsOption,
    as_json: bool = JsonOption,
) -> None:
    """Create an annotator's own Label Studio account and API token (through the organization's invite link).

    The password and token are kept in .newsgold/labelstudio/annotators/<email>.json (mode 0600,
    git-ignored) and never printed; annotations made with that token are the annotator's own.
    Running it again for the same e-mail reuses the account.

    Example: newsgold annotate add-annotator ann1@newsgold.local
    """
    with user_errors():
        settings = load_ls_settings(ls_config)
        account = add_annotator(connect(settings, url=url), email, settings.data_dir)
    if as_json:
        print_json({"pseudonym": account.pseudonym, "email": account.email, "created": account.created,
                    "secrets_file": str(account.secrets_file)})
        return
    stdout().print(
        f"{escape(account.email)} is {account.pseudonym} ({'created' if account.created else 'already there'}); "
        f"password and API token in {escape(str(account.secrets_file))} (0600)"
    )


@annotate_app.command("submit")
def annotate_submit(
    paths: List[Path] = typer.Argument(..., help="Annotated documents (.json, .jsonl or folder), one per task."),
    annotator: Optional[str] = typer.Option(
        None, "--annotator", help="Submit as this annotator (e-mail added with add-annotator); default: the key in LABEL_STUDIO_API_KEY."
    ),
    ground_truth: bool = typer.Option(False, "--ground-truth", help="Mark the annotations as ground truth (a reviewer's or adjudicator's version)."),
    url: Optional[str] = UrlOption,
    ls_config: Optional[Path] = LsSettingsOption,
    schema_path: Optional[Path] = SchemaOption,
    as_json: bool = JsonOption,
) -> None:
    """Submit documents annotated outside the browser as one annotator's annotations of their tasks.

    Each document must be valid gold for a task of the project (same id and text); every problem
    is listed before anything is sent. Submitting the same content again changes nothing.

    Example: LABEL_STUDIO_API_KEY=<your token> newsgold annotate submit my-annotations/
    """
    with user_errors():
        schema = load_schema(schema_path)
        settings = load_ls_settings(ls_config)
        documents = [d for path in paths for d in load_documents(path, schema, gold=False)]
        api_key = read_account_token(settings.data_dir, annotator) if annotator else None
        connection = connect(settings, url=url, api_key=api_key)
        report = submit_documents(connection, schema, settings, documents, ground_truth=ground_truth)
    if as_json:
        print_json(report.to_dict())
        return
    stdout().print(
        f"{report.annotator}: {len(report.created)} annotation(s) submitted"
        + (" as ground truth" if ground_truth else "")
        + f", {len(report.unchanged)} unchanged"
    )


@annotate_app.command("pull")
def annotate_pull(
    out: Path = typer.Option(Path("build/annotations"), "--out", "-o", help="Folder for one <annotator>.jsonl file each (raw)."),
    gold: Path = typer.Option(Path("gold"), "--gold", help="Gold folder to write adjudicated documents into."),
    force: bool = typer.Option(False, "--force", help="Overwrite gold documents that differ from what is pulled."),
    drop_invalid: bool = typer.Option(
        False, "--drop-invalid", help="Decide a task from its valid annotations when one of them is invalid (default: leave it unresolved)."
    ),
    from_export: Optional[Path] = typer.Option(None, "--from-export", help="Convert a Label Studio JSON export file instead of exporting."),
    url: Optional[str] = UrlOption,
    ls_config: Optional[Path] = LsSettingsOption,
    schema_path: Optional[Path] = SchemaOption,
    as_json: bool = JsonOption,
) -> None:
    """Export annotations (snapshot), write them per annotator, adjudicate and write the gold.

    Exit 1 when any annotation has a problem, a document is unresolved, or gold would change
    without --force.

    Example: newsgold annotate pull --gold gold/
    """
    with user_errors():
        schema = load_schema(schema_path)
        settings = load_ls_settings(ls_config)
        if from_export is not None:
            try:
                tasks = json.loads(from_export.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise SyncError(f"cannot read the export: {exc}", path=from_export) from exc
            source = str(from_export)
        else:
            connection = connect(settings, url=url)
            project = project_by_title(connection, settings.project_title)
            tasks = export_snapshot(connection, int(project.id))
            source = f"{connection.url} project {project.id}"
        conversion = convert_export(tasks, schema, source=source)
        if conversion.tasks == 0 and conversion.problems:
            raise DocumentError(conversion.problems)
        record_pseudonyms(conversion, settings.data_dir)
        counts = write_by_annotator(conversion.annotations, out)
        decided = adjudicate(conversion.annotations, schema, invalid=conversion.invalid, drop_invalid=drop_invalid)
        written = write_gold(decided.gold, gold, force=force)
    result = {
        "tasks": conversion.tasks,
        "annotations": len(conversion.annotations),
        "cancelled_dropped": conversion.cancelled,
        "by_annotator": counts,
        "problems": [p.to_dict() for p in conversion.problems],
        "gold_written": written.written,
        "gold_unchanged": written.unchanged,
        "gold_refused": written.refused,
        "rules": decided.rule,
        "disagreements": decided.disagreements,
        "unresolved": decided.unresolved,
    }
    failed = bool(conversion.problems or written.refused or decided.unresolved)
    if as_json:
        print_json(result)
    else:
        console = stdout()
        console.print(
            f"{conversion.tasks} task(s), {len(conversion.annotations)} annotation(s) ({conversion.cancelled} cancelled, dropped) "
            f"-> {escape(str(out))}: " + ", ".join(f"{escape(k)} {v}" for k, v in counts.items())
        )
        for problem in conversion.problems:
            console.print(f"[red]error:[/red] {escape(str(problem))}")
        for doc_id, rule in decided.rule.items():
            console.print(f"{escape(doc_id)}: {escape(rule)}")
        for doc_id, notes in decided.disagreements.items():
            console.print(f"[yellow]{escape(doc_id)}: {len(notes)} disagreement(s)[/yellow]: " + escape("; ".join(notes[:5])))
        for doc_id, notes in decided.unresolved.items():
            console.print(f"[red]{escape(doc_id)}: unresolved, not written[/red]: " + escape("; ".join(notes[:3])))
        console.print(f"gold: {len(written.written)} written, {len(written.unchanged)} unchanged in {escape(str(gold))}")
        for doc_id, summary in written.refused.items():
            console.print(f"[red]{escape(doc_id)}: gold differs ({escape(summary)}); not overwritten, re-run with --force[/red]")
    if failed:
        raise typer.Exit(1)


@annotate_app.command("agreement")
def annotate_agreement(
    annotations: Path = typer.Argument(Path("build/annotations"), help="Folder of <annotator>.jsonl files written by `annotate pull`."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Also write the figures as JSON (what `corpus build` reads for the card).", dir_okay=False),
    into: Optional[Path] = typer.Option(
        None, "--into", help="Refresh the generated tables of a Markdown page (between its agreement markers).", dir_okay=False
    ),
    schema_path: Optional[Path] = SchemaOption,
    as_json: bool = JsonOption,
) -> None:
    """Inter-annotator agreement: span F1, token kappa/alpha, attribute and relation agreement.

    Only independent annotations count: ground-truth (reviewed or adjudicated) ones are left out.

    Example: newsgold annotate agreement annotations/by-annotator --out annotations/agreement.json --into docs/agreement.md
    """
    with user_errors():
        schema = load_schema(schema_path)
        result = agreement(load_annotator_files(annotations, schema), schema)
        if out is not None:
            atomic_write_text(out, json.dumps(result, indent=2, ensure_ascii=False) + "\n")
            stderr().print(f"wrote {escape(str(out))}")
        if into is not None:
            try:
                page = into.read_text(encoding="utf-8")
            except OSError as exc:
                raise NewsgoldError(f"cannot read: {exc.strerror}", path=into) from exc
            atomic_write_text(into, embed_reference(page, agreement_markdown(result, schema), path=str(into), block=AGREEMENT_BLOCK))
            stderr().print(f"updated the agreement tables in {escape(str(into))}")
    if as_json:
        print_json(result)
        return
    console = stdout()
    console.print(f"{result['documents_compared']} document(s) annotated by two or more of: {escape(', '.join(result['annotators']))}")
    table = Table(title="agreement per label")
    for column in ("label", "spans", "span F1 strict", "span F1 overlap", "token alpha", "token kappa (pairs)"):
        table.add_column(column, justify="left" if column == "label" else "right")
    fmt = lambda v: "—" if v is None else f"{v:.3f}"  # noqa: E731
    for label in schema.label_names:
        kappas = "; ".join(f"{escape(k)}: {fmt(v)}" for k, v in result["token_kappa"][label].items())
        strict = result["span_f1"]["strict"][label]
        table.add_row(label, str(strict["spans_a"] + strict["spans_b"]), fmt(strict["f1"]),
                      fmt(result["span_f1"]["overlap"][label]["f1"]), fmt(result["token_alpha"][label]), kappas)
    console.print(table)
    for name, entry in result["attributes"].items():
        console.print(f"attribute {escape(name)}: {fmt(entry['agreement'])} ({entry['agree']}/{entry['compared']})")
    for name, entry in result["relations_f1"].items():
        console.print(f"relation {escape(name)}: F1 {fmt(entry['f1'])} ({entry['relations_a'] + entry['relations_b']} relations)")


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
