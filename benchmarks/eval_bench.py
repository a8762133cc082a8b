"""Scoring speed and memory: newsgold (every mode, relations, attributes, 1,000 bootstrap samples)
against nervaluate and seqeval on the same generated data, in one run.

    python benchmarks/eval_bench.py --json build/bench/eval.json

Each measurement runs in a fresh process (so peak RSS is its own); data generation is not timed.
Configurations: 1,000 documents at 10, 100 and 1,000 spans per document; the same 100,000 spans
as 10,000 × 10, 1,000 × 100 and 100 × 1,000 (how cost grows with document length, the per-run
setup an equal share of each); and 10,000 documents at 40 spans (the design target: 400,000
spans). nervaluate compares every predicted span with every gold span of a document, so above
400,000 spans it is run on a subset of documents and its time scaled up linearly (documents are
independent); the table says so.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import TreeMemory, cpu_seconds, peak_rss_mb, run_worker, write_results  # noqa: E402

CONFIGS = [(1000, 10), (1000, 100), (1000, 1000), (10000, 10), (100, 1000), (10000, 40)]
NERVALUATE_MAX_SPANS = 400_000  # above this many gold spans, nervaluate runs on a subset and is scaled
TOOLS = ("newsgold", "nervaluate", "seqeval")


def _data(docs: int, spans: int):  # type: ignore[no-untyped-def]
    from benchmarks.generate import corpus

    pairs = list(corpus(docs, spans, seed=7))
    return [g for g, _ in pairs], [p for _, p in pairs]


def worker(tool: str, docs: int, spans: int, samples: int) -> dict[str, Any]:
    """Time one tool on one configuration (called in a fresh process)."""
    gold, predictions = _data(docs, spans)
    total_spans = sum(len(g.spans) for g in gold)
    rss_data = peak_rss_mb()
    memory = TreeMemory().__enter__()  # sampled over the timed part (and the tool's imports)
    scaled_from = None
    workers = 1
    if tool == "newsgold":
        from newsgold.evaluate.scorer import ScoreOptions, score
        from newsgold.io.config import load_schema

        schema = load_schema()
        started, cpu_start = time.perf_counter(), cpu_seconds()
        report = score(gold, predictions, schema, options=ScoreOptions(samples=samples, allow_ungrounded=True)).to_dict()
        seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu_start
        check = report["scores"]["strict"]["micro"]["f1"]
        from newsgold.evaluate.scorer import auto_workers

        workers = auto_workers(list(zip(gold, predictions)))
    elif tool == "nervaluate":
        from nervaluate import Evaluator

        from newsgold.io.config import load_schema

        tags = list(load_schema().label_names)
        if total_spans > NERVALUATE_MAX_SPANS:
            subset = max(1, docs * NERVALUATE_MAX_SPANS // total_spans // 100)
            scaled_from = subset
            gold, predictions = gold[:subset], predictions[:subset]
        true = [[{"label": s.label, "start": s.start, "end": s.end - 1} for s in d.spans] for d in gold]
        pred = [[{"label": s.label, "start": s.start, "end": s.end - 1} for s in d.spans] for d in predictions]
        started, cpu_start = time.perf_counter(), cpu_seconds()
        result = Evaluator(true, pred, tags=tags, loader="dict").evaluate()
        seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu_start
        if scaled_from is not None:
            seconds *= docs / scaled_from
        check = result["overall"]["strict"].f1
    elif tool == "seqeval":
        from seqeval.metrics import classification_report
        from seqeval.scheme import IOB2

        from newsgold.io.config import load_schema
        from newsgold.text.iob2 import spans_to_tags

        labels = load_schema().label_names
        y_true, y_pred = [], []
        for g, p in zip(gold, predictions):
            tokens, position = [], 0
            for word in (g.text or "").split(" "):
                tokens.append((position, position + len(word)))
                position += len(word) + 1
            for label in labels:
                y_true.append(spans_to_tags(tokens, [(s.start, s.end) for s in g.spans if s.label == label], label))
                kept: list[tuple[int, int]] = []
                for s in sorted((s for s in p.spans if s.label == label), key=lambda s: (s.start, -s.end)):
                    if not kept or s.start >= kept[-1][1]:
                        kept.append((s.start, s.end))
                y_pred.append(spans_to_tags(tokens, kept, label))
        started, cpu_start = time.perf_counter(), cpu_seconds()
        report = classification_report(y_true, y_pred, mode="strict", scheme=IOB2, output_dict=True, zero_division=0)
        seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu_start
        check = report["micro avg"]["f1-score"]
    else:
        raise SystemExit(f"unknown tool {tool}")
    memory.__exit__()
    if scaled_from is not None:  # CPU of the timed part, worker processes included
        cpu *= docs / scaled_from
    return {
        "tool": tool, "docs": docs, "spans_per_doc": spans, "total_spans": total_spans,
        "seconds": round(seconds, 3), "us_per_span": round(seconds / total_spans * 1e6, 2),
        "peak_rss_mb": round(peak_rss_mb(), 1), "tree_pss_mb": round(memory.peak_mb, 1), "rss_after_data_mb": round(rss_data, 1),
        "workers": workers, "cpu_us_per_span": round(cpu / total_spans * 1e6, 2),
        "scaled_from_docs": scaled_from, "strict_micro_f1": round(float(check), 4),
    }


def main() -> None:
    """Run every configuration for every tool and print/write the results."""
    parser = argparse.ArgumentParser(description="newsgold scoring vs nervaluate and seqeval")
    parser.add_argument("--worker", choices=TOOLS)
    parser.add_argument("--docs", type=int)
    parser.add_argument("--spans", type=int)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--configs", default=",".join(f"{d}x{s}" for d, s in CONFIGS), help="e.g. 1000x10,10000x40")
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.docs, args.spans, args.samples)))
        return
    results = []
    for config in args.configs.split(","):
        docs, spans = (int(x) for x in config.split("x"))
        for tool in TOOLS:
            result = run_worker(Path(__file__), ["--worker", tool, "--docs", str(docs), "--spans", str(spans),
                                                 "--samples", str(args.samples)], timeout=args.timeout)
            result.setdefault("tool", tool)
            result.setdefault("docs", docs)
            result.setdefault("spans_per_doc", spans)
            print(json.dumps(result), flush=True)
            results.append(result)
    write_results(args.json, results)


if __name__ == "__main__":
    main()
