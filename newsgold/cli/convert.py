"""`newsgold convert`: annotations from one format to another, saying what did not fit."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

from newsgold.cli.options import CorpusConfigOption, JsonOption, SchemaOption
from newsgold.console import print_json, progress_bar, stderr, stdout, user_errors
from newsgold.io.config import load_schema
from newsgold.io.conversion import DOCUMENT_FORMATS
from newsgold.model.errors import NewsgoldError

FORMATS_HELP = "; ".join(f"{f.name}: {f.description}" for f in DOCUMENT_FORMATS.values() if f.read is not None)
TARGETS_HELP = ", ".join(f.name for f in DOCUMENT_FORMATS.values() if f.write is not None)


def convert_cmd(
    source: Path = typer.Argument(..., help="What to convert: a file or folder in the --from format."),
    target: Path = typer.Argument(..., help="Where to write it, in the --to format."),
    source_format: str = typer.Option(..., "--from", help=f"Format of SOURCE ({FORMATS_HELP})."),
    target_format: str = typer.Option("native", "--to", help=f"Format of TARGET: {TARGETS_HELP} (default: native)."),
    discontinuous: Optional[str] = typer.Option(
        None, "--discontinuous",
        help="Spans in several fragments (brat, PolNeAR): refuse, split into one span each, or join over the gap "
        "(default: refuse for brat, the mapping's choice for PolNeAR).",
    ),
    split: Optional[str] = typer.Option(None, "--split", help="Convert only the documents of this split (the rule in configs/corpus.yaml)."),
    corpus_config: Optional[Path] = CorpusConfigOption,
    schema_path: Optional[Path] = SchemaOption,
    as_json: bool = JsonOption,
) -> None:
    """Convert annotations between formats; what the target cannot hold is listed, never dropped in silence.

    Examples: newsgold convert corpus-brat/ build/imported.jsonl --from brat --to native;
    newsgold convert gold/ build/train.spacy --from native --to spacy --split train
    """
    from newsgold.corpus.settings import load_settings
    from newsgold.io.conversion import convert
    with user_errors(), progress_bar("converting", stderr()) as progress:
        keep = None
        if split is not None:
            rule = load_settings(corpus_config).splits
            if split not in rule.names:
                raise NewsgoldError(f"unknown split {split!r} (splits: {', '.join(rule.names)})", field="--split")
            keep = lambda doc_id: rule.assign(doc_id) == split  # noqa: E731
        report = convert(source, target, load_schema(schema_path), source_format=source_format, target_format=target_format,
                         discontinuous=discontinuous, progress=progress, keep=keep)
    if as_json:
        print_json(report.to_dict())
        return
    console = stdout()
    who = f" of {len(report.annotators)} annotator(s)" if report.annotators else ""
    console.print(f"{report.documents} document(s){who}, {report.spans} span(s), {report.relations} relation(s) -> {escape(str(target))}")
    for line in report.not_carried:
        console.print(f"[yellow]not carried:[/yellow] {escape(line)}")
