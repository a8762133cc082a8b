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
from typing import Callable, Iterable, Iterator, TypeVar

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


def ordered_map(
    function: Callable[[T], R],
    items: Iterable[T],
    *,
    workers: int,
    initializer: Callable[[], None] | None = None,
    ahead: int | None = None,
) -> Iterator[R]:
    """`map(function, items)` in `workers` forked processes, lazily, in order, with bounded lookahead.

    `function` must be a module-level function; state it needs (schema, tokenizer) is best set
    in module globals before calling, since forked workers inherit it. With one worker (or no
    fork) everything runs in this process, through the same function.
    """
    if workers <= 1 or not can_fork():
        if initializer is not None:
            initializer()
        yield from map(function, items)
        return
    limit = ahead if ahead is not None else 2 * workers
    # Objects that exist before the fork (modules, schema, tokenizer) go to the collector's
    # permanent generation: the workers' collections then never scan them, which saves ~10% of
    # the CPU time of allocation-heavy jobs and avoids copy-on-write of the shared pages.
    gc.freeze()
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"), initializer=initializer)
    pending: deque[Future[R]] = deque()
    try:
        for item in items:
            pending.append(pool.submit(function, item))
            if len(pending) >= limit:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        gc.unfreeze()
