"""`newsgold annotate`: the Label Studio round trip (config, server, accounts, push, submit, pull, agreement)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, List, Optional

import typer
from rich.markup import escape
from rich.table import Table

from newsgold.cli.conventions import NewsgoldTyper
from newsgold.cli.llm import (
    ApiKeyEnvOption,
    BaseUrlOption,
    ConcurrencyOption,
    FewShotOption,
    LlmCacheOption,
    LlmGuidelinesOption,
    LlmOption,
    LlmTimeoutOption,
    MaxOutputTokensOption,
    MaxTokensOption,
    NoLlmCacheOption,
    RepairsOption,
    RetriesOption,
    StructuredOption,
    build_llm,
    closed_after,
)
from newsgold.cli.options import JsonOption, SchemaOption
from newsgold.console import print_json, stderr, stdout, user_errors
from newsgold.io.config import load_schema
from newsgold.model.errors import NewsgoldError

annotate_app = NewsgoldTyper(no_args_is_help=True, help="Annotate in Label Studio: config, local server, annotator accounts, push, submit, pull, agreement.\n\n"
                             "Example: newsgold annotate up && newsgold annotate push build/documents.jsonl --system baseline")

# ---------------------------------------------------------------------------------- annotate

LsSettingsOption = typer.Option(
    None, "--ls-config", help="Label Studio settings (default: the shipped configs/labelstudio.yaml).", dir_okay=False
)
DataDirOption = typer.Option(None, "--data-dir", help="The local server's data folder (default from the settings: .newsgold/labelstudio).")
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
    from newsgold.annotation.config import labeling_config
    from newsgold.io.documents import atomic_write_text
    with user_errors():
        xml = labeling_config(load_schema(schema_path))
        if out is not None:
            atomic_write_text(out, xml)
    if out is None:
        typer.echo(xml, nl=False)


@annotate_app.command("up")
def annotate_up(
    seeds: Path = typer.Option(Path("seeds"), "--seeds", help="Seed articles to import as tasks."),
    port: Optional[int] = typer.Option(
        None, "--port", help="Port to try first (default from the settings, 8080); if another program holds it, the next free one is used and printed."),
    host: Optional[str] = typer.Option(None, "--host", help="Address to bind (default from the settings: 127.0.0.1, this machine only)."),
    data_dir: Optional[Path] = DataDirOption,
    ls_config: Optional[Path] = LsSettingsOption,
    schema_path: Optional[Path] = SchemaOption,
    guidelines: Optional[Path] = GuidelinesOption,
) -> None:
    """Start (or reuse) a local Label Studio, create the project and import the seed articles.

    The server binds 127.0.0.1, stores SQLite data in the git-ignored .newsgold/labelstudio/, and
    sends no telemetry. The admin password is printed once; the API token is written to a 0600 file.
    The first start runs Label Studio's database migrations (28 s measured on 2 cores; up to 2
    minutes reported on slower machines).

    Example: newsgold annotate up
    """
    from newsgold.annotation.client import connect
    from newsgold.annotation.config import load_guidelines
    from newsgold.annotation.push import push_documents
    from newsgold.annotation.server import CREDENTIALS_FILE, start_server
    from newsgold.annotation.settings import load_ls_settings
    from newsgold.corpus.ingest import ingest_seeds
    with user_errors():
        schema = load_schema(schema_path)
        settings = _local(load_ls_settings(ls_config), host=host, data_dir=data_dir)
        with stderr().status(f"starting Label Studio in {escape(str(settings.data_dir))} (a first start migrates its database: 30 s to 2 minutes)"):
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


def _local(settings: Any, *, host: Optional[str] = None, data_dir: Optional[Path] = None) -> Any:
    """The settings with the local server's address and data folder given on the command line."""
    from dataclasses import replace

    changes = {k: v for k, v in (("host", host), ("data_dir", data_dir)) if v is not None}
    return replace(settings, **changes) if changes else settings


@annotate_app.command("down")
def annotate_down(ls_config: Optional[Path] = LsSettingsOption, data_dir: Optional[Path] = DataDirOption) -> None:
    """Stop the local Label Studio started by `annotate up` (by its own process id).

    Example: newsgold annotate down
    """
    from newsgold.annotation.server import stop_server
    from newsgold.annotation.settings import load_ls_settings
    with user_errors():
        settings = _local(load_ls_settings(ls_config), data_dir=data_dir)
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
    data_dir: Optional[Path] = DataDirOption,
    schema_path: Optional[Path] = SchemaOption,
    guidelines: Optional[Path] = GuidelinesOption,
    as_json: bool = JsonOption,
    llm: Optional[str] = LlmOption,
    base_url: Optional[str] = BaseUrlOption,
    api_key_env: str = ApiKeyEnvOption,
    concurrency: int = ConcurrencyOption,
    few_shot: int = FewShotOption,
    max_tokens: Optional[int] = MaxTokensOption,
    llm_cache: Path = LlmCacheOption,
    no_llm_cache: bool = NoLlmCacheOption,
    structured: str = StructuredOption,
    llm_guidelines: Optional[str] = LlmGuidelinesOption,
    retries: int = RetriesOption,
    repairs: int = RepairsOption,
    llm_timeout: float = LlmTimeoutOption,
    max_output_tokens: int = MaxOutputTokensOption,
) -> None:
    """Create or update the project and import documents as tasks, idempotently, with pre-annotations.

    Examples: newsgold annotate push build/documents.jsonl --system baseline;
    newsgold annotate push build/documents.jsonl --llm qwen2.5-7b-instruct --base-url http://127.0.0.1:8000/v1
    """
    from newsgold.annotation.client import connect
    from newsgold.annotation.config import load_guidelines
    from newsgold.annotation.preannotate import pre_annotations
    from newsgold.annotation.push import push_documents
    from newsgold.annotation.settings import load_ls_settings
    from newsgold.io.documents import load_documents
    with user_errors():
        schema = load_schema(schema_path)
        settings = _local(load_ls_settings(ls_config), data_dir=data_dir)
        documents = load_documents(documents_path, schema, gold=False)
        missing_text = [d.id for d in documents if d.text is None]
        if missing_text:
            raise NewsgoldError(f"documents without text cannot become tasks: {', '.join(missing_text[:5])}", path=documents_path)
        if llm is not None and system is not None:
            raise NewsgoldError("give --system or --llm, not both")
        chosen = build_llm(llm, schema, base_url=base_url, api_key_env=api_key_env, concurrency=concurrency, few_shot=few_shot,
                           max_tokens=max_tokens, cache=llm_cache, no_cache=no_llm_cache, structured=structured,
                           guidelines=llm_guidelines, retries=retries, repairs=repairs, timeout=llm_timeout,
                           max_output_tokens=max_output_tokens) or system
        with closed_after(chosen):
            pre = pre_annotations(documents, schema, system=chosen, predictions=predictions, model_version=model_version)
        model_version = pre.model_version if pre is not None else model_version
        connection = connect(settings, url=url)
        report = push_documents(connection, schema, settings, documents, predictions=pre.predictions if pre else None,
                                model_version=model_version, guidelines=load_guidelines(guidelines))
    failures = pre.failures if pre is not None else {}
    if as_json:
        print_json({**report.to_dict(), "system_failures": [{"doc_id": k, "error": v} for k, v in failures.items()]})
        return
    stdout().print(
        f"project {report.project_id}{' (created)' if report.project_created else ''}: {report.imported} imported, "
        f"{report.unchanged} unchanged, {report.updated} updated; predictions {report.predictions_added} added, "
        f"{report.predictions_kept} already there" + (f" (model_version {escape(model_version)})" if model_version else "")
    )
    if report.spans_not_pushed:
        stdout().print(f"[yellow]{report.spans_not_pushed} predicted span(s) could not be grounded and were not pushed[/yellow]")
    if failures:
        shown = "; ".join(f"{k}: {v}" for k, v in list(failures.items())[:5]) + (f"; and {len(failures) - 5} more" if len(failures) > 5 else "")
        stdout().print(f"[yellow]the system failed on {len(failures)} document(s), which got no pre-annotation: {escape(shown)}[/yellow]")


@annotate_app.command("add-annotator")
def annotate_add_annotator(
    email: str = typer.Argument(..., help="The annotator's e-mail address (their Label Studio login)."),
    url: Optional[str] = UrlOption,
    ls_config: Optional[Path] = LsSettingsOption,
    data_dir: Optional[Path] = DataDirOption,
    as_json: bool = JsonOption,
) -> None:
    """Create an annotator's own Label Studio account and API token (through the organization's invite link).

    The password and token are kept in .newsgold/labelstudio/annotators/<email>.json (mode 0600,
    git-ignored) and never printed; annotations made with that token are the annotator's own.
    Running it again for the same e-mail reuses the account.

    Example: newsgold annotate add-annotator ann1@newsgold.local
    """
    from newsgold.annotation.accounts import add_annotator
    from newsgold.annotation.client import connect
    from newsgold.annotation.settings import load_ls_settings
    with user_errors():
        settings = _local(load_ls_settings(ls_config), data_dir=data_dir)
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
    data_dir: Optional[Path] = DataDirOption,
    schema_path: Optional[Path] = SchemaOption,
    as_json: bool = JsonOption,
) -> None:
    """Submit documents annotated outside the browser as one annotator's annotations of their tasks.

    Each document must be valid gold for a task of the project (same id and text); every problem
    is listed before anything is sent. Submitting the same content again changes nothing.

    Example: LABEL_STUDIO_API_KEY=<your token> newsgold annotate submit my-annotations/
    """
    from newsgold.annotation.accounts import read_account_token
    from newsgold.annotation.client import connect
    from newsgold.annotation.settings import load_ls_settings
    from newsgold.annotation.submit import submit_documents
    from newsgold.io.documents import load_documents
    with user_errors():
        schema = load_schema(schema_path)
        settings = _local(load_ls_settings(ls_config), data_dir=data_dir)
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


SHOWN = 5  # disagreements printed per document
GOLD_WOULD_CHANGE = 3  # `annotate pull` exit code: a gold file differs and was kept


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
    data_dir: Optional[Path] = DataDirOption,
    schema_path: Optional[Path] = SchemaOption,
    as_json: bool = JsonOption,
) -> None:
    """Export annotations (snapshot), write them per annotator, adjudicate and write the gold.

    Exit codes: 0 done (also when nothing is annotated yet); 1 an annotation has a problem or a
    document is unresolved; 3 a gold file would change and was kept (re-run with --force).

    Example: newsgold annotate pull --gold gold/
    """
    from newsgold.annotation.pull_gold import pull_gold
    from newsgold.annotation.settings import load_ls_settings
    with user_errors():
        outcome = pull_gold(_local(load_ls_settings(ls_config), data_dir=data_dir), load_schema(schema_path), out=out, gold=gold, force=force,
                            drop_invalid=drop_invalid, from_export=from_export, url=url)
    result, failed = outcome.to_dict(), outcome.failed
    conversion, counts, decided, written = outcome.conversion, outcome.by_annotator, outcome.decided, outcome.written
    if as_json:
        print_json(result)
    else:
        console = stdout()
        if not conversion.annotations and not conversion.problems:
            console.print(
                f"nothing is annotated yet ({conversion.cancelled} cancelled annotation(s) dropped): nothing written. "
                "Annotate the tasks in Label Studio (Submit in the browser, or `newsgold annotate submit`), then pull again."
            )
            return
        console.print(
            f"{conversion.tasks} annotated task(s), {len(conversion.annotations)} annotation(s) ({conversion.cancelled} cancelled, dropped) "
            f"-> {escape(str(out))}: " + ", ".join(f"{escape(k)} {v}" for k, v in counts.items())
        )
        for problem in conversion.problems:
            console.print(f"[red]error:[/red] {escape(str(problem))}")
        for doc_id, rule in decided.rule.items():
            console.print(f"{escape(doc_id)}: {escape(rule)}")
        for doc_id, notes in decided.disagreements.items():
            more = f"; and {len(notes) - SHOWN} more (`--json` lists them all)" if len(notes) > SHOWN else ""
            console.print(f"[yellow]{escape(doc_id)}: {len(notes)} disagreement(s)[/yellow]: " + escape("; ".join(notes[:SHOWN]) + more))
        for doc_id, notes in decided.unresolved.items():
            console.print(f"[red]{escape(doc_id)}: unresolved, not written[/red]: " + escape("; ".join(notes[:3])))
        console.print(f"gold: {len(written.written)} written, {len(written.unchanged)} unchanged in {escape(str(gold))}")
        for doc_id, summary in written.refused.items():
            console.print(f"[red]{escape(doc_id)}: gold differs ({escape(summary)}); not overwritten, re-run with --force[/red]")
    if conversion.problems or decided.unresolved:
        raise typer.Exit(1)
    if failed:  # only gold that would change
        raise typer.Exit(GOLD_WOULD_CHANGE)


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
    from newsgold.annotation.agreement import agreement, load_annotator_files
    from newsgold.io.agreement_tables import AGREEMENT_BLOCK, agreement_markdown
    from newsgold.io.documents import atomic_write_text
    from newsgold.io.schema_reference import embed_reference
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
    from rich import box

    fmt = lambda v: "—" if v is None else f"{v:.3f}"  # noqa: E731
    table = Table(title="agreement per label", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for column in ("label", "spans", "F1 strict", "F1 overlap", "token α", "token κ (pairs)"):
        table.add_column(column, justify="left" if column == "label" else "right", no_wrap=True)
    for label in schema.label_names:
        values = [v for v in result["token_kappa"][label].values() if v is not None]
        kappa = "—" if not values else (fmt(values[0]) if len(values) == 1 else f"{min(values):.3f}–{max(values):.3f}")
        strict = result["span_f1"]["strict"][label]
        table.add_row(label, str(strict["spans_a"] + strict["spans_b"]), fmt(strict["f1"]),
                      fmt(result["span_f1"]["overlap"][label]["f1"]), fmt(result["token_alpha"][label]), kappa)
    console.print(table)
    pairs = list(next(iter(result["token_kappa"].values()), {}))
    if len(pairs) > 1:  # the pairs behind the κ range, one row each
        by_pair = Table(title="token κ per pair of annotators", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        by_pair.add_column("pair", no_wrap=True)
        for label in schema.label_names:
            by_pair.add_column(label, justify="right", no_wrap=True)
        for pair in pairs:
            by_pair.add_row(escape(pair), *(fmt(result["token_kappa"][label].get(pair)) for label in schema.label_names))
        console.print(by_pair)
    for name, entry in result["attributes"].items():
        console.print(f"attribute {escape(name)}: {fmt(entry['agreement'])} ({entry['agree']}/{entry['compared']})")
    for name, entry in result["relations_f1"].items():
        console.print(f"relation {escape(name)}: F1 {fmt(entry['f1'])} ({entry['relations_a'] + entry['relations_b']} relations)")
