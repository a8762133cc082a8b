"""Process-level settings for the allocation-heavy phases.

`paused_gc` is used at the top-level entry points only — `build_dataset`, `score`,
`ScoreResult.to_dict` and `score_files` — never inside the library functions a notebook user
calls on their own (readers, validators); forked workers inherit the paused collector.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a phase that allocates many acyclic objects.

    Reading and scoring a large corpus creates millions of small objects (spans, cells, report
    dicts) and no reference cycles; with the collector running, every few thousand allocations
    trigger a collection that walks the whole heap, which measured up to a third of the time of
    large runs. Reference counting still frees everything; the collector resumes afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
