"""`corpus build`: seeds + gold -> a DatasetDict per configuration, a Hub-ready folder, a card.

Two passes over the gold, neither holding the corpus in memory: the first validates everything
(gold against the schema, each gold text against its seed) and refuses to build on any problem;
the second streams documents through tokenization into one Parquet writer per configuration and
split. The Parquet files plus the generated README.md are the Hub folder; `save_to_disk` copies
are made from them. The whole output is written to a temp folder and swapped in at the end, so a
failed build never leaves a half-written dataset.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator

import datasets
import pyarrow as pa
import pyarrow.parquet as pq
from datasets import Dataset, DatasetDict, Features

from newsgold.corpus.card import dataset_card
from newsgold.corpus.features import CONFIG_NAMES, config_features
from newsgold.corpus.ingest import SEED_SUFFIX, read_seed_text
from newsgold.corpus.rows import RowMaker
from newsgold.corpus.segment import Segmenter
from newsgold.corpus.settings import BuildSettings
from newsgold.corpus.stats import StatsAccumulator
from newsgold.document import Document, iter_unique, text_sha256
from newsgold.errors import BuildError, DocumentError
from newsgold.problems import Problem
from newsgold.schema import Schema
from newsgold.validation import validate

if TYPE_CHECKING:
    from newsgold.console import ProgressHandle

ROWS_PER_BATCH = 2_000
DOCUMENT_ROWS_PER_BATCH = 200  # whole articles with their spans: keep the buffer small
HUB_DIR = "hub"
DISK_DIR = "disk"
REPORT_FILE = "build-report.json"


@dataclass
class BuildReport:
    """What a build wrote: counts per split and configuration, and where."""

    output: str
    schema_version: int
    documents: dict[str, int] = field(default_factory=dict)
    rows: dict[str, dict[str, int]] = field(default_factory=dict)
    seeds_without_gold: list[str] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict, written as build-report.json and printed by `--json`."""
        return {
            "output": self.output,
            "schema_version": self.schema_version,
            "documents": self.documents,
            "rows": self.rows,
            "seeds_without_gold": self.seeds_without_gold,
            "stats": self.stats,
            "files": self.files,
        }


def count_documents(path: Path) -> int:
    """A cheap count of the documents in a .jsonl file or folder (for the progress bar)."""
    if path.is_dir():
        return sum(1 for p in path.iterdir() if p.suffix.lower() == ".json")
    count = 0
    with path.open("rb") as handle:
        for line in handle:
            count += bool(line.strip())
    return count


def checked_documents(
    settings: BuildSettings, schema: Schema, problems: list[Problem], gold_ids: set[str]
) -> Iterator[Document]:
    """Gold documents that are valid and match their seed; the others only add to `problems`.

    Once any problem is found no more documents are yielded (the build will be refused), but
    every remaining document is still checked, so that the user gets every problem at once.
    """
    for loaded in iter_unique(settings.gold):
        found = list(loaded.problems)
        document = loaded.document
        if document is not None:
            gold_ids.add(document.id)
            found += [p.at(path=loaded.path, line=loaded.line) for p in validate(document, schema)]
            found += [p.at(path=loaded.path, line=loaded.line) for p in _match_seed(document, settings.seeds)]
        problems.extend(found)
        if document is not None and not problems:
            yield document


def _match_seed(document: Document, seeds: Path) -> list[Problem]:
    """The gold text must be exactly its seed's ingested text, or every offset may be off."""
    seed_path = seeds / f"{document.id}{SEED_SUFFIX}"
    if not seed_path.exists():
        return [Problem(f"no seed article {seed_path} for this gold document", doc_id=document.id, field="id")]
    seed = read_seed_text(seed_path)
    if document.text != seed.text:
        return [
            Problem(
                f"text differs from {seed_path} (sha256 {text_sha256(document.text or '')[:12]}… vs "
                f"{text_sha256(seed.text)[:12]}…): re-annotate or re-ingest before building",
                doc_id=document.id,
                field="text",
            )
        ]
    return []


class ParquetSink:
    """One lazily opened Parquet writer per (configuration, split), fed in row batches."""

    def __init__(self, root: Path, features: dict[str, Features]) -> None:
        self.root = root
        self.schemas = {name: feats.arrow_schema for name, feats in features.items()}
        self.buffers: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.writers: dict[tuple[str, str], pq.ParquetWriter] = {}
        self.counts: dict[tuple[str, str], int] = {}

    def path(self, config: str, split: str) -> Path:
        """Where a configuration's split is written (the Hub's `<config>/<split>-NNNNN-of-NNNNN` layout)."""
        return self.root / config / f"{split}-00000-of-00001.parquet"

    def add(self, config: str, split: str, row: dict[str, Any]) -> None:
        key = (config, split)
        buffer = self.buffers.setdefault(key, [])
        buffer.append(row)
        self.counts[key] = self.counts.get(key, 0) + 1
        if len(buffer) >= (DOCUMENT_ROWS_PER_BATCH if config == "documents" else ROWS_PER_BATCH):
            self._flush(key)

    def _flush(self, key: tuple[str, str]) -> None:
        rows = self.buffers.get(key)
        if not rows:
            return
        schema = self.schemas[key[0]]
        if key not in self.writers:
            target = self.path(*key)
            target.parent.mkdir(parents=True, exist_ok=True)
            self.writers[key] = pq.ParquetWriter(target, schema, compression="snappy")
        self.writers[key].write_table(pa.Table.from_pylist(rows, schema=schema))
        self.buffers[key] = []

    def close(self) -> None:
        for key in list(self.buffers):
            self._flush(key)
        for writer in self.writers.values():
            writer.close()


def build_dataset(
    settings: BuildSettings,
    schema: Schema,
    *,
    segmenter: Segmenter | None = None,
    progress: ProgressHandle | None = None,
) -> BuildReport:
    """Validate and build the dataset into `settings.output` (hub/ and disk/); return the report.

    One streaming pass: documents are checked as they are read and written to a staging folder;
    if any document has a problem, writing stops, every remaining document is still checked, and
    DocumentError lists every problem while the staging folder is removed (the output is untouched).
    """
    if not settings.gold.exists():
        raise BuildError("gold folder not found", path=settings.gold)
    if progress is not None:
        progress.start(count_documents(settings.gold))
    features = config_features(schema)
    maker = RowMaker(schema)
    segmenter = segmenter if segmenter is not None else Segmenter()
    settings.output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{settings.output.name}.", dir=settings.output.parent))
    problems: list[Problem] = []
    gold_ids: set[str] = set()
    provenance = ProvenanceSummary()
    try:
        hub = staging / HUB_DIR
        sink = ParquetSink(hub, features)
        stats = StatsAccumulator(schema)
        documents_per_split: dict[str, int] = {name: 0 for name in settings.splits.names}
        for document in segmenter.segment_documents(checked_documents(settings, schema, problems, gold_ids)):
            split = settings.splits.assign(document.id)
            documents_per_split[split] += 1
            stats.add(document)
            provenance.add(provenance_of(document))
            sink.add("documents", split, maker.document_row(document))
            for row in maker.token_rows(document):
                sink.add("tokens", split, row)
            for row in maker.claim_rows(document):
                sink.add("claims", split, row)
            if progress is not None:
                progress.advance(1)
        sink.close()
        if problems:
            raise DocumentError(problems, path=settings.gold)
        if not gold_ids:
            raise BuildError("no gold documents to build from", path=settings.gold)
        seed_ids = sorted(p.name[: -len(SEED_SUFFIX)] for p in settings.seeds.glob(f"*{SEED_SUFFIX}"))
        unannotated = [doc_id for doc_id in seed_ids if doc_id not in gold_ids]

        rows = {config: {split: sink.counts.get((config, split), 0) for split in settings.splits.names} for config in CONFIG_NAMES}
        report = BuildReport(
            output=str(settings.output),
            schema_version=schema.version,
            documents=documents_per_split,
            rows=rows,
            seeds_without_gold=unannotated,
            stats=stats.result(),
        )
        card = dataset_card(schema, settings, report, provenance=provenance.result())
        (hub / "README.md").write_text(card, encoding="utf-8")
        _save_to_disk(sink, staging / DISK_DIR, features, settings.splits.names, staging / ".cache")
        shutil.rmtree(staging / ".cache", ignore_errors=True)
        report.files = sorted(str(p.relative_to(staging)) for p in hub.rglob("*") if p.is_file())
        (staging / REPORT_FILE).write_text(json.dumps(report.to_dict(), indent=2) + "\n", encoding="utf-8")
        _swap_in(staging, settings.output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return report


def provenance_of(document: Document) -> dict[str, Any]:
    """Per-document provenance for the card (id, source, licence, publisher, url, annotators)."""
    meta = document.meta
    return {
        "id": document.id,
        "source": meta.get("source", "unknown"),
        "license": meta.get("license", "unknown"),
        "publisher": meta.get("publisher", "unknown"),
        "url": meta.get("url", "unknown"),
        "annotators": meta.get("annotators", []),
        "annotation_tool": meta.get("annotation_tool", "unknown"),
    }


class ProvenanceSummary:
    """Provenance for the card in bounded memory: the first `listed` articles, counts for the rest."""

    def __init__(self, listed: int = 50) -> None:
        self.listed = listed
        self.articles: list[dict[str, Any]] = []
        self.by_source: dict[tuple[str, str], int] = {}
        self.tools: set[str] = set()
        self.annotator_counts: set[int] = set()
        self.total = self.unknown = 0

    def add(self, item: dict[str, Any]) -> None:
        """Count one article."""
        self.total += 1
        if len(self.articles) < self.listed:
            self.articles.append(item)
        license_name = str(item["license"])
        if license_name.lower() in {"unknown", "", "none"}:
            self.unknown += 1
        key = (str(item["publisher"]), license_name)
        self.by_source[key] = self.by_source.get(key, 0) + 1
        self.tools.add(str(item["annotation_tool"]))
        self.annotator_counts.add(len(item["annotators"]))

    def result(self) -> dict[str, Any]:
        """The summary the card is written from."""
        return {
            "total": self.total,
            "unknown_license": self.unknown,
            "articles": self.articles,
            "by_source": [{"publisher": p, "license": l, "articles": n} for (p, l), n in sorted(self.by_source.items())],
            "tools": sorted(self.tools),
            "max_annotators": max(self.annotator_counts, default=0),
        }


def summarize_provenance(items: Iterable[dict[str, Any]], *, listed: int = 50) -> dict[str, Any]:
    """`ProvenanceSummary` over a stream of provenance items."""
    summary = ProvenanceSummary(listed)
    for item in items:
        summary.add(item)
    return summary.result()


def _save_to_disk(sink: ParquetSink, target: Path, features: dict[str, Features], splits: tuple[str, ...], cache: Path) -> None:
    """A `save_to_disk` DatasetDict per configuration, made from the Parquet files just written."""
    progress_was_on = datasets.is_progress_bar_enabled()
    datasets.disable_progress_bars()  # newsgold shows its own progress; keep stderr readable
    try:
        _save_configs(sink, target, features, splits, cache)
    finally:
        if progress_was_on:
            datasets.enable_progress_bars()


def _save_configs(sink: ParquetSink, target: Path, features: dict[str, Features], splits: tuple[str, ...], cache: Path) -> None:
    for config, feats in features.items():
        parts = {}
        for split in splits:
            path = sink.path(config, split)
            if path.exists():
                parts[split] = Dataset.from_parquet(str(path), features=feats, cache_dir=str(cache), keep_in_memory=False)
        DatasetDict(parts).save_to_disk(str(target / config))


def _swap_in(staging: Path, output: Path) -> None:
    """Replace `output` by `staging` with renames, so readers see the old or the new, never a mix."""
    old = None
    if output.exists():
        old = output.with_name(f".{output.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        output.rename(old)
    staging.rename(output)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
