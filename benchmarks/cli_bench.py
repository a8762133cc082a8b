"""Start-up of the command line: `newsgold --help`, a subcommand's `--help`, `validate` on one file,
against `python -c pass` (the interpreter alone) and spaCy's own CLI `--help`, in one run.

    python benchmarks/cli_bench.py --repeat 7 --json build/bench/cli.json

Each command runs `repeat` times in a fresh process (warm file cache after the first, which is
discarded); the median wall time is recorded. Targets (issue 17): any `--help` under 0.5 s,
`validate` on one file under 1.5 s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import write_results  # noqa: E402

BIN = Path(sys.executable).parent
SEED_GOLD = "gold/000_1c4f7a9ed72f78a1.json"
COMMANDS = {  # name -> (argv, target seconds or None for a reference)
    "python -c pass": ([sys.executable, "-c", "pass"], None),
    "spacy --help": ([sys.executable, "-m", "spacy", "--help"], None),
    "newsgold --help": ([str(BIN / "newsgold"), "--help"], 0.5),
    "newsgold eval run --help": ([str(BIN / "newsgold"), "eval", "run", "--help"], 0.5),
    "newsgold annotate push --help": ([str(BIN / "newsgold"), "annotate", "push", "--help"], 0.5),
    "newsgold validate (one file)": ([str(BIN / "newsgold"), "validate", SEED_GOLD], 1.5),
}


def measure(argv: list[str], repeat: int) -> float:
    """Median wall seconds of `repeat` runs after one warm-up run."""
    times = []
    for index in range(repeat + 1):
        started = time.perf_counter()
        subprocess.run(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        if index:
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description="command-line start-up against python -c pass and spaCy's CLI")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results: list[dict[str, Any]] = []
    for name, (argv, target) in COMMANDS.items():
        seconds = measure(argv, args.repeat)
        results.append({"command": name, "seconds": round(seconds, 3), "target": target})
        print(json.dumps(results[-1]), flush=True)
    write_results(args.json, results)


if __name__ == "__main__":
    main()
