"""Help text in click's and spaCy's conventions, whatever Typer's defaults: `GOLD PREDICTIONS` and
`PATHS...` for arguments, boolean flags without a value (`--json`, not `--json <bool>`), option
values named by kind (`--out PATH`, `--samples INTEGER`).

Every command group of the CLI is a `NewsgoldTyper`, whose commands are `ConventionalCommand`s: the
parameters are adjusted once, when the click command is built, so `--help`, usage lines and error
messages agree. An explicit `metavar` on an option is kept.
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption


def argument_metavar(param: TyperArgument) -> str:
    """`gold` -> GOLD, `documents_path` -> DOCUMENTS, `paths` (several) -> PATHS..."""
    name = (param.name or "value").upper()
    if name.endswith("_PATH") and name != "_PATH":
        name = name[: -len("_PATH")]
    return f"{name}..." if param.nargs != 1 else name


def option_metavar(param: TyperOption) -> str | None:
    """The value's name for an option, or None to keep Typer's (a list of choices)."""
    if param.is_flag:
        return ""
    described = param.type_descriptor
    if described.is_choice:
        return None
    annotation = described.annotation
    if described.is_path:
        name = {"file": "FILE", "directory": "DIR"}.get(str(described.path_type), "PATH")
    elif annotation is int or described.is_ranged and "int" in str(annotation):
        name = "INTEGER"
    elif annotation is float or described.is_ranged:
        name = "FLOAT"
    else:
        name = "TEXT"
    return f"{name}..." if described.is_list else name


def conventional(param: Any) -> None:
    """Set the help names of one parameter (explicit metavars are kept)."""
    if isinstance(param, TyperArgument):
        if param.metavar is None:
            param.metavar = argument_metavar(param)
        shown = param.metavar if param.required else f"[{param.metavar}]"
        param.get_usage_pieces = lambda ctx, shown=shown: [shown]  # type: ignore[method-assign]
        param.display_type_rich = lambda ctx: None  # type: ignore[method-assign]  # the name says it: GOLD, PATHS...
    elif isinstance(param, TyperOption) and param.metavar is None:
        param.metavar = option_metavar(param)


class _Conventional:
    """Mixin for a Typer command or group: conventional help names for its options and its --help."""

    params: list[Any]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            conventional(param)

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            conventional(option)
        return option


class ConventionalCommand(_Conventional, TyperCommand):
    """A Typer command with conventional help names."""


class ConventionalGroup(_Conventional, TyperGroup):
    """A Typer group with conventional help names for its own options."""


class NewsgoldTyper(typer.Typer):
    """typer.Typer whose groups and commands use the conventions above."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cls", ConventionalGroup)
        super().__init__(**kwargs)

    def command(self, name: str | None = None, *, cls: type[TyperCommand] | None = None, **kwargs: Any) -> Any:  # type: ignore[override]
        return super().command(name, cls=cls or ConventionalCommand, **kwargs)
