"""The committed corpus release: 17 gold articles, agreement and baseline figures that are what the
commands compute (never typed by hand), and a Hub folder that loads with every article."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from datasets import load_dataset

from newsgold.annotation.agreement import agreement, load_annotator_files
from newsgold.corpus.build import HUB_DIR, build_dataset
from newsgold.corpus.settings import load_settings
from newsgold.evaluate.scorer import ScoreOptions, score
from newsgold.io.agreement_tables import AGREEMENT_BLOCK, agreement_markdown, load_agreement
from newsgold.io.documents import load_documents
from newsgold.io.schema_reference import embedded_reference
from newsgold.io.score_tables import load_score_report, score_rows
from newsgold.model.schema import Schema
from newsgold.systems.baseline import Baseline

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def gold(schema: Schema):  # type: ignore[no-untyped-def]
    return load_documents(REPO / "gold", schema)


def test_every_seed_has_gold_and_the_gold_says_how_it_was_made(gold, schema: Schema) -> None:  # type: ignore[no-untyped-def]
    seeds = sorted(p.stem for p in (REPO / "seeds").glob("*.txt"))
    assert len(seeds) == 17 and sorted(d.id for d in gold) == seeds
    for document in gold:
        meta = document.meta
        assert meta["schema_version"] == schema.version and meta["guidelines_version"] == schema.guidelines_version
        assert meta["adjudication"]["rule"] in {"ground_truth", "single", "majority"}
        assert meta["annotators"] and all(a.startswith("annotator-") for a in meta["annotators"])
        assert meta["license"] and meta["url"]
        assert "@" not in json.dumps(meta)  # pseudonyms only


def test_splits_hold_several_articles_and_the_seed_stays_in_test(gold) -> None:  # type: ignore[no-untyped-def]
    rule = load_settings().splits
    by_split: dict[str, list[str]] = {}
    for document in gold:
        by_split.setdefault(rule.assign(document.id), []).append(document.id)
    assert set(by_split) == {"train", "validation", "test"} and all(len(ids) >= 3 for ids in by_split.values())
    assert "000_1c4f7a9ed72f78a1" in by_split["test"]


def test_agreement_file_is_what_the_command_computes(schema: Schema) -> None:
    computed = agreement(load_annotator_files(REPO / "annotations" / "by-annotator", schema), schema)
    committed = load_agreement(REPO / "annotations" / "agreement.json")
    assert json.loads(json.dumps(computed)) == committed
    assert committed["documents_compared"] >= 6


def test_docs_agreement_tables_are_rendered_from_the_file(schema: Schema) -> None:
    page = (REPO / "docs" / "agreement.md").read_text(encoding="utf-8")
    block = embedded_reference(page, block=AGREEMENT_BLOCK)
    assert block == agreement_markdown(load_agreement(REPO / "annotations" / "agreement.json"), schema)


@pytest.mark.parametrize("split", ["train", "test"])
def test_baseline_reports_are_current(gold, schema: Schema, split: str) -> None:  # type: ignore[no-untyped-def]
    """The committed reports are what `eval run baseline --split` gives on today's gold and lexicon."""
    settings = load_settings()
    committed = load_score_report(REPO / settings.baseline[split])
    documents = [d for d in gold if settings.splits.assign(d.id) == split]
    baseline = Baseline(schema)
    predictions = [baseline.document(d.id, d.text or "") for d in documents]
    result = score(documents, predictions, schema, options=ScoreOptions(allow_ungrounded=True)).to_dict()
    assert committed["inputs"]["split"] == {"name": split, "documents": len(documents)}
    assert json.loads(json.dumps(result["scores"])) == committed["scores"]


def test_readme_baseline_table_is_rendered_from_the_reports() -> None:
    settings = load_settings()
    reports = {split: load_score_report(REPO / path) for split, path in settings.baseline.items()}
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for row in score_rows(reports):
        assert row in readme


def test_hub_folder_loads_with_every_article_in_its_split(gold, schema: Schema, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings = replace(load_settings(), output=tmp_path / "dataset")
    build_dataset(settings, schema)
    documents = load_dataset(str(settings.output / HUB_DIR), name="documents", cache_dir=str(tmp_path / "hf-cache"))
    assert set(documents) == {"train", "validation", "test"}
    for split, rows in documents.items():
        assert sorted(rows["id"]) == sorted(d.id for d in gold if settings.splits.assign(d.id) == split)
    card = (settings.output / HUB_DIR / "README.md").read_text(encoding="utf-8")
    for document in gold:
        assert f"`{document.id}`" in card and str(document.meta["url"]) in card
    assert "### Inter-annotator agreement" in card and "## Baseline" in card
