"""Precision, recall and F1 from sufficient statistics, with the empty-set conventions in one place.

Every score in newsgold is computed from a `Cell` of four sums, so that documents can be added
up, resampled (bootstrap) and compared without recomputing matches:

    precision = p_num / p_den        recall = r_num / r_den        F1 = harmonic mean

For count modes `p_num = r_num = TP`, `p_den` = predicted spans, `r_den` = gold spans. For the
`partial` mode the numerators are the SemEval-2020 Task 11 overlap credits. Conventions:
a zero denominator gives 0.0 (like scikit-learn's `zero_division=0`), except when both gold and
predictions are empty, where the score is undefined (`None`) and left out of macro averages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class Cell:
    """Sufficient statistics of one score: precision and recall numerators and denominators."""

    p_num: float = 0.0
    p_den: float = 0.0
    r_num: float = 0.0
    r_den: float = 0.0

    def __add__(self, other: Cell) -> Cell:
        return Cell(self.p_num + other.p_num, self.p_den + other.p_den, self.r_num + other.r_num, self.r_den + other.r_den)

    @classmethod
    def counts(cls, tp: float, predicted: float, gold: float) -> Cell:
        """A count-mode cell: TP over predicted (precision) and over gold (recall)."""
        return cls(tp, predicted, tp, gold)

    @property
    def defined(self) -> bool:
        """False when there is nothing to score (no gold and no predictions)."""
        return self.p_den > 0 or self.r_den > 0

    def scores(self) -> dict[str, float | None]:
        """precision, recall, f1 (None when undefined)."""
        return prf(self.p_num, self.p_den, self.r_num, self.r_den)

    def to_dict(self) -> dict[str, float | None]:
        """Scores, the counts users expect (tp, fp, fn, support) and the raw sums, as reported in JSON.

        `support` is the gold count and `predicted` the predicted count. With partial credit the
        precision and recall numerators differ, so there is no single tp: tp, fp and fn are then
        None and p_num / r_num hold the credit.
        """
        data: dict[str, float | None] = dict(self.scores())
        integral = self.p_num == self.r_num
        data.update(
            tp=self.p_num if integral else None,
            fp=self.p_den - self.p_num if integral else None,
            fn=self.r_den - self.r_num if integral else None,
            support=self.r_den,
            predicted=self.p_den,
        )
        data.update(p_num=self.p_num, p_den=self.p_den, r_num=self.r_num, r_den=self.r_den)
        return data


def prf(p_num: float, p_den: float, r_num: float, r_den: float) -> dict[str, float | None]:
    """Precision, recall and F1 with newsgold's zero-division conventions (module docstring)."""
    if p_den == 0 and r_den == 0:
        return {"precision": None, "recall": None, "f1": None}
    precision = p_num / p_den if p_den else 0.0
    recall = r_num / r_den if r_den else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def prf_rows(sums: NDArray[Any]) -> list[dict[str, float | None]]:
    """`prf` of every row of an (n, 4) array of sums, vectorised (the same floats as `prf`)."""
    p_num, p_den, r_num, r_den = (sums[:, i] for i in range(4))
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(p_den != 0, p_num / np.where(p_den != 0, p_den, 1.0), 0.0)
        recall = np.where(r_den != 0, r_num / np.where(r_den != 0, r_den, 1.0), 0.0)
        both = precision + recall
        f1 = np.where(both != 0, 2 * precision * recall / np.where(both != 0, both, 1.0), 0.0)
    undefined = ((p_den == 0) & (r_den == 0)).tolist()
    empty = {"precision": None, "recall": None, "f1": None}
    return [
        dict(empty) if none else {"precision": p, "recall": r, "f1": f}
        for none, p, r, f in zip(undefined, precision.tolist(), recall.tolist(), f1.tolist())
    ]


def total(cells: Iterable[Cell]) -> Cell:
    """Sum of cells (micro aggregation)."""
    result = Cell()
    for cell in cells:
        result = result + cell
    return result


def macro(cells: Iterable[Cell]) -> dict[str, float | None]:
    """Unweighted mean of the defined per-label scores (undefined labels are left out)."""
    scores = [cell.scores() for cell in cells if cell.defined]
    if not scores:
        return {"precision": None, "recall": None, "f1": None}
    return {key: sum(s[key] for s in scores) / len(scores) for key in ("precision", "recall", "f1")}  # type: ignore[misc]


def f1_array(sums: NDArray[Any]) -> NDArray[Any]:
    """Vectorised F1 over the last axis of [..., 4] sums (p_num, p_den, r_num, r_den); NaN if undefined."""
    p_num, p_den, r_num, r_den = (sums[..., i] for i in range(4))
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(p_den > 0, p_num / np.where(p_den > 0, p_den, 1), 0.0)
        recall = np.where(r_den > 0, r_num / np.where(r_den > 0, r_den, 1), 0.0)
        denominator = precision + recall
        f1 = np.where(denominator > 0, 2 * precision * recall / np.where(denominator > 0, denominator, 1), 0.0)
    return np.where((p_den > 0) | (r_den > 0), f1, np.nan)
