"""Ordered, bounded fan-out of independent jobs to forked worker processes.

Used where per-document work is independent (building the dataset, scoring): results come back
in input order, so output is identical for any number of workers, and at most `ahead` jobs are
in flight, so memory stays bounded however long the input stream is.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, Callable, Iterable, Iterator, TypeVar

S = TypeVar("S")
T = TypeVar("T")
R = TypeVar("R")


def can_fork() -> bool:
    """Whether worker processes can inherit the parent's state through `fork` (not on Windows)."""
    return "fork" in multiprocessing.get_all_start_methods()


def default_workers(work: int, *, minimum_work: int) -> int:
    """All cores when there is at least `minimum_work` (documents, spans) and fork is available, else 1."""
    if work < minimum_work or not can_fork():
        return 1
    return os.cpu_count() or 1


# The `shared` object of each running map, last one current: set in the parent just before the
# pool forks, so the workers inherit it (never pickled), and removed when the map is done.
_INHERITED: list[Any] = []


def _call_with_shared(job: tuple[Callable[[Any, T], R], T]) -> R:
    """Run one job in a worker with the state it inherited from the parent."""
    function, item = job
    return function(_INHERITED[-1], item)


def ordered_map(
    function: Callable[[S, T], R],
    items: Iterable[T],
    *,
    shared: S,
    workers: int,
    ahead: int | None = None,
) -> Iterator[R]:
    """`function(shared, item)` for each item, in `workers` forked processes, lazily, in order, with
    bounded lookahead.

    `shared` is the state every job needs (schema, tokenizer, the documents): forked workers
    inherit it instead of receiving a pickled copy with every job. `function` must be a
    module-level function (it is sent by reference). With one worker (or no fork) everything
    runs in this process, through the same function.
    """
    if workers <= 1 or not can_fork():
        for item in items:
            yield function(shared, item)
        return
    limit = ahead if ahead is not None else 2 * workers
    _INHERITED.append(shared)
    # Objects that exist before the fork (modules, schema, tokenizer) go to the collector's
    # permanent generation: the workers' collections then never scan them, which saves ~10% of
    # the CPU time of allocation-heavy jobs and avoids copy-on-write of the shared pages.
    gc.freeze()
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))
    pending: deque[Future[R]] = deque()
    try:
        for item in items:
            pending.append(pool.submit(_call_with_shared, (function, item)))
            if len(pending) >= limit:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        gc.unfreeze()
        _INHERITED.pop()
