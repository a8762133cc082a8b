"""The `newsgold` command line: a thin Typer layer over the library functions.

Exit codes: 0 success, 1 bad input (the message names file, line/document and field), 2 usage,
3 `annotate pull`: a gold file would change and was kept (re-run with --force).
"""

from __future__ import annotations

import typer

from newsgold import __version__
from newsgold.cli.annotate import annotate_app
from newsgold.cli.conventions import NewsgoldTyper
from newsgold.cli.convert import convert_cmd
from newsgold.cli.corpus import corpus_app
from newsgold.cli.evaluate import eval_app
from newsgold.cli.schema import schema_app
from newsgold.cli.validate import validate_cmd
from newsgold.console import stdout

app = NewsgoldTyper(
    name="newsgold",
    help="Annotated corpus and evaluation framework for claims, speakers, events and framing in news.\n\n"
    "Examples: newsgold validate gold/; newsgold eval run baseline --split test; newsgold convert gold/ build/brat --from native --to brat",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(schema_app, name="schema")
app.add_typer(annotate_app, name="annotate")
app.add_typer(corpus_app, name="corpus")
app.add_typer(eval_app, name="eval")
app.command("validate")(validate_cmd)
app.command("convert")(convert_cmd)


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
