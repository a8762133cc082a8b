"""A/B the scoring cost of two checkouts, alternating, on the same generated data.

    python benchmarks/ab_compare.py /path/to/checkout-a /path/to/checkout-b --docs 400 --spans 10 --rounds 6

Each round runs `eval_bench.worker("newsgold", …)` once per checkout, each in a fresh process
importing that checkout's code, and the medians of the CPU µs per span are printed. Use it for
refactors that must not change speed: the machine's noise (±15% run to run) averages out over
alternating rounds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path


def run_once(root: Path, docs: int, spans: int, samples: int) -> float:
    code = (
        f"import sys, json; sys.path.insert(0, {str(root)!r}); from benchmarks.eval_bench import worker; "
        f"print(json.dumps(worker('newsgold', {docs}, {spans}, {samples})))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"})
    line = [item for item in out.stdout.splitlines() if item.startswith("{")][-1]
    return float(json.loads(line)["cpu_us_per_span"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("a", type=Path)
    parser.add_argument("b", type=Path)
    parser.add_argument("--docs", type=int, default=400)
    parser.add_argument("--spans", type=int, default=10)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()
    found: dict[Path, list[float]] = {args.a: [], args.b: []}
    for _ in range(args.rounds):
        for root in (args.a, args.b):
            found[root].append(run_once(root.resolve(), args.docs, args.spans, args.samples))
    for root, values in found.items():
        print(f"{root}: CPU µs/span {[round(v, 1) for v in values]}, median {statistics.median(values):.1f}")
    a, b = (statistics.median(found[r]) for r in (args.a, args.b))
    print(f"b ÷ a = {b / a:.3f}")


if __name__ == "__main__":
    main()
