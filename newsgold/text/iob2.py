"""IOB2 tagging: spans of one label <-> a tag per token, and token refinement at span boundaries.

Each label is its own layer (labels nest: a FRAMING term inside a CLAIM), so a document gets one
tag sequence per label. `refine_tokens` splits tokens at span boundaries that fall inside a token,
so that every span is a whole number of tokens and decoding the tags gives back the exact spans.
"""

from __future__ import annotations

from bisect import bisect_right
from heapq import merge
from typing import Iterable, Sequence

import numpy as np

from newsgold.model.document import Span

Offsets = tuple[int, int]


def refine_tokens(tokens: Sequence[Offsets], boundaries: Iterable[int]) -> list[Offsets]:
    """Split tokens at every boundary offset that falls strictly inside one."""
    starts, ends = refined_token_arrays(tokens, list(boundaries))
    return list(zip(starts, ends))


def refined_token_arrays(tokens: Sequence[Offsets], boundaries: list[int]) -> tuple[list[int], list[int]]:
    """Token starts and ends after splitting tokens at every boundary strictly inside one."""
    if not tokens:
        return [], []
    starts = np.fromiter((s for s, _ in tokens), dtype=np.int64, count=len(tokens))
    ends = np.fromiter((e for _, e in tokens), dtype=np.int64, count=len(tokens))
    starts, ends = refine_arrays(starts, ends, np.asarray(boundaries, dtype=np.int64))
    return starts.tolist(), ends.tolist()


def refine_arrays(starts: np.ndarray, ends: np.ndarray, boundaries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`refined_token_arrays` on numpy arrays of sorted, non-overlapping token offsets."""
    if starts.size == 0:
        return starts, ends
    cuts = np.unique(boundaries)
    if cuts.size:
        holder = np.searchsorted(ends, cuts, side="right")  # first token ending after the cut
        valid = holder < len(starts)
        holder, cuts = holder[valid], cuts[valid]
        inside = cuts[starts[holder] < cuts]
        if inside.size:
            starts = np.sort(np.concatenate([starts, inside]))
            ends = np.sort(np.concatenate([ends, inside]))
    return starts, ends


def refine_lists(starts: list[int], ends: list[int], boundaries: Iterable[int]) -> tuple[list[int], list[int]]:
    """`refine_arrays` on lists, for short documents: a bisect per boundary costs less than the
    fixed cost of the numpy calls when there are a few dozen boundaries (same result, tested)."""
    inside = []
    n = len(starts)
    for cut in sorted(set(boundaries)):
        holder = bisect_right(ends, cut)  # first token ending after the cut
        if holder < n and starts[holder] < cut:
            inside.append(cut)
    if not inside:
        return starts, ends
    return list(merge(starts, inside)), list(merge(ends, inside))


def non_overlapping(spans: Iterable[Offsets]) -> list[Offsets]:
    """Spans of one label for a tag layer, which holds one tag per token: the earliest (the longest of
    those) is kept and every span overlapping one kept before it is dropped."""
    kept: list[Offsets] = []
    for start, end in sorted(spans, key=lambda s: (s[0], -s[1])):
        if not kept or start >= kept[-1][1]:
            kept.append((start, end))
    return kept


def spans_to_tags(tokens: Sequence[Offsets], spans: Iterable[Offsets], label: str) -> list[str]:
    """IOB2 tags of one label's spans over tokens; a token is inside a span if it overlaps it.

    Spans of one label do not overlap (the validator ensures it), so each token gets one tag.
    """
    tags = ["O"] * len(tokens)
    starts = [start for start, _ in tokens]
    for span_start, span_end in sorted(spans):
        first = max(bisect_right(starts, span_start) - 1, 0)
        inside = False
        for index in range(first, len(tokens)):
            token_start, token_end = tokens[index]
            if token_start >= span_end:
                break
            if token_end <= span_start:
                continue
            tags[index] = f"I-{label}" if inside else f"B-{label}"
            inside = True
    return tags


def tags_to_spans(tokens: Sequence[Offsets], tags: Sequence[str]) -> list[tuple[str, int, int]]:
    """Decode IOB2 tags into (label, start, end) character spans.

    Lenient like seqeval's default mode: an `I-` tag that does not continue a span of the same
    label starts a new one.
    """
    if len(tokens) != len(tags):
        raise ValueError(f"{len(tokens)} tokens but {len(tags)} tags")
    spans: list[tuple[str, int, int]] = []
    current: list = []  # [label, start, end]
    for (start, end), tag in zip(tokens, tags):
        if tag == "O":
            if current:
                spans.append(tuple(current))  # type: ignore[arg-type]
                current = []
            continue
        prefix, _, label = tag.partition("-")
        if prefix not in ("B", "I") or not label:
            raise ValueError(f"invalid IOB2 tag {tag!r}")
        if prefix == "I" and current and current[0] == label:
            current[2] = end
            continue
        if current:
            spans.append(tuple(current))  # type: ignore[arg-type]
        current = [label, start, end]
    if current:
        spans.append(tuple(current))  # type: ignore[arg-type]
    return spans


_SMALL = 64  # spans below which merge_crossed_sentences first checks for a crossing in plain Python


def merge_crossed_sentences(sentences: list[tuple[int, int]], spans: list[Span]) -> list[tuple[int, int]]:
    """Merge consecutive sentences that one span crosses, so no span straddles a sentence break."""
    if not sentences:
        return []
    offsets = [(span.start, span.end) for span in spans if span.start is not None and span.end is not None]
    if not offsets:
        return list(sentences)
    if len(offsets) <= _SMALL:  # most documents: no span crosses a break, and numpy would cost more than the check
        sentence_starts = [start for start, _ in sentences]
        if all(bisect_right(sentence_starts, start) == bisect_right(sentence_starts, end - 1) for start, end in offsets):
            return list(sentences)
    starts = np.array([start for start, _ in sentences], dtype=np.int64)
    bounds = np.array(offsets, dtype=np.int64)
    first = np.maximum(np.searchsorted(starts, bounds[:, 0], side="right") - 1, 0)
    last = np.maximum(np.searchsorted(starts, bounds[:, 1] - 1, side="right") - 1, 0)
    # join[i]: sentence i is merged with sentence i + 1 (some span covers both)
    depth = np.zeros(len(sentences) + 1, dtype=np.int64)
    crossing = first < last
    np.add.at(depth, first[crossing], 1)
    np.add.at(depth, last[crossing], -1)
    join = np.cumsum(depth[:-1]) > 0
    if not join.any():
        return list(sentences)
    keep_start = np.concatenate([[True], ~join[:-1]])  # a merged group starts where the previous did not join
    group_starts = np.flatnonzero(keep_start)
    group_ends = np.append(group_starts[1:] - 1, len(sentences) - 1)
    ends = [end for _, end in sentences]
    return [(sentences[a][0], ends[b]) for a, b in zip(group_starts.tolist(), group_ends.tolist())]
