"""`corpus build` throughput and peak memory against bare spaCy tokenization of the same texts.

    python benchmarks/build_bench.py --sizes 1000,10000,100000 --json build/bench/build.json

For each size a synthetic corpus (seeds/*.txt + gold.jsonl, ~40 spans per article) is generated
once, then each job runs in a fresh process so its peak RSS is its own:
  * bare: read every seed file and run spaCy's tokenizer over it (nothing else);
  * build: `newsgold.corpus.build.build_dataset` — validation, segmentation, Parquet for three
    configurations, the card and the save_to_disk copies.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import TreeMemory, peak_rss_mb, run_sized_jobs, write_results  # noqa: E402

SPANS_PER_DOC = 40


def prepare(folder: Path, docs: int) -> None:
    """Write seeds/ and gold.jsonl for `docs` generated articles (skipped if already there)."""
    from benchmarks.generate import corpus

    marker = folder / "complete"
    if marker.exists():
        return
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "seeds").mkdir(parents=True)
    with (folder / "gold.jsonl").open("w", encoding="utf-8") as gold:
        for document, _ in corpus(docs, SPANS_PER_DOC, seed=11):
            (folder / "seeds" / f"{document.id}.txt").write_text(document.text or "", encoding="utf-8")
            gold.write(json.dumps(document.to_dict(), ensure_ascii=False) + "\n")
    marker.write_text("ok\n")


def worker(job: str, folder: Path) -> dict[str, Any]:
    """Run one job on a prepared corpus (called in a fresh process)."""
    seeds = sorted((folder / "seeds").glob("*.txt"))
    if job == "bare":
        from newsgold.text.segment import blank_english

        tokenizer = blank_english().tokenizer  # stock spaCy: spacy.blank("en") + sentencizer
        workers = 1
        with TreeMemory() as memory:
            started = time.perf_counter()
            tokens = 0
            for doc in tokenizer.pipe(path.read_text(encoding="utf-8") for path in seeds):
                tokens += sum(1 for token in doc if not token.is_space)
            seconds = time.perf_counter() - started
    elif job == "build":
        from newsgold.corpus.build import PARALLEL_MIN_DOCS, build_dataset
        from newsgold.corpus.settings import load_settings
        from newsgold.io.config import load_schema
        from newsgold.parallel import default_workers

        settings = replace(load_settings(), seeds=folder / "seeds", gold=folder / "gold.jsonl", output=folder / "dataset")
        settings = replace(settings, splits=replace(settings.splits, pinned={}))
        with TreeMemory() as memory:
            started = time.perf_counter()
            report = build_dataset(settings, load_schema())
            seconds = time.perf_counter() - started
        tokens = report.stats["tokens"]
        workers = default_workers(len(seeds), minimum_work=PARALLEL_MIN_DOCS)
    else:
        raise SystemExit(f"unknown job {job}")
    return {"job": job, "docs": len(seeds), "tokens": tokens, "seconds": round(seconds, 2),
            "docs_per_second": round(len(seeds) / seconds, 1), "tokens_per_second": round(tokens / seconds),
            "peak_rss_mb": round(peak_rss_mb(), 1), "tree_pss_mb": round(max(memory.peak_mb, 0.0), 1), "workers": workers}


def main() -> None:
    """Prepare each size, run both jobs, print and write the results."""
    parser = argparse.ArgumentParser(description="corpus build vs bare spaCy tokenization")
    parser.add_argument("--worker", choices=("bare", "build"))
    parser.add_argument("--folder", type=Path)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--work", type=Path, default=Path("build/bench"))
    parser.add_argument("--timeout", type=float, default=5400)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.folder)))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    results = run_sized_jobs(Path(__file__), sizes, ("bare", "build"), prepare, lambda size: args.work / f"corpus-{size}",
                             timeout=args.timeout)
    write_results(args.json, results)


if __name__ == "__main__":
    main()
