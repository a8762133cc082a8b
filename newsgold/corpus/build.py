"""`corpus build`: seeds + gold -> a DatasetDict per configuration, a Hub-ready folder, a card.

One streaming pass that never holds the corpus in memory: gold records are read in batches;
each batch is parsed, validated (against the schema and against its seed text), segmented and
turned into Arrow tables, in worker processes for large corpora (results come back in order, so
the output is the same for any number of workers); the tables are written to Parquet (hub/) and
to Arrow (disk/, the `save_to_disk` layout) as they arrive. On any problem writing stops, every
remaining document is still checked, and the build is refused with every problem listed. The
whole output is written to a temp folder and swapped in at the end, so a failed build never
leaves a half-written dataset.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator

import pyarrow as pa

from newsgold.corpus.card import dataset_card
from newsgold.corpus.features import CONFIG_NAMES
from newsgold.corpus.ingest import SEED_SUFFIX, read_seed_text
from newsgold.corpus.rows import RowMaker, TokenArrays
from newsgold.corpus.settings import BuildSettings
from newsgold.corpus.sink import TableSink
from newsgold.corpus.stats import StatsAccumulator
from newsgold.io.agreement_tables import load_agreement
from newsgold.io.documents import Record, duplicate_problem, iter_records, load_record, umask_mode
from newsgold.io.score_tables import load_score_report
from newsgold.model.document import Document, text_sha256
from newsgold.model.errors import BuildError, DocumentError
from newsgold.model.problems import Problem
from newsgold.model.schema import Schema
from newsgold.model.validation import validate
from newsgold.parallel import default_workers, ordered_map
from newsgold.runtime import paused_gc
from newsgold.text.segment import Segmenter

if TYPE_CHECKING:
    from newsgold.console import ProgressHandle

BATCH_DOCUMENTS = 200  # documents per job sent to a worker
PARALLEL_MIN_DOCS = 2_000  # below this, worker start-up costs more than it saves
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


@dataclass
class BatchResult:
    """What a worker made of one batch of gold records."""

    records: int
    checked: list[tuple[str | None, str, int | None, list[Problem]]]  # (doc id, path, line, problems)
    tables: dict[tuple[str, str], pa.Table]  # (configuration, split) -> rows
    stats: StatsAccumulator
    provenance: list[dict[str, Any]]
    documents_per_split: dict[str, int]


@dataclass(frozen=True)
class BuildJob:
    """What every batch of a build needs; forked workers inherit it (`ordered_map`'s `shared`)."""

    settings: BuildSettings
    schema: Schema
    maker: RowMaker
    segmenter: Segmenter


def build_batch(job: BuildJob, records: list[Record]) -> BatchResult:
    """Parse, validate, match to the seed, segment and tabulate a batch of gold records.

    Tables are only made when every record of the batch is valid: a build with any problem is
    refused, so only the problems matter then.
    """
    settings, schema, segmenter = job.settings, job.schema, job.segmenter
    checked: list[tuple[str | None, str, int | None, list[Problem]]] = []
    stats = StatsAccumulator(schema)
    provenance: list[dict[str, Any]] = []
    by_split: dict[str, list[Document]] = {}
    arrays: dict[str, list[TokenArrays]] = {}
    clean = True
    valid: list[Document] = []
    for record in records:
        loaded = load_record(record)
        found = list(loaded.problems)
        document = loaded.document
        if document is not None:
            found += [p.at(path=loaded.path, line=loaded.line) for p in validate(document, schema)]
            found += [p.at(path=loaded.path, line=loaded.line) for p in _match_seed(document, settings.seeds)]
        checked.append((document.id if document is not None else None, loaded.path, loaded.line, found))
        clean = clean and not found
        if document is not None and clean:
            valid.append(document)
    if not clean:
        valid = []  # the build is refused: only the problems matter
    for document, segmentation in zip(valid, segmenter.segment_many([d.text or "" for d in valid])):
        document.sentences = segmentation.sentences  # tokens travel as arrays (`arrays`), not as pairs
        stats.add(document, tokens=len(segmentation.starts))
        provenance.append(provenance_of(document))
        split = settings.splits.assign(document.id)
        by_split.setdefault(split, []).append(document)
        arrays.setdefault(split, []).append((segmentation.starts, segmentation.ends))
    tables: dict[tuple[str, str], pa.Table] = {}
    if clean:
        for split, documents in by_split.items():
            for config, table in job.maker.tables(documents, arrays[split]).items():
                tables[(config, split)] = table
    return BatchResult(
        records=len(records),
        checked=checked,
        tables=tables,
        stats=stats,
        provenance=provenance,
        documents_per_split={split: len(documents) for split, documents in by_split.items()},
    )


def _batches(records: Iterable[Record], size: int) -> Iterator[list[Record]]:
    iterator = iter(records)
    while batch := list(islice(iterator, size)):
        yield batch


@paused_gc()
def build_dataset(
    settings: BuildSettings,
    schema: Schema,
    *,
    segmenter: Segmenter | None = None,
    progress: ProgressHandle | None = None,
    workers: int | None = None,
) -> BuildReport:
    """Validate and build the dataset into `settings.output` (hub/ and disk/); return the report.

    `workers`: processes for the per-document work (default: every core for 2,000 or more
    documents, else 1). The output is byte-identical for any number of workers.
    DocumentError lists every problem if any document has one; the output is then untouched.
    """
    if not settings.gold.exists():
        raise BuildError("gold folder not found", path=settings.gold)
    total = count_documents(settings.gold)
    if progress is not None:
        progress.start(total)
    workers = workers if workers is not None else default_workers(total, minimum_work=PARALLEL_MIN_DOCS)
    maker = RowMaker(schema)
    settings.output.parent.mkdir(parents=True, exist_ok=True)
    recover_swap(settings.output)
    staging = Path(tempfile.mkdtemp(prefix=f".{settings.output.name}.", dir=settings.output.parent))
    os.chmod(staging, umask_mode(0o777))  # a dataset folder, not a secret: mkdtemp alone gives 0700
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    provenance = ProvenanceSummary(watch=settings.splits.pinned)
    stats = StatsAccumulator(schema)
    documents_per_split: dict[str, int] = {name: 0 for name in settings.splits.names}
    job = BuildJob(settings=settings, schema=schema, maker=maker, segmenter=segmenter or Segmenter())
    hub = staging / HUB_DIR
    sink = TableSink(hub, staging / DISK_DIR, maker.features)
    try:
        batches = _batches(iter_records(settings.gold), BATCH_DOCUMENTS)
        for result in ordered_map(build_batch, batches, shared=job, workers=workers):
            for doc_id, path, line, found in result.checked:
                if doc_id is not None:
                    duplicate = duplicate_problem(doc_id, path, line, seen)
                    found = found + [duplicate] if duplicate is not None else found
                problems.extend(found)
            if not problems:
                for (config, split), table in result.tables.items():
                    sink.write(config, split, table)
                stats.merge(result.stats)
                for item in result.provenance:
                    if str(item["license"]) not in settings.card.licenses:
                        problems.append(Problem(
                            f"licence {item['license']!r} has no entry in card.licenses of {settings.source} "
                            f"(known: {', '.join(settings.card.licenses)}): say what it means for redistribution there",
                            doc_id=str(item["id"]), field="meta.license"))
                    provenance.add(item)
                for split, count in result.documents_per_split.items():
                    documents_per_split[split] += count
            if progress is not None:
                progress.advance(result.records)
        if problems:
            raise DocumentError(problems, path=settings.gold)
        if not seen:
            raise BuildError("no gold documents to build from", path=settings.gold)
        sink.close()
        seed_ids = sorted(p.name[: -len(SEED_SUFFIX)] for p in settings.seeds.glob(f"*{SEED_SUFFIX}"))
        unannotated = [doc_id for doc_id in seed_ids if doc_id not in seen]

        rows = {config: {split: sink.counts.get((config, split), 0) for split in settings.splits.names} for config in CONFIG_NAMES}
        report = BuildReport(
            output=str(settings.output),
            schema_version=schema.version,
            documents=documents_per_split,
            rows=rows,
            seeds_without_gold=unannotated,
            stats=stats.result(),
        )
        measured = load_agreement(settings.agreement) if settings.agreement is not None else None
        baseline = {split: load_score_report(path) for split, path in settings.baseline.items()}
        card = dataset_card(schema, settings, report, provenance=provenance.result(), agreement=measured, baseline=baseline)
        (hub / "README.md").write_text(card, encoding="utf-8")
        report.files = sorted(str(p.relative_to(staging)) for p in hub.rglob("*") if p.is_file())
        (staging / REPORT_FILE).write_text(json.dumps(report.to_dict(), indent=2) + "\n", encoding="utf-8")
        _swap_in(staging, settings.output)
    except BaseException:
        sink.discard()
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return report


def provenance_of(document: Document) -> dict[str, Any]:
    """Per-document provenance for the card (id, source, licence, publisher, url, annotators)."""
    meta = document.meta
    return {
        "id": document.id,
        "source": meta.get("source", "unknown"),
        "title": meta.get("title", ""),
        "license": meta.get("license", "unknown"),
        "license_url": meta.get("license_url", ""),
        "publisher": meta.get("publisher", "unknown"),
        "author": meta.get("author", ""),
        "url": meta.get("url", "unknown"),
        "annotators": meta.get("annotators", []),
        "annotation_tool": meta.get("annotation_tool", "unknown"),
        "date": str(meta.get("date") or meta.get("published") or ""),
        "rule": str((meta.get("adjudication") or {}).get("rule") or "none recorded"),
    }


ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


class ProvenanceSummary:
    """Provenance for the card in bounded memory: the first `listed` articles, counts for the rest."""

    def __init__(self, listed: int = 50, *, watch: Iterable[str] = ()) -> None:
        self.listed = listed
        self.watch = set(watch)  # ids whose presence the card reports (the pinned ones)
        self.present: set[str] = set()
        self.dates: list[str] = []  # the earliest and latest ISO date seen
        self.articles: list[dict[str, Any]] = []
        self.by_source: dict[tuple[str, str], int] = {}
        self.licenses: dict[str, int] = {}
        self.rules: dict[str, int] = {}
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
        self.licenses[license_name] = self.licenses.get(license_name, 0) + 1
        key = (str(item["publisher"]), license_name)
        self.by_source[key] = self.by_source.get(key, 0) + 1
        self.tools.add(str(item["annotation_tool"]))
        self.rules[str(item.get("rule", "none recorded"))] = self.rules.get(str(item.get("rule", "none recorded")), 0) + 1
        self.annotator_counts.add(len(item["annotators"]))
        if item["id"] in self.watch:
            self.present.add(str(item["id"]))
        date = str(item.get("date") or "")
        if ISO_DATE.match(date):
            self.dates = [min(self.dates[0], date[:10]), max(self.dates[1], date[:10])] if self.dates else [date[:10]] * 2

    def result(self) -> dict[str, Any]:
        """The summary the card is written from."""
        return {
            "total": self.total,
            "unknown_license": self.unknown,
            "articles": self.articles,
            "by_source": [{"publisher": p, "license": lic, "articles": n} for (p, lic), n in sorted(self.by_source.items())],
            "licenses": dict(sorted(self.licenses.items())),
            "rules": dict(sorted(self.rules.items())),
            "tools": sorted(self.tools),
            "max_annotators": max(self.annotator_counts, default=0),
            "present": sorted(self.present),
            "dates": list(self.dates),
        }


def summarize_provenance(items: Iterable[dict[str, Any]], *, listed: int = 50) -> dict[str, Any]:
    """`ProvenanceSummary` over a stream of provenance items."""
    summary = ProvenanceSummary(listed)
    for item in items:
        summary.add(item)
    return summary.result()


def _old_copy(output: Path) -> Path:
    return output.with_name(f".{output.name}.old")


def recover_swap(output: Path) -> None:
    """Finish a swap that an interrupt cut short: put the old output back if the new one never
    arrived, else delete the leftover old copy."""
    old = _old_copy(output)
    if not old.exists():
        return
    if output.exists():
        shutil.rmtree(old, ignore_errors=True)
    else:
        old.rename(output)


@contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT/SIGTERM for a few renames, so Ctrl-C lands after them, not between them."""
    held = {signal.SIGINT, signal.SIGTERM}
    can_hold = hasattr(signal, "pthread_sigmask") and threading.current_thread() is threading.main_thread()
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held) if can_hold else None
    try:
        yield
    finally:
        if previous is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _swap_in(staging: Path, output: Path) -> None:
    """Replace `output` by `staging` with renames, so readers see the old or the new, never a mix.

    The two renames run with interrupts held; if the process dies between them anyway, the next
    build's `recover_swap` restores the old output before it starts.
    """
    old = _old_copy(output)
    with _signals_held():
        if output.exists():
            shutil.rmtree(old, ignore_errors=True)
            output.rename(old)
        staging.rename(output)
    shutil.rmtree(old, ignore_errors=True)
