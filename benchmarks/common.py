"""Helpers shared by the benchmark scripts: run a worker in a fresh process, read its peak RSS."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterable

ROOT = Path(__file__).resolve().parents[1]


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB.

    Linux: `VmHWM` of /proc/self/status, the high-water mark of this program's own memory.
    `ru_maxrss` is kept across execve (getrusage(2)), so a worker started by a parent that had
    grown would report the parent's peak as its own; elsewhere it is the fallback.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


class TreeMemory:
    """Samples the proportional set size (PSS) of this process and all its descendants.

    `ru_maxrss` sees one process only, and a forked worker's RSS counts the pages it shares with
    its parent, so summing RSS would count the shared corpus several times. PSS splits each
    shared page between the processes that map it, so the sum over the tree is the memory the
    job really holds. Sampled every `interval` seconds in a thread (Linux only; 0 elsewhere).
    """

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "TreeMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mb(self) -> float:
        """The largest sampled tree PSS, in MiB."""
        return self.peak_kib / 1024

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_kib = max(self.peak_kib, sum(_pss_kib(pid) for pid in _tree(os.getpid())))
            self._stop.wait(self.interval)


def _tree(pid: int) -> list[int]:
    pids, index = [pid], 0
    while index < len(pids):
        current = pids[index]
        index += 1
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                pids += [int(child) for child in task.read_text().split()]
            except OSError:
                continue
    return pids


def _pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def cpu_seconds() -> float:
    """CPU time (user + system) of this process and its finished children so far."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_worker(script: Path, args: list[str], *, timeout: float) -> dict[str, Any]:
    """Run `script --worker …` in a fresh interpreter and return the JSON it prints last."""
    started = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    if done.returncode != 0:
        return {"error": f"exit {done.returncode}: {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ''}"}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_seconds"] = round(time.perf_counter() - started, 2)
    return result


def run_sized_jobs(script: Path, sizes: Iterable[int], jobs: Iterable[str], prepare: Callable[[Path, int], None],
                   folder_of: Callable[[int], Path], *, timeout: float) -> list[dict[str, Any]]:
    """For each corpus size: prepare its folder, then run `script --worker JOB --folder FOLDER` for every
    job in a fresh process; each result is tagged with its job and size and printed as it comes."""
    results = []
    for size in sizes:
        folder = folder_of(size)
        prepare(folder, size)
        for job in jobs:
            result = run_worker(script, ["--worker", job, "--folder", str(folder)], timeout=timeout)
            result.setdefault("job", job)
            result.setdefault("docs", size)
            print(json.dumps(result, ensure_ascii=False), flush=True)
            results.append(result)
    return results


def write_results(path: Path | None, results: list[dict[str, Any]]) -> None:
    """The raw results as indented JSON (what `run.py` renders RESULTS.md from); nothing without a path."""
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
