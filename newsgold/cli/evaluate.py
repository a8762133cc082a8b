"""`newsgold eval`: score extraction systems against the gold, run systems, compare two."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, List, Optional

import typer
from rich.markup import escape

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
from newsgold.cli.options import CorpusConfigOption, JsonOption, SchemaOption, SplitOption, WorkersOption
from newsgold.console import print_json, progress_bar, stderr, stdout, user_errors
from newsgold.evaluate.bootstrap import DEFAULT_SAMPLES, DEFAULT_SEED
from newsgold.evaluate.modes import SPAN_MODE_REGISTRY
from newsgold.evaluate.reports import REPORT_WRITERS
from newsgold.io.config import load_schema
from newsgold.io.predictions import AUTO, FORMATS
from newsgold.model.errors import NewsgoldError
from newsgold.model.schema import Schema
from newsgold.systems.adapters import SYSTEMS

if TYPE_CHECKING:
    from newsgold.evaluate.run import Evaluation

eval_app = NewsgoldTyper(no_args_is_help=True, help="Score extraction systems against the gold.\n\n"
                         "Example: newsgold eval run baseline --split test --html build/report.html")

# -------------------------------------------------------------------------------------- eval

FormatOption = typer.Option(
    AUTO, "--format", "-f",
    help="Predictions format: " + "; ".join([f"{AUTO} (by suffix and content)"] + [f"{f.name}: {f.description}" for f in FORMATS.values()]) + ".",
)
SamplesOption = typer.Option(DEFAULT_SAMPLES, "--samples", help="Bootstrap samples over documents (0 to skip CIs).", min=0)
SeedOption = typer.Option(DEFAULT_SEED, "--seed", help="Random seed of the bootstrap.")


JsonOutOption = typer.Option(None, "--json-out", help="Also write the JSON report here (shorthand for --report json=PATH).")
MarkdownOption = typer.Option(None, "--markdown", help="Also write a Markdown report here (--report markdown=PATH).")
HtmlOption = typer.Option(None, "--html", help="Also write a self-contained HTML report here (--report html=PATH).")
ReportOption = typer.Option(
    None, "--report", metavar="NAME=PATH",
    help="Also write a report, NAME=PATH (repeatable): " + "; ".join(f"{w.name}: {w.description}" for w in REPORT_WRITERS.values()) + ".",
)


def _write_reports(evaluation: Evaluation, schema: Schema, report: dict, json_out: Optional[Path], markdown: Optional[Path],  # type: ignore[type-arg]
                   html_out: Optional[Path], extra: Optional[List[str]]) -> list[Path]:
    """Write the reports asked for (shorthand options and --report NAME=PATH); the paths written."""
    from newsgold.evaluate.reports import parse_report_targets, write_reports
    targets = {name: path for name, path in (("json", json_out), ("markdown", markdown), ("html", html_out)) if path is not None}
    targets.update(parse_report_targets(list(extra or [])))
    write_reports(report, evaluation, schema, targets)
    return list(targets.values())


def _show_report(report: dict, as_json: bool, written: list[Optional[Path]]) -> None:  # type: ignore[type-arg]
    from newsgold.evaluate.report_text import score_table, summary_lines
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
    from newsgold.corpus.settings import load_settings
    if split is None:
        return {}
    rule = load_settings(corpus_config).splits
    if split not in rule.names:
        raise NewsgoldError(f"unknown split {split!r} (splits: {', '.join(rule.names)})", field="--split")
    return {"split": split, "assign": rule.assign}


SCORE_HELP = (
    "Score predictions against the gold: every span mode, token-level, relations, who is quoted.\n\n"
    "Span modes: " + "; ".join(f"{m.name} ({m.description})" for m in SPAN_MODE_REGISTRY.values()) + ".\n\n"
    "Example: newsgold eval score gold/ predictions.jsonl --split test --html report.html"
)


@eval_app.command("score", help=SCORE_HELP)
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
    json_out: Optional[Path] = JsonOutOption,
    markdown: Optional[Path] = MarkdownOption,
    html_out: Optional[Path] = HtmlOption,
    reports: Optional[List[str]] = ReportOption,
    schema_path: Optional[Path] = SchemaOption,
) -> None:
    """Score predictions against the gold (help text: SCORE_HELP, which lists the registered modes)."""
    from newsgold.evaluate.run import score_files
    from newsgold.evaluate.scorer import ScoreOptions
    with user_errors():
        schema = load_schema(schema_path)
        options = ScoreOptions(
            samples=samples, seed=seed, allow_extra=allow_extra, allow_ungrounded=allow_ungrounded, seqeval=seqeval, workers=workers
        )
        evaluation = score_files(gold, predictions, schema, fmt=fmt, ls_source=ls_source, options=options,
                                 **_split_args(split, corpus_config))
        report = evaluation.result.to_dict()
        written = _write_reports(evaluation, schema, report, json_out, markdown, html_out, reports)
    _show_report(report, as_json, written)


@eval_app.command("run")
def eval_run(
    system: Optional[str] = typer.Argument(
        None, help="A named system (" + "; ".join(f"{s.name}: {s.description}" for s in SYSTEMS.values())
        + ") or a Python callable 'package.module:function' (text -> spans).",
    ),
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
    json_out: Optional[Path] = JsonOutOption,
    markdown: Optional[Path] = MarkdownOption,
    html_out: Optional[Path] = HtmlOption,
    reports: Optional[List[str]] = ReportOption,
    schema_path: Optional[Path] = SchemaOption,
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
    """Run a system over the gold documents, write its predictions, and score them.

    Examples: newsgold eval run baseline --split test --html build/baseline.html;
    newsgold eval run --cmd "python my_system.py"; newsgold eval run mypkg.extract:predict;
    newsgold eval run --llm qwen2.5-7b-instruct --base-url http://127.0.0.1:8000/v1 --split validation
    """
    from newsgold.evaluate.run import run_and_score
    from newsgold.evaluate.scorer import ScoreOptions
    from newsgold.systems.adapters import parse_label_map, resolve_system
    with user_errors():
        schema = load_schema(schema_path)
        mapping = parse_label_map(label_map, schema) if label_map is not None else None
        if llm is not None and any(v is not None for v in (system, cmd, url, spacy_model)):
            raise NewsgoldError("give exactly one of SYSTEM, --cmd, --url, --spacy, --llm")
        if llm is not None and few_shot and split in (None, "train"):
            raise NewsgoldError("few-shot examples come from the train split, so scoring it (or all the gold) would score "
                                "the examples too: add --split validation or --split test", field="--few-shot")
        chosen = build_llm(llm, schema, base_url=base_url, api_key_env=api_key_env, concurrency=concurrency, few_shot=few_shot,
                           max_tokens=max_tokens, cache=llm_cache, no_cache=no_llm_cache, structured=structured,
                           guidelines=llm_guidelines, retries=retries, repairs=repairs, timeout=llm_timeout, gold=gold,
                           corpus_config=corpus_config, max_output_tokens=max_output_tokens) \
            or resolve_system(system, cmd=cmd, url=url, spacy_model=spacy_model, label_map=mapping, schema=schema, timeout=timeout)
        options = ScoreOptions(samples=samples, seed=seed, allow_ungrounded=True)  # a system's misses are its score
        with closed_after(chosen), progress_bar(f"running {chosen.name}", stderr()) as progress:
            evaluation = run_and_score(chosen, gold, schema, out=out, options=options, progress=progress,
                                       **_split_args(split, corpus_config))
        predictions = evaluation.predictions
        report = evaluation.result.to_dict()
        written = _write_reports(evaluation, schema, report, json_out, markdown, html_out, reports)
    stderr().print(f"wrote {len(predictions)} prediction(s) of {escape(chosen.name)} to {escape(str(out))}")
    if hasattr(chosen, "status"):
        stderr().print(f"{escape(chosen.name)}: {escape(chosen.status())}")
    _show_report(report, as_json, written)


@eval_app.command("compare")
def eval_compare(
    gold: Path = typer.Argument(..., help="Gold documents."),
    predictions_a: Path = typer.Argument(..., help="Predictions of system A."),
    predictions_b: Path = typer.Argument(..., help="Predictions of system B."),
    fmt: str = FormatOption,
    samples: int = typer.Option(DEFAULT_SAMPLES, "--samples", help="Bootstrap/randomization samples.", min=1),
    seed: int = SeedOption,
    allow_ungrounded: bool = typer.Option(
        False, "--allow-ungrounded", help="Score spans whose text is not found as false positives instead of failing."),
    split: Optional[str] = SplitOption,
    corpus_config: Optional[Path] = CorpusConfigOption,
    as_json: bool = JsonOption,
    html_out: Optional[Path] = typer.Option(None, "--html", help="Also write the comparison as a self-contained HTML page here."),
    schema_path: Optional[Path] = SchemaOption,
) -> None:
    """Compare two systems on the same gold: F1 difference, its paired-bootstrap CI and p-values.

    Systems are named by their files. With fewer than 10 documents the tests say little, and the
    output warns.

    Example: newsgold eval compare gold/ build/baseline.jsonl build/keyword.jsonl --split test
    """
    from newsgold.evaluate.report_html import compare_html
    from newsgold.evaluate.report_text import compare_table
    from newsgold.evaluate.run import score_files
    from newsgold.evaluate.scorer import ScoreOptions, compare
    from newsgold.io.documents import atomic_write_text
    with user_errors():
        schema = load_schema(schema_path)
        options = ScoreOptions(samples=samples, seed=seed, allow_ungrounded=allow_ungrounded)
        where = _split_args(split, corpus_config)
        a = score_files(gold, predictions_a, schema, fmt=fmt, options=options, **where)
        b = score_files(gold, predictions_b, schema, fmt=fmt, options=options, **where)
        result = compare(a.result, b.result)
        result["names"] = {"a": str(predictions_a), "b": str(predictions_b)}
        if html_out is not None:
            atomic_write_text(html_out, compare_html(result))
    if as_json:
        print_json(result)
        return
    console = stdout()
    for warning in result["warnings"]:
        stderr().print(f"[yellow]warning:[/yellow] {escape(warning)}")
    console.print(compare_table(result))
    micro = result["tests"]["strict"]["micro"]
    console.print(
        f"strict micro F1: A {micro['f1_a']:.3f} vs B {micro['f1_b']:.3f}, difference {micro['difference']:+.3f}, "
        f"p = {micro['p_value_randomization']:.4f} (approximate randomization), {micro['p_value_bootstrap']:.4f} (paired bootstrap)"
    )
    if html_out is not None:
        stderr().print(f"wrote {escape(str(html_out))}")
