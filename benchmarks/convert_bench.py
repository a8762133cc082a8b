"""`newsgold convert` throughput and peak memory, 1,000 and 10,000 documents, against a bare JSON copy.

    python benchmarks/convert_bench.py --sizes 1000,10000 --json build/bench/convert.json

For each size a synthetic gold corpus (`generate.py`, ~40 spans per article, nested spans,
relations and attributes) is written once as JSON Lines, and a brat copy of it is made; then
each job runs in a fresh process so its peak RSS is its own:
  * floor: `json.loads` + `json.dumps` of every line, nothing checked (what any copy costs);
  * native→native, native→brat, brat→native, native→conll, native→labelstudio, native→spacy:
    `newsgold.io.conversion.convert` (reading, schema check, writing, staging, the not-carried report).
Bounded memory means the peak stays flat from 1,000 to 10,000 documents; a spaCy DocBin is
serialised whole (spaCy's design), so that job grows with the corpus and is shown as such.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import peak_rss_mb, run_sized_jobs, write_results  # noqa: E402

SPANS_PER_DOC = 40
JOBS = {  # job -> (source format, source name, target format, target name)
    "floor": ("json", "gold.jsonl", "json", "copy.jsonl"),
    "native→native": ("native", "gold.jsonl", "native", "out.jsonl"),
    "native→brat": ("native", "gold.jsonl", "brat", "out-brat"),
    "brat→native": ("brat", "brat", "native", "back.jsonl"),
    "native→conll": ("native", "gold.jsonl", "conll", "out.conll"),
    "native→labelstudio": ("native", "gold.jsonl", "labelstudio", "tasks.json"),
    "native→spacy": ("native", "gold.jsonl", "spacy", "out.spacy"),
}


def prepare(folder: Path, docs: int) -> None:
    """gold.jsonl and its brat copy for `docs` generated articles (skipped if already there)."""
    from benchmarks.generate import corpus
    from newsgold.io.config import load_schema
    from newsgold.io.conversion import convert

    marker = folder / "complete"
    if marker.exists():
        return
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    with (folder / "gold.jsonl").open("w", encoding="utf-8") as gold:
        for document, _ in corpus(docs, SPANS_PER_DOC, seed=17):
            gold.write(json.dumps(document.to_dict(), ensure_ascii=False) + "\n")
    convert(folder / "gold.jsonl", folder / "brat", load_schema(), source_format="native", target_format="brat")
    marker.write_text("ok\n")


def worker(job: str, folder: Path) -> dict[str, Any]:
    """Run one job on a prepared corpus (called in a fresh process)."""
    source_format, source, target_format, target = JOBS[job]
    out = folder / "out"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    from newsgold.io.config import load_schema
    from newsgold.io.conversion import convert

    schema = load_schema()  # imports and the schema are not timed; the floor job pays for them too
    before = current_rss_mb()
    started = time.perf_counter()
    if job == "floor":
        docs = spans = 0
        with (folder / source).open(encoding="utf-8") as lines, (out / target).open("w", encoding="utf-8") as copy:
            for line in lines:
                record = json.loads(line)
                docs += 1
                spans += len(record["spans"])
                copy.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
        not_carried: list[str] = []
    else:
        report = convert(folder / source, out / target, schema, source_format=source_format, target_format=target_format)
        docs, spans, not_carried = report.documents, report.spans, report.not_carried
    seconds = time.perf_counter() - started
    shutil.rmtree(out, ignore_errors=True)
    return {"job": job, "docs": docs, "spans": spans, "seconds": round(seconds, 2), "docs_per_second": round(docs / seconds, 1),
            "peak_rss_mb": round(peak_rss_mb(), 1), "growth_mb": round(peak_rss_mb() - before, 1), "not_carried": not_carried}


def current_rss_mb() -> float:
    """This process's resident set size now (Linux), in MiB: the job's memory starts from here."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


def main() -> None:
    """Prepare each size, run every job, print and write the results."""
    parser = argparse.ArgumentParser(description="newsgold convert vs a bare JSON copy")
    parser.add_argument("--worker", choices=sorted(JOBS))
    parser.add_argument("--folder", type=Path)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--work", type=Path, default=Path("build/bench"))
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.folder)))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    results = run_sized_jobs(Path(__file__), sizes, JOBS, prepare, lambda size: args.work / f"convert-{size}", timeout=args.timeout)
    write_results(args.json, results)


if __name__ == "__main__":
    main()
