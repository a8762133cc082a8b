"""Gold quality rules, `corpus build` outputs, determinism, split stability, card and publish."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from datasets import load_dataset, load_from_disk
from typer.testing import CliRunner

from newsgold.cli import app
from newsgold.corpus.build import HUB_DIR, build_dataset
from newsgold.corpus.features import CONFIG_NAMES, tags_column
from newsgold.corpus.ingest import read_seed_text
from newsgold.corpus.settings import load_settings
from newsgold.io.documents import load_documents, read_documents, write_documents
from newsgold.model.document import Document, text_sha256
from newsgold.model.errors import DocumentError, NewsgoldError
from newsgold.model.schema import Schema
from newsgold.text.iob2 import tags_to_spans

REPO = Path(__file__).parents[2]
SEED_ID = "000_1c4f7a9ed72f78a1"
runner = CliRunner()


# ------------------------------------------------------------------ the gold itself


@pytest.fixture(scope="module")
def gold(schema: Schema) -> list[Document]:
    return load_documents(REPO / "gold", schema)


def test_gold_matches_its_seed(gold: list[Document]) -> None:
    assert len(gold) == 17 and SEED_ID in {d.id for d in gold}
    for document in gold:
        seed = read_seed_text(REPO / "seeds" / f"{document.id}.txt")
        assert document.text == seed.text and document.meta["sha256"] == text_sha256(seed.text)
        assert document.meta["schema_version"] == 1


def test_gold_covers_the_schema(gold: list[Document], schema: Schema) -> None:
    labels = Counter(span.label for doc in gold for span in doc.spans)
    relations = Counter(relation.label for doc in gold for relation in doc.relations)
    assert set(labels) == set(schema.label_names)
    assert set(relations) == set(schema.relation_names)


def test_attribution_rules(gold: list[Document]) -> None:
    for document in gold:
        attributed = Counter(r.head for r in document.relations if r.label == "attributed_to")
        for span in document.spans:
            if span.label == "CLAIM":
                expected = 1 if span.attrs["voice"] == "attributed" else 0
                assert attributed[span.id] == expected, span
            if span.label == "SPEAKER":
                assert span.attrs["entity"].strip()
                assert any(r.tail == span.id for r in document.relations), f"speaker {span.id} is no one's source"


# ------------------------------------------------------------------ building


def _settings(tmp: Path, seeds: Path = REPO / "seeds", gold: Path = REPO / "gold"):  # type: ignore[no-untyped-def]
    return replace(load_settings(), seeds=seeds, gold=gold, output=tmp / "dataset")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, schema: Schema):  # type: ignore[no-untyped-def]
    settings = _settings(tmp_path_factory.mktemp("build"))
    report = build_dataset(settings, schema)
    return settings, report


def test_report_counts(built, gold: list[Document]) -> None:  # type: ignore[no-untyped-def]
    settings, report = built
    expected = Counter(settings.splits.assign(d.id) for d in gold)
    assert report.documents == {"train": expected["train"], "validation": expected["validation"], "test": expected["test"]}
    claims = Counter(settings.splits.assign(d.id) for d in gold for span in d.spans if span.label == "CLAIM")
    assert report.rows["claims"] == {split: claims[split] for split in report.documents}
    # a row is a sentence, or sentences merged where a gold span crosses their break
    assert 0.95 * report.stats["sentences"] <= sum(report.rows["tokens"].values()) <= report.stats["sentences"]


@pytest.mark.parametrize("config", CONFIG_NAMES)
def test_hub_folder_loads_the_same_rows_as_save_to_disk(built, config: str) -> None:  # type: ignore[no-untyped-def]
    settings, _ = built
    from_hub = load_dataset(str(settings.output / HUB_DIR), name=config)
    from_disk = load_from_disk(str(settings.output / "disk" / config))
    assert set(from_hub) == set(from_disk) == {"train", "validation", "test"}
    for split in from_hub:
        assert from_hub[split].features == from_disk[split].features
        assert from_hub[split].to_list() == from_disk[split].to_list()
        assert from_hub[split].num_rows > 0


def test_bio_tags_decode_to_the_gold_spans(built, gold: list[Document], schema: Schema) -> None:  # type: ignore[no-untyped-def]
    settings, _ = built
    by_id = {d.id: d for d in gold}
    decoded: set[tuple[str, str, int, int]] = set()
    tokens = load_from_disk(str(settings.output / "disk" / "tokens"))
    for split in tokens:
        for row in tokens[split]:
            offsets = list(zip(row["token_starts"], row["token_ends"]))
            text = by_id[row["document_id"]].text or ""
            assert row["tokens"] == [text[s:e] for s, e in offsets]
            for label in schema.label_names:
                names = tokens[split].features[tags_column(label)].feature.names
                decoded.update((row["document_id"], *span) for span in tags_to_spans(offsets, [names[i] for i in row[tags_column(label)]]))
    assert decoded == {(d.id, span.label, span.start, span.end) for d in gold for span in d.spans}


def test_documents_and_claims_content(built, gold: list[Document]) -> None:  # type: ignore[no-untyped-def]
    settings, _ = built
    by_id = {d.id: d for d in gold}
    seed = next(row for row in load_from_disk(str(settings.output / "disk" / "documents"))["test"] if row["id"] == SEED_ID)
    assert seed["text"] == by_id[SEED_ID].text and len(seed["spans"]) == len(by_id[SEED_ID].spans)
    assert json.loads(seed["meta"])["sha256"] == by_id[SEED_ID].meta["sha256"]
    speaker = next(s for s in seed["spans"] if s["attrs"]["speaker_entity"] == "Maria Zakharova")
    assert speaker["attrs"]["claim_voice"] is None
    claims = load_from_disk(str(settings.output / "disk" / "claims"))
    for split in claims:
        voice = claims[split].features["voice"]
        for row in claims[split]:
            assert row["text"] == (by_id[row["document_id"]].text or "")[row["start"] : row["end"]]
            attributed = voice.int2str(row["voice"]) == "attributed"
            assert (row["speaker_entity"] is not None) == attributed


def test_card_metadata_and_honesty(built, gold: list[Document]) -> None:  # type: ignore[no-untyped-def]
    settings, _ = built
    card = (settings.output / HUB_DIR / "README.md").read_text(encoding="utf-8")
    header = yaml.safe_load(card.split("---")[1])
    for key in ("license", "language", "task_categories", "task_ids", "size_categories", "annotations_creators",
                "pretty_name", "configs"):
        assert key in header
    assert header["license"] == ["cc-by-2.5", "unknown"]
    assert header["annotations_creators"] == ["machine-generated"]  # the annotators were AI agents: the card says so
    assert settings.card.annotation_process in card
    assert [c["config_name"] for c in header["configs"]] == list(CONFIG_NAMES)
    assert f"licence of 1 of {len(gold)} article text(s) is unknown" in card
    assert "not been measured yet" not in card and "### Inter-annotator agreement" in card
    assert f"a reviewer's or adjudicator's version (ground truth): {len(gold)}" in card
    for section in ("## Dataset summary", "## Supported tasks", "## Languages", "## Schema", "## Data fields",
                    "## Splits", "## Baseline", "## Annotation process", "## Provenance and licensing",
                    "## Biases, risks and limitations", "## Citation", "## Changelog"):
        assert section in card


def test_build_is_byte_identical_and_rerunnable(built, schema: Schema, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings, _ = built
    again = _settings(tmp_path)
    build_dataset(again, schema)
    build_dataset(again, schema)  # re-running over an existing output is safe
    first = sorted((settings.output / HUB_DIR).rglob("*.parquet"))
    second = sorted((again.output / HUB_DIR).rglob("*.parquet"))
    assert [p.relative_to(settings.output) for p in first] == [p.relative_to(again.output) for p in second]
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), a
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging leftovers


def _generated_article(tmp_path: Path, schema: Schema) -> tuple[Path, Path, str]:
    """A corpus of the seed article and one generated article."""
    seeds, gold = tmp_path / "seeds", tmp_path / "gold"
    seeds.mkdir()
    gold.mkdir()
    for name in (f"{SEED_ID}.txt", f"{SEED_ID}.meta.yaml"):
        shutil.copy(REPO / "seeds" / name, seeds)
    shutil.copy(REPO / "gold" / f"{SEED_ID}.json", gold)
    text = "The council said the aid convoy reached the town. Officials denied any attack."
    (seeds / "generated-0001.txt").write_text(text, encoding="utf-8")
    start = text.index("the aid convoy")
    document = Document.from_dict({
        "id": "generated-0001", "text": text, "meta": {"sha256": text_sha256(text), "license": "CC-BY-2.5"},
        "spans": [
            {"id": "T1", "label": "SPEAKER", "start": 4, "end": 11, "attrs": {"mention": "nominal", "entity": "council"}},
            {"id": "T2", "label": "CLAIM", "start": start, "end": text.index("."),
             "attrs": {"voice": "attributed", "quote": "indirect", "checkworthy": "yes"}},
            {"id": "T3", "label": "EVENT", "start": text.index("attack"), "end": text.index("attack") + 6,
             "attrs": {"type": "ATTACK", "factuality": "negated"}},
        ],
        "relations": [{"label": "attributed_to", "head": "T2", "tail": "T1"}],
    })
    write_documents([document], gold)
    return seeds, gold, "generated-0001"


def test_adding_an_article_does_not_move_the_first(built, schema: Schema, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    seeds, gold, new_id = _generated_article(tmp_path, schema)
    settings = _settings(tmp_path, seeds, gold)
    report = build_dataset(settings, schema)
    assert sum(report.documents.values()) == 2
    rows = {
        split: load_from_disk(str(settings.output / "disk" / "documents"))[split]["id"]
        for split in load_from_disk(str(settings.output / "disk" / "documents"))
    }
    assert SEED_ID in rows["test"]
    assert new_id in rows[settings.splits.assign(new_id)]
    # the rule depends on the id alone: it gives the same answer with or without other documents
    assert settings.splits.assign(new_id) == load_settings().splits.assign(new_id)


def _refused(settings, schema: Schema):  # type: ignore[no-untyped-def]
    """The one problem a build refuses with; the output folder is left untouched (not created)."""
    with pytest.raises(DocumentError) as info:
        build_dataset(settings, schema)
    [problem] = info.value.problems
    assert not settings.output.exists()
    return problem


def test_build_refuses_gold_that_does_not_match_its_seed(schema: Schema, tmp_path: Path) -> None:
    seeds, gold, new_id = _generated_article(tmp_path, schema)
    (seeds / f"{new_id}.txt").write_text("The council said something else entirely here.", encoding="utf-8")
    problem = _refused(_settings(tmp_path, seeds, gold), schema)
    assert problem.doc_id == new_id and problem.field == "text" and "differs" in problem.message


def test_cli_build_and_publish(tmp_path: Path, schema: Schema) -> None:
    seeds, gold, _ = _generated_article(tmp_path, schema)
    config = tmp_path / "corpus.yaml"
    data = yaml.safe_load((REPO / "configs" / "corpus.yaml").read_text())
    data.update(seeds=str(seeds), gold=str(gold), output=str(tmp_path / "out"))
    config.write_text(yaml.safe_dump(data))
    result = runner.invoke(app, ["corpus", "build", "--corpus-config", str(config), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["documents"]["test"] >= 1
    first = {p.relative_to(tmp_path / "out"): p.read_bytes() for p in (tmp_path / "out" / HUB_DIR).rglob("*.parquet")}
    result = runner.invoke(app, ["corpus", "build", "--corpus-config", str(config), "--workers", "2"])
    assert result.exit_code == 0, result.output
    again = {p.relative_to(tmp_path / "out"): p.read_bytes() for p in (tmp_path / "out" / HUB_DIR).rglob("*.parquet")}
    assert again == first and len(first) >= 3
    assert runner.invoke(app, ["corpus", "build", "--corpus-config", str(config), "--workers", "0"]).exit_code == 2
    # the old spellings still work for one version, hidden from --help
    old = runner.invoke(app, ["corpus", "build", "--config", str(config), "--output", str(tmp_path / "old"), "--json"])
    assert old.exit_code == 0, old.output
    assert {p.relative_to(tmp_path / "old"): p.read_bytes() for p in (tmp_path / "old" / HUB_DIR).rglob("*.parquet")} == first
    shown = runner.invoke(app, ["corpus", "build", "--help"], env={"COLUMNS": "200"}).output
    assert "--out " in shown and "--corpus-config" in shown and "--output" not in shown and "--config " not in shown

    result = runner.invoke(app, ["corpus", "publish", "--corpus-config", str(config), "--repo-id", "me/news", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "README.md" in result.output and "documents/test-00000-of-00001.parquet" in result.output

    result = runner.invoke(app, ["corpus", "publish", "--corpus-config", str(config), "--repo-id", "me/news"])
    assert result.exit_code == 1
    assert "no Hugging Face token" in result.output and "Traceback" not in result.output

    (gold / "generated-0001.json").write_text('{"id": "generated-0001", "text": 5}')
    result = runner.invoke(app, ["corpus", "build", "--corpus-config", str(config)])
    assert result.exit_code == 1 and "generated-0001.json" in result.output and "text" in result.output


def test_publish_without_a_build(tmp_path: Path) -> None:
    result = runner.invoke(app, ["corpus", "publish", "--repo-id", "me/x", "--folder", str(tmp_path), "--dry-run"])
    assert result.exit_code == 1 and "corpus build" in result.output


def test_stats_on_gold_counts_tokens() -> None:
    result = runner.invoke(app, ["corpus", "stats", str(REPO / "gold"), "--json"])
    assert result.exit_code == 0
    stats = json.loads(result.output)
    assert stats["tokens"] > 300 and stats["spans"]["CLAIM"] >= 10 and stats["relations"]["about"] >= 5


def test_card_provenance_stays_bounded_for_large_corpora() -> None:
    from newsgold.corpus.build import summarize_provenance

    items = (
        {"id": f"a{i}", "source": "s", "publisher": "P" if i % 2 else "Q", "url": "u",
         "license": "unknown" if i % 3 == 0 else "CC-BY-4.0", "annotators": ["x"] * (1 + i % 2), "annotation_tool": "ls"}
        for i in range(120)
    )
    summary = summarize_provenance(items, listed=50)
    assert summary["total"] == 120 and len(summary["articles"]) == 50
    assert summary["unknown_license"] == 40 and summary["max_annotators"] == 2
    assert sum(row["articles"] for row in summary["by_source"]) == 120


# ------------------------------------------------------------------ streaming, parallel, disk layout


def _copies(tmp_path: Path, count: int) -> tuple[Path, Path]:
    """`count` copies of the seed article under new ids (they fall into every split)."""
    seeds, gold = tmp_path / "seeds", tmp_path / "gold.jsonl"
    seeds.mkdir()
    [document] = load_documents(REPO / "gold" / f"{SEED_ID}.json", load_schema_default())
    text = (REPO / "seeds" / f"{SEED_ID}.txt").read_bytes()
    copies = []
    for index in range(count):
        copy_id = f"copy-{index:03d}"
        (seeds / f"{copy_id}.txt").write_bytes(text)
        copies.append(replace(document, id=copy_id))
    write_documents(copies, gold)
    return seeds, gold


def load_schema_default() -> Schema:
    from newsgold.io.config import load_schema

    return load_schema()


def test_output_is_identical_for_any_number_of_workers(schema: Schema, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import newsgold.corpus.build as build_module
    import newsgold.corpus.sink as sink_module

    seeds, gold = _copies(tmp_path, 23)
    monkeypatch.setattr(build_module, "BATCH_DOCUMENTS", 4)  # many batches, row groups across batches
    monkeypatch.setattr(sink_module, "DEFAULT_ROWS_PER_GROUP", 37)
    monkeypatch.setattr(sink_module, "ROWS_PER_GROUP", {"documents": 3})
    outputs = []
    for workers in (1, 2):
        settings = replace(_settings(tmp_path / f"w{workers}", seeds, gold), output=tmp_path / f"w{workers}" / "dataset")
        report = build_dataset(settings, schema, workers=workers)
        outputs.append((settings.output, report))
    (one, first), (two, second) = outputs
    assert sum(first.documents.values()) == 23 and sum(1 for n in first.documents.values() if n) == 3
    assert first.documents == second.documents and first.rows == second.rows and first.stats == second.stats
    files = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file() and p.name != "build-report.json")
    assert files == sorted(p.relative_to(two) for p in two.rglob("*") if p.is_file() and p.name != "build-report.json")
    for name in files:
        assert (one / name).read_bytes() == (two / name).read_bytes(), name
    documents = load_dataset(str(two / HUB_DIR), name="documents", cache_dir=str(tmp_path / "hf-cache"))
    assert sorted(i for split in documents.values() for i in split["id"]) == [f"copy-{i:03d}" for i in range(23)]
    # the 23 copies tokenize alike: every tokens row group boundary fell inside a batch at least once
    assert first.rows["tokens"] == {split: n * 14 for split, n in first.documents.items()}


def test_parallel_build_reports_every_problem_in_order(schema: Schema, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import newsgold.corpus.build as build_module

    seeds, gold = _copies(tmp_path, 12)
    lines = gold.read_text(encoding="utf-8").splitlines()
    broken = json.loads(lines[9])
    broken["spans"][0]["label"] = "RUMOUR"
    lines[9] = json.dumps(broken)
    lines[10] = lines[1]  # a duplicate id, in another batch than its first occurrence
    lines.insert(5, "{not json")
    gold.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(build_module, "BATCH_DOCUMENTS", 3)
    settings = _settings(tmp_path, seeds, gold)
    with pytest.raises(DocumentError) as info:
        build_dataset(settings, schema, workers=2)
    problems = info.value.problems
    assert [p.line for p in problems] == [6, 11, 11, 12]
    assert problems[0].message.startswith("invalid JSON") and problems[0].field is None
    assert (problems[1].doc_id, problems[1].span_id, problems[1].field) == ("copy-009", "T1", "label")
    assert "RUMOUR" in problems[1].message and problems[2].field == "tail"  # the relation to it is wrong too
    assert (problems[3].doc_id, problems[3].field) == ("copy-001", "id")
    assert problems[3].message == "duplicate document id (first at line 2)"
    assert not settings.output.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_disk_folder_has_the_save_to_disk_layout(built, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from datasets import Dataset, DatasetDict

    settings, _ = built
    for config in CONFIG_NAMES:
        ours = settings.output / "disk" / config
        loaded = load_from_disk(str(ours))
        reference = tmp_path / config
        DatasetDict(
            {split: Dataset.from_list(loaded[split].to_list(), features=loaded[split].features) for split in loaded}
        ).save_to_disk(str(reference))
        assert sorted(p.relative_to(ours) for p in ours.rglob("*")) == sorted(p.relative_to(reference) for p in reference.rglob("*"))
        assert json.loads((ours / "dataset_dict.json").read_text()) == json.loads((reference / "dataset_dict.json").read_text())
        for split in loaded:
            state, expected = (json.loads((root / split / "state.json").read_text()) for root in (ours, reference))
            assert set(state) == set(expected) and state["_split"] == split
            assert {k: v for k, v in state.items() if k not in ("_fingerprint", "_split")} == {
                k: v for k, v in expected.items() if k not in ("_fingerprint", "_split")
            }
            info = json.loads((ours / split / "dataset_info.json").read_text())
            assert info["features"] == json.loads((reference / split / "dataset_info.json").read_text())["features"]
            assert info["splits"][split]["num_examples"] == loaded[split].num_rows


@pytest.mark.parametrize("step", [1, 2, 3])
def test_an_interrupt_at_any_step_of_the_swap_loses_nothing(schema: Schema, tmp_path: Path, step: int,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C on the 1st rename (old output aside), the 2nd (new one in) or the clean-up after them."""
    import newsgold.corpus.build as build_module

    settings = _settings(tmp_path)
    build_dataset(settings, schema)
    before = (settings.output / "build-report.json").read_bytes() if (settings.output / "build-report.json").exists() else None
    calls = {"n": 0}
    real_rename, real_rmtree = Path.rename, shutil.rmtree

    def interrupt_at(kind: str):  # type: ignore[no-untyped-def]
        def step_through(*args, **kwargs):  # type: ignore[no-untyped-def]
            if kind == "rmtree" and not str(args[0]).endswith(".old"):
                return real_rmtree(*args, **kwargs)
            calls["n"] += 1
            if calls["n"] == step:
                raise KeyboardInterrupt
            return (real_rename if kind == "rename" else real_rmtree)(*args, **kwargs)
        return step_through

    monkeypatch.setattr(Path, "rename", interrupt_at("rename"))
    monkeypatch.setattr(build_module.shutil, "rmtree", interrupt_at("rmtree"))
    with pytest.raises(KeyboardInterrupt):
        build_dataset(settings, schema)
    monkeypatch.undo()
    # the configured output is complete (old or new), whatever step was cut
    assert settings.output.is_dir() or (tmp_path / ".dataset.old").is_dir()
    build_dataset(settings, schema)  # the next run recovers and rebuilds
    assert (settings.output / HUB_DIR / "README.md").is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no .dataset.old, no staging
    if before is not None:
        assert (settings.output / "build-report.json").read_bytes() == before


def test_recover_swap_restores_the_old_output(tmp_path: Path) -> None:
    from newsgold.corpus.build import recover_swap

    old = tmp_path / ".dataset.old"
    old.mkdir()
    (old / "x").write_text("old")
    recover_swap(tmp_path / "dataset")
    assert (tmp_path / "dataset" / "x").read_text() == "old" and not old.exists()
    old.mkdir()
    recover_swap(tmp_path / "dataset")  # both there: the leftover old copy goes
    assert not old.exists() and (tmp_path / "dataset" / "x").exists()


def test_data_files_follow_the_umask(schema: Schema, tmp_path: Path) -> None:
    import os

    from newsgold.io.documents import atomic_write_text

    previous = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "a.json", "{}")
        atomic_write_text(tmp_path / "secret", "x", mode=0o600)
        settings = _settings(tmp_path)
        build_dataset(settings, schema)
    finally:
        os.umask(previous)
    assert oct((tmp_path / "a.json").stat().st_mode)[-3:] == "644"
    assert oct((tmp_path / "secret").stat().st_mode)[-3:] == "600"
    assert oct(settings.output.stat().st_mode)[-3:] == "755"


def test_ctrl_c_during_the_renames_lands_after_them() -> None:
    import os
    import signal

    from newsgold.corpus.build import _signals_held

    done = []
    with pytest.raises(KeyboardInterrupt):
        with _signals_held():
            os.kill(os.getpid(), signal.SIGINT)
            done.append("renamed")  # still runs: the signal waits for the block to end
    assert done == ["renamed"]


def test_the_card_describes_the_corpus_it_was_built_from(schema: Schema, tmp_path: Path) -> None:
    """Nothing topical is hard-coded: without the seed article, the card neither names its topic nor pins it."""
    seeds, gold, new_id = _generated_article(tmp_path, schema)
    (seeds / f"{SEED_ID}.txt").unlink()
    (seeds / f"{SEED_ID}.meta.yaml").unlink()
    (gold / f"{SEED_ID}.json").unlink()
    (seeds / f"{new_id}.meta.yaml").write_text("publisher: Example News\ndate: 2019-05-01\n")
    document = load_documents(gold, schema)[0]
    write_documents([replace(document, meta={**document.meta, "publisher": "Example News", "date": "2019-05-01"})], gold)
    settings = _settings(tmp_path, seeds, gold)
    build_dataset(settings, schema)
    card = (settings.output / HUB_DIR / "README.md").read_text(encoding="utf-8")
    assert "Aleppo" not in card and "Syria" not in card
    assert "Pinned documents: none" in card and SEED_ID not in card
    assert "The 1 article(s) come from Example News (1), dated 2019-05-01" in card


def _with_meta(gold: Path, doc_id: str, **meta: str) -> None:
    [document] = read_documents(gold / f"{doc_id}.json")
    write_documents([replace(document, meta={**document.meta, **meta})], gold)


def test_card_lists_every_article_with_its_licence_and_attribution(schema: Schema, tmp_path: Path) -> None:
    seeds, gold, new_id = _generated_article(tmp_path, schema)
    _with_meta(gold, new_id, title="Council | aid report", url="https://en.wikinews.org/wiki/Council_aid",
               author="Wikinews contributors", license="CC-BY-2.5", date="2015-09-12")
    settings = replace(_settings(tmp_path, seeds, gold), agreement=None)
    build_dataset(settings, schema)
    card = (settings.output / HUB_DIR / "README.md").read_text(encoding="utf-8")
    header = yaml.safe_load(card.split("---")[1])
    assert header["license"] == ["cc-by-2.5", "unknown"]  # every licence present, as Hub ids
    rows = [line for line in card.splitlines() if line.startswith(("| `", "| article"))]
    [row] = [line for line in rows if f"`{new_id}`" in line]
    assert "[Council \\| aid report](https://en.wikinews.org/wiki/Council_aid)" in row
    assert "| CC-BY-2.5 | Wikinews contributors |" in row and "2015-09-12" in row
    assert any(f"`{SEED_ID}`" in line and "| unknown |" in line for line in rows)
    terms = settings.card.licenses
    assert f"**CC-BY-2.5** ({terms['CC-BY-2.5'].name}, {terms['CC-BY-2.5'].url}), 1 of 2 article text(s): " in card
    assert terms["CC-BY-2.5"].redistribution in card and terms["unknown"].redistribution in card
    assert "**The licence of 1 of 2 article text(s) is unknown.**" in card
    assert "not been measured yet" in card  # no agreement file in these settings


def test_an_article_licence_without_terms_is_refused(schema: Schema, tmp_path: Path) -> None:
    seeds, gold, new_id = _generated_article(tmp_path, schema)
    _with_meta(gold, new_id, license="CC-BY-NC-4.0")
    problem = _refused(replace(_settings(tmp_path, seeds, gold), agreement=None), schema)
    assert problem.doc_id == new_id and problem.field == "meta.license" and "'CC-BY-NC-4.0'" in problem.message


def test_card_reports_the_measured_agreement(schema: Schema, tmp_path: Path) -> None:
    measured = tmp_path / "agreement.json"
    result = {"schema_version": 1, "annotators": ["annotator-5", "annotator-7"], "documents_compared": 1,
              "documents": [SEED_ID], "token_alpha": {name: 0.5 for name in schema.label_names},
              "span_f1": {m: {name: {"f1": 0.25 if m == "strict" else 0.75, "matches": 3, "spans_a": 4, "spans_b": 4}
                              for name in schema.label_names} for m in ("strict", "overlap")},
              "attributes": {"EVENT.type": {"agreement": 0.625, "agree": 5, "compared": 8}}, "relations_f1": {r: {"f1": 0.875, "matches": 7, "relations_a": 8, "relations_b": 8}
                                                 for r in schema.relation_names}}
    measured.write_text(json.dumps(result))
    settings = replace(_settings(tmp_path), output=tmp_path / "out", agreement=measured)
    build_dataset(settings, schema)
    card = (settings.output / HUB_DIR / "README.md").read_text(encoding="utf-8")
    assert "not been measured yet" not in card and "### Inter-annotator agreement" in card
    assert f"| `{schema.label_names[0]}` | 8 | 0.250 | 0.750 | 0.500 |" in card
    assert f"| `{schema.relation_names[0]}` | 16 |" in card and "0.875" in card
    assert "| `EVENT.type` | 8 | 0.625 |" in card
    measured.write_text("{}")
    with pytest.raises(NewsgoldError) as info:
        build_dataset(settings, schema)
    assert "not a valid agreement file" in str(info.value) and str(measured) in str(info.value)


def test_the_claims_configuration_follows_the_schema_not_a_name(schema: Schema) -> None:
    """The claim label is the one all relations start from; a schema without one is refused with its field."""
    from newsgold.corpus.features import claim_label
    from newsgold.model.errors import SchemaError
    from newsgold.model.schema import parse_schema

    assert claim_label(schema) == schema.relations[0].head[0]
    data = schema.to_dict()
    data["relations"]["reverse"] = {"description": "x", "head": [schema.label_names[1]], "tail": [schema.label_names[0]]}
    with pytest.raises(SchemaError) as info:
        claim_label(parse_schema(data))
    assert info.value.field == "relations" and "start from one label" in info.value.message


def test_the_card_prose_comes_from_its_template(schema: Schema, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """configs/card.yaml holds the wording: change a passage there and the card says the new words."""
    import newsgold.corpus.card as card_module

    text = dict(card_module.card_text())
    text["limitations"] = ["{corpus_description} A new caveat written in the template."]
    monkeypatch.setattr(card_module, "card_text", lambda: text)
    seeds, gold, _ = _generated_article(tmp_path, schema)
    settings = replace(_settings(tmp_path, seeds, gold), agreement=None)
    build_dataset(settings, schema)
    card = (settings.output / HUB_DIR / "README.md").read_text(encoding="utf-8")
    assert "A new caveat written in the template." in card and "The 2 article(s) come from" in card
    assert "FRAMING labels are interpretive" not in card
