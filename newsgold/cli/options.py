"""Options shared by several commands: one name per concept."""

from __future__ import annotations

import typer

SchemaOption = typer.Option(
    None, "--schema", "-s", help="Schema file (default: the shipped configs/schema.yaml).", dir_okay=False
)
JsonOption = typer.Option(False, "--json", help="Print machine-readable JSON instead of a table.")
SplitOption = typer.Option(
    None, "--split", help="Score only the gold documents of this split (train, validation, test: the rule in configs/corpus.yaml)."
)
CorpusConfigOption = typer.Option(None, "--corpus-config", help="Corpus settings with the split rule (default: the shipped configs/corpus.yaml).", dir_okay=False)
WorkersOption = typer.Option(
    None, "--workers", "-j", min=1, help="Processes for per-document work (default: one per core for large inputs)."
)
