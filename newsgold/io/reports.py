"""Reading the JSON reports that commands write (agreement, scores) back in, with clear errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping, Sequence

from newsgold.model.errors import NewsgoldError


def read_json_report(path: str | Path, *, what: str, hint: str, required: Sequence[str]) -> dict[str, Any]:
    """A JSON object with the `required` keys; NewsgoldError names the file, and `hint` says how to make it."""
    source = Path(path)
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise NewsgoldError(f"{what} not found: {hint}", path=source) from exc
    except (OSError, ValueError) as exc:
        raise NewsgoldError(f"cannot read the {what}: {exc}", path=source) from exc
    missing = [key for key in required if not isinstance(data, Mapping) or key not in data]
    if missing:
        raise NewsgoldError(f"not a valid {what}: missing {', '.join(missing)}", path=source, field=missing[0])
    return dict(data)
