"""The ordered fork map: state goes in as an explicit argument, results come back in order, nothing lingers."""

from __future__ import annotations

import os

import pytest

from newsgold import parallel


def _scaled(shared: dict[str, int], item: int) -> tuple[int, int]:
    return item * shared["factor"], os.getpid()


def _failing(shared: object, item: int) -> int:
    if item == 3:
        raise ValueError("job 3 failed")
    return item


@pytest.mark.parametrize("workers", [1, 2])
def test_results_in_order_with_the_shared_state(workers: int) -> None:
    results = list(parallel.ordered_map(_scaled, range(40), shared={"factor": 3}, workers=workers, ahead=3))
    assert [value for value, _ in results] == [i * 3 for i in range(40)]
    pids = {pid for _, pid in results}
    if workers > 1 and parallel.can_fork():
        assert os.getpid() not in pids  # the jobs ran in forked workers, which inherited `shared`
    else:
        assert pids == {os.getpid()}
    assert parallel._INHERITED == []  # nothing of this map is left behind


def test_a_failing_job_raises_and_cleans_up() -> None:
    with pytest.raises(ValueError, match="job 3 failed"):
        list(parallel.ordered_map(_failing, range(10), shared=None, workers=2))
    assert parallel._INHERITED == []
