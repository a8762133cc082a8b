"""Confidence intervals by bootstrap over documents, and the paired tests between two systems.

Scores are functions of per-document sums (`Cell`s), so a bootstrap sample is a vector of how
often each document was drawn, and every score of every sample is one matrix product away.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from newsgold.evaluate.metrics import f1_array

DEFAULT_SAMPLES = 1000
DEFAULT_SEED = 0
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Interval:
    """A two-sided confidence interval (None bounds when the score is undefined in most samples)."""

    low: float | None
    high: float | None

    def to_list(self) -> list[float | None]:
        """[low, high] for JSON."""
        return [self.low, self.high]


def draw_weights(n_docs: int, samples: int, seed: int) -> NDArray[Any]:
    """(samples, n_docs) counts: how often each document is drawn in each bootstrap sample.

    Drawn one sample (row) at a time into one preallocated array: the same numbers as drawing all
    at once, without the large temporary arrays (which cost more than the counting itself).
    """
    rng = np.random.default_rng(seed)
    weights = np.zeros((samples, n_docs), dtype=np.float64)
    if n_docs == 0:
        return weights
    for row in weights:
        row[:] = np.bincount(rng.integers(0, n_docs, size=n_docs), minlength=n_docs)
    return weights


def sample_sums(per_doc: NDArray[Any], samples: int, seed: int, *, chunk: int = 64) -> NDArray[Any]:
    """(samples, n_scores, 4) sums of every score in every bootstrap sample.

    The same draws as `draw_weights(n_docs, samples, seed)` @ per_doc, made `chunk` samples at a
    time: the (samples, n_docs) weight matrix is never held whole (80 MB for 10,000 documents,
    whose first touch alone costs more than the draws).
    """
    n_docs, n_scores, _ = per_doc.shape
    flat = per_doc.reshape(n_docs, n_scores * 4)
    sums = np.zeros((samples, n_scores * 4), dtype=np.float64)
    if n_docs == 0:
        return sums.reshape(samples, n_scores, 4)
    rng = np.random.default_rng(seed)
    weights = np.empty((min(chunk, samples), n_docs), dtype=np.float64)
    for first in range(0, samples, chunk):
        block = weights[: min(chunk, samples - first)]
        for row in block:
            row[:] = np.bincount(rng.integers(0, n_docs, size=n_docs), minlength=n_docs)
        np.matmul(block, flat, out=sums[first : first + len(block)])
    return sums.reshape(samples, n_scores, 4)


def sample_f1(per_doc: NDArray[Any], weights: NDArray[Any]) -> NDArray[Any]:
    """F1 of each score in each sample: per_doc is (n_docs, n_scores, 4) sums -> (samples, n_scores)."""
    n_docs, n_scores, _ = per_doc.shape
    sums = (weights @ per_doc.reshape(n_docs, n_scores * 4)).reshape(-1, n_scores, 4)  # BLAS, not einsum
    return f1_array(sums)


def intervals(samples: NDArray[Any], confidence: float = CONFIDENCE) -> list[Interval]:
    """Percentile interval of each column, ignoring undefined (NaN) samples."""
    tail = (1.0 - confidence) / 2 * 100
    result = []
    for column in samples.T:
        finite = column[~np.isnan(column)]
        if finite.size < max(1, column.size // 2):
            result.append(Interval(None, None))
        else:
            result.append(Interval(float(np.percentile(finite, tail)), float(np.percentile(finite, 100 - tail))))
    return result


def macro_samples(per_label_samples: NDArray[Any]) -> NDArray[Any]:
    """Macro F1 per sample: mean over the defined labels (columns)."""
    with np.errstate(invalid="ignore"):
        defined = ~np.isnan(per_label_samples)
        counts = defined.sum(axis=1)
        totals = np.where(defined, per_label_samples, 0.0).sum(axis=1)
        return np.where(counts > 0, totals / np.maximum(counts, 1), np.nan)


@dataclass(frozen=True)
class PairedResult:
    """Difference A − B of one F1 score: observed, bootstrap interval, and two p-values."""

    observed: float | None
    interval: Interval
    p_bootstrap: float | None
    p_randomization: float | None

    def to_dict(self) -> dict[str, object]:
        """Plain dict for JSON."""
        return {
            "difference": self.observed,
            "ci": self.interval.to_list(),
            "p_value_bootstrap": self.p_bootstrap,
            "p_value_randomization": self.p_randomization,
        }


def paired_tests(a: NDArray[Any], b: NDArray[Any], *, samples: int, seed: int, confidence: float = CONFIDENCE) -> list[PairedResult]:
    """Paired bootstrap and approximate randomization over documents for every score column.

    a, b: (n_docs, n_scores, 4) per-document sums of the two systems on the same gold.
    The bootstrap p-value is the two-sided share of resampled differences on the other side of
    zero (Koehn 2004 style, doubled); the randomization p-value swaps the two systems' outputs per
    document at random and counts differences at least as large as the observed one, (k+1)/(R+1).
    """
    n_docs = a.shape[0]
    observed = f1_array(a.sum(axis=0)) - f1_array(b.sum(axis=0))
    weights = draw_weights(n_docs, samples, seed)
    diffs = sample_f1(a, weights) - sample_f1(b, weights)
    rng = np.random.default_rng(seed + 1)
    swaps = rng.integers(0, 2, size=(samples, n_docs)).astype(np.float64)
    keep = 1.0 - swaps
    flat_a, flat_b = a.reshape(n_docs, -1), b.reshape(n_docs, -1)
    perm_a = (keep @ flat_a + swaps @ flat_b).reshape(samples, -1, 4)
    perm_b = (keep @ flat_b + swaps @ flat_a).reshape(samples, -1, 4)
    perm_diffs = f1_array(perm_a) - f1_array(perm_b)
    cis = intervals(diffs, confidence)
    results = []
    for column, value in enumerate(observed):
        if np.isnan(value):
            results.append(PairedResult(None, Interval(None, None), None, None))
            continue
        column_diffs = diffs[:, column][~np.isnan(diffs[:, column])]
        if column_diffs.size:
            below = float(np.mean(column_diffs <= 0))
            above = float(np.mean(column_diffs >= 0))
            p_boot = min(1.0, 2 * min(below, above))
        else:
            p_boot = None
        perm = perm_diffs[:, column]
        perm = perm[~np.isnan(perm)]
        extreme = int(np.sum(np.abs(perm) >= abs(value) - 1e-12))
        p_rand = (extreme + 1) / (perm.size + 1)
        results.append(PairedResult(float(value), cis[column], p_boot, p_rand))
    return results
