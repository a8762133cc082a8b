"""docs/guidelines.md embeds the generated schema reference, and it must match the schema."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsgold.io.schema_reference import embed_reference, embedded_reference, schema_reference
from newsgold.model.errors import NewsgoldError
from newsgold.model.schema import Schema

GUIDELINES = Path(__file__).parents[2] / "docs" / "guidelines.md"


def test_guidelines_page_is_in_sync_with_the_schema(schema: Schema) -> None:
    embedded = embedded_reference(GUIDELINES.read_text(encoding="utf-8"))
    assert embedded == schema_reference(schema), "run: newsgold schema guidelines --into docs/guidelines.md"


def test_handwritten_rules_cover_every_label_and_value(schema: Schema) -> None:
    page = GUIDELINES.read_text(encoding="utf-8")
    handwritten = page[: page.index("<!-- BEGIN schema-reference -->")]
    for label in schema.labels:
        assert "## " in handwritten and label.name in handwritten
    for name in ("scare_quotes", "euphemism", "labeling", "loaded_language", "hypothetical", "negated", "planned"):
        assert f"`{name}`" in handwritten
    assert "## 7. Changelog" in handwritten and f"Schema v{schema.version}" in handwritten


def test_embed_replaces_only_the_block() -> None:
    page = "intro\n<!-- BEGIN schema-reference -->\nold\n<!-- END schema-reference -->\noutro\n"
    updated = embed_reference(page, "new\n")
    assert updated == "intro\n<!-- BEGIN schema-reference -->\nnew\n<!-- END schema-reference -->\noutro\n"
    assert embedded_reference(updated) == "new\n"
    assert embed_reference(updated, "new\n") == updated  # idempotent
    with pytest.raises(NewsgoldError, match="no <!-- BEGIN"):
        embed_reference("no markers", "x")
