"""Every configuration file is read the same strict way: a duplicate key is an error with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsgold.annotation.settings import load_ls_settings
from newsgold.corpus.settings import load_settings
from newsgold.io.config import load_schema
from newsgold.model.errors import NewsgoldError
from newsgold.systems.baseline import load_lexicon

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("name", "load"),
    [("corpus.yaml", load_settings), ("labelstudio.yaml", load_ls_settings), ("schema.yaml", load_schema),
     ("baseline.yaml", lambda path: load_lexicon(path, load_schema()))],
)
def test_a_duplicate_key_is_refused_with_file_and_line(name: str, load, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = (REPO / "configs" / name).read_text(encoding="utf-8")
    first_key = next(line for line in text.splitlines() if line and not line.startswith(("#", " ")))
    broken = tmp_path / name
    broken.write_text(text + "\n" + first_key + "\n", encoding="utf-8")
    load(REPO / "configs" / name)  # the shipped file is fine
    with pytest.raises(NewsgoldError) as info:
        load(broken)
    assert "duplicate key" in str(info.value) and str(broken) in str(info.value) and info.value.line is not None
