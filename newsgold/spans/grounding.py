"""Grounding: give offsets to predicted spans that come with their `text` only (LLM extractors).

Each span's text is looked up with surrounding whitespace ignored: the n-th exact occurrence when
the span says `occurrence: n`; otherwise among the exact occurrences not already taken by a span
of the same label, else the same on a normalised text (whitespace runs collapsed, curly quotes
straightened, case folded). Which occurrence a span takes does not depend on input order: spans
with the same label and text share the free occurrences by one optimal assignment, relation heads
taking the occurrence nearest their tails (`Grounder.ground`). A span that cannot be found is
reported as ungrounded, never dropped silently: it stays a prediction without offsets and counts
as a false positive in every span mode.

`Grounder(text, fuzzy=0.9)` adds a last tier for language-model output that paraphrases a little
(a dropped word, changed punctuation): the most similar stretch of words, if its similarity
reaches the threshold — unless it changes a number or a negation (`changes_meaning`), which is
vetoed: "16 people" never grounds on "15 people", nor "did not attack" on "did attack".
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from difflib import SequenceMatcher

import numpy as np
from scipy.optimize import linear_sum_assignment

from newsgold.model.document import Document, Span

QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"'})


@dataclass(frozen=True)
class Ungrounded:
    """A predicted span whose text was not found in the document."""

    doc_id: str
    span_id: str
    label: str
    text: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        """Plain dict for reports."""
        return {"doc_id": self.doc_id, "span_id": self.span_id, "label": self.label, "text": self.text, "reason": self.reason}


def normalise(text: str) -> tuple[str, list[int]]:
    """Normalised text and, for each of its characters, the index of the original character."""
    chars: list[str] = []
    origin: list[int] = []
    previous_space = False
    for index, char in enumerate(text):
        if char.isspace():
            if previous_space:
                continue
            chars.append(" ")
            origin.append(index)
            previous_space = True
            continue
        previous_space = False
        lowered = char.translate(QUOTES).lower()
        chars.append(lowered if len(lowered) == 1 else char)
        origin.append(index)
    return "".join(chars), origin


NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
WORD = re.compile(r"\S+")
NEGATIONS = frozenset({"not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "nowhere", "cannot", "without"})


def meaning_markers(text: str) -> tuple[Counter[str], Counter[str]]:
    """The numbers and negation words of a text (normalised), whose change a fuzzy match may not make."""
    normal = normalise(text)[0]
    numbers = Counter(m.replace(",", "") for m in NUMBER.findall(normal))
    words = [w.strip(".,;:!?\"'()[]") for w in normal.split()]
    negations = Counter(w for w in words if w in NEGATIONS or w.endswith("n't"))
    return numbers, negations


def changes_meaning(wanted: str, found: str) -> str | None:
    """Why `found` may not stand for `wanted` (a number or a negation differs), or None."""
    (numbers_a, negations_a), (numbers_b, negations_b) = meaning_markers(wanted), meaning_markers(found)
    if numbers_a != numbers_b:
        return f"the nearest match changes a number ({' '.join(sorted(numbers_a)) or 'none'} vs {' '.join(sorted(numbers_b)) or 'none'})"
    if negations_a != negations_b:
        return "the nearest match changes a negation"
    return None


def _occurrences(haystack: str, needle: str) -> list[int]:
    found = []
    start = haystack.find(needle)
    while start >= 0 and needle:
        found.append(start)
        start = haystack.find(needle, start + 1)
    return found


class Grounder:
    """Grounds the text-only spans of predictions for one document text."""

    def __init__(self, text: str, *, fuzzy: float | None = None) -> None:
        self.text = text
        self.normal, self.origin = normalise(text)
        self.fuzzy = fuzzy
        self._words: list[tuple[int, int]] | None = None
        self.vetoed: dict[str, str] = {}  # needle -> why its nearest match was refused

    def near(self, needle: str) -> list[tuple[int, int]]:
        """The most similar stretch of words (similarity >= `fuzzy`), unless it changes a number or
        a negation; [] otherwise. Windows start at a word equal to one of the needle's first two
        words or end at one equal to its last, and run one word shorter to one longer."""
        if self.fuzzy is None:
            return []
        pattern = normalise(needle.strip())[0]
        wanted = pattern.split()
        if not wanted:
            return []
        if self._words is None:
            self._words = [(m.start(), m.end()) for m in WORD.finditer(self.normal)]
        words = self._words
        tokens = [self.normal[s:e] for s, e in words]
        best: tuple[float, int, int] | None = None
        n = len(wanted)
        firsts, last = set(wanted[:2]), wanted[-1]
        for i, token in enumerate(tokens):
            spans = []
            if token in firsts:
                spans += [(i, i + size) for size in (n - 1, n, n + 1) if size > 0 and i + size <= len(tokens)]
            if token == last:
                spans += [(i + 1 - size, i + 1) for size in (n - 1, n, n + 1) if size > 0 and i + 1 - size >= 0]
            for a, b in spans:
                candidate = self.normal[words[a][0]:words[b - 1][1]]
                ratio = SequenceMatcher(None, pattern, candidate, autojunk=False).ratio()
                if best is None or ratio > best[0] or ratio == best[0] and (a, b) < (best[1], best[2]):
                    best = (ratio, a, b)
        if best is None or best[0] < self.fuzzy:
            return []
        start, end = self.origin[words[best[1]][0]], self.origin[words[best[2] - 1][1] - 1] + 1
        reason = changes_meaning(needle, self.text[start:end])
        if reason is not None:
            self.vetoed[needle.strip()] = reason
            return []
        return [(start, end)]

    def exact(self, needle: str) -> list[tuple[int, int]]:
        """Offsets of every exact occurrence."""
        return [(i, i + len(needle)) for i in _occurrences(self.text, needle)]

    def normalised(self, needle: str) -> list[tuple[int, int]]:
        """Offsets (in the original text) of every occurrence after normalising both sides."""
        pattern = normalise(needle.strip())[0]
        return [(self.origin[i], self.origin[i + len(pattern) - 1] + 1) for i in _occurrences(self.normal, pattern)]

    def candidates(self, needle: str) -> list[tuple[tuple[int, int], bool]]:
        """Every occurrence of the text (surrounding whitespace ignored), exact ones first, each with `exact`.

        Occurrences inside a longer word ("he" in "the") are left out when the text occurs as a
        whole word anywhere, and used only when it does not.
        """
        stripped = needle.strip()
        exact = self.exact(stripped)
        seen = set(exact)
        found = [(o, True) for o in exact] + [(o, False) for o in self.normalised(stripped) if o not in seen]
        whole = [(o, exact) for o, exact in found if self._whole_words(*o)]
        return whole or found or [(o, False) for o in self.near(stripped)]

    def _whole_words(self, start: int, end: int) -> bool:
        """Whether the stretch neither starts nor ends inside a word."""
        text = self.text
        return not (start > 0 and text[start - 1].isalnum() and text[start].isalnum()) and \
            not (end < len(text) and text[end].isalnum() and text[end - 1].isalnum())

    def ground_in_order(self, document: Document) -> tuple[Document, list[Ungrounded]]:
        """`ground`, after a first pass that trusts the order of the spans (an LLM asked to list them
        in reading order): each text-only span takes its first occurrence at or after the start of
        the span placed before it; spans that find none are left to `ground`."""
        cursor = 0
        spans: list[Span] = []
        taken = {(s.label, s.start, s.end) for s in document.spans if s.start is not None}
        for span in document.spans:
            if span.start is None and span.text is not None and span.occurrence is None:
                after = [o for o, _ in self.candidates(span.text) if o[0] >= cursor and (span.label, *o) not in taken]
                if after:
                    start, end = after[0]
                    span = replace(span, start=start, end=end, text=self.text[start:end])
                    taken.add((span.label, start, end))
            if span.start is not None:
                cursor = span.start
            spans.append(span)
        return self.ground(replace(document, spans=spans))

    def ground(self, document: Document) -> tuple[Document, list[Ungrounded]]:
        """A copy of `document` with offsets for every span that has text only, and the failures.

        The result does not depend on the order of the spans or relations. Spans that head no
        relation are grounded first; then each relation head (a claim) takes the free occurrence
        nearest the span it points to, so that two claims with the same text attributed to two
        speakers each take the occurrence next to its own speaker. Spans with the same label and
        text share their occurrences by one optimal assignment (earliest occurrences for spans
        with nothing to be near), never first come, first served.
        """
        taken = {(s.label, s.start, s.end) for s in document.spans if s.start is not None}
        placed: dict[str, tuple[int, int]] = {s.id: (s.start, s.end) for s in document.spans if s.start is not None and s.end is not None}
        heads: dict[str, set[str]] = {}
        for relation in document.relations:
            heads.setdefault(relation.head, set()).add(relation.tail)
        chosen: dict[str, tuple[int, int]] = {}
        failures: list[Ungrounded] = []
        pending = [s for s in document.spans if s.start is None and s.text is not None]
        for round_spans in ([s for s in pending if s.id not in heads], [s for s in pending if s.id in heads]):
            groups: dict[tuple[str, str], list[Span]] = {}
            for span in sorted(round_spans, key=lambda s: (s.label, s.text or "", s.id)):
                if span.occurrence is not None:
                    self._nth(span, document.id, chosen, failures)
                else:
                    groups.setdefault((span.label, (span.text or "").strip()), []).append(span)
            for (label, text), spans in groups.items():
                options = self.candidates(text)
                if not options:
                    reason = self.vetoed.get(text) or f"text not found in the document (exactly{', normalised or near' if self.fuzzy else ' or normalised'})"
                    failures.extend(Ungrounded(document.id, s.id, s.label, s.text or "", reason) for s in spans)
                    continue
                free = [(o, exact) for o, exact in options if (label, *o) not in taken] or options[:1]  # all taken: duplicates
                for span, option in zip(spans, _assign(spans, free, heads, placed, len(self.text) + 1)):
                    chosen[span.id] = option
                    taken.add((label, *option))
            placed.update(chosen)
        spans = [replace(s, start=chosen[s.id][0], end=chosen[s.id][1], text=self.text[chosen[s.id][0] : chosen[s.id][1]])
                 if s.id in chosen else s for s in document.spans]
        return replace(document, spans=spans), failures

    def _nth(self, span: Span, doc_id: str, chosen: dict[str, tuple[int, int]], failures: list[Ungrounded]) -> None:
        """Ground a span that names its occurrence (`occurrence: n`, 1-based)."""
        exact, normal = self.exact((span.text or "").strip()), self.normalised(span.text or "")
        for options in (exact, normal):
            if span.occurrence is not None and span.occurrence <= len(options):
                chosen[span.id] = options[span.occurrence - 1]
                return
        failures.append(Ungrounded(doc_id, span.id, span.label, span.text or "",
                                   f"occurrence {span.occurrence} not found ({len(exact)} exact, {len(normal)} normalised)"))


def _assign(
    spans: list[Span], options: list[tuple[tuple[int, int], bool]], heads: dict[str, set[str]],
    placed: dict[str, tuple[int, int]], inexact_penalty: int,
) -> list[tuple[int, int]]:
    """One occurrence per span (spans beyond the occurrences repeat the first): least total cost.

    A span that heads relations wants to be near its tails' offsets; any other span wants the
    earliest occurrence; an occurrence found only after normalising costs `inexact_penalty` more,
    so exact ones go first. Ties go to the canonical span order, so input order never matters.
    """
    if len(options) == 1 or len(spans) == 1 and not heads.get(spans[0].id):
        return [options[0][0]] * len(spans)
    costs = np.empty((len(spans), len(options)))
    for row, span in enumerate(spans):
        anchors = [placed[t][0] for t in sorted(heads.get(span.id, ())) if t in placed]
        for column, ((start, _), exact) in enumerate(options):
            near = min(abs(start - a) for a in anchors) if anchors else start
            costs[row, column] = near + (0 if exact else inexact_penalty)
    rows, columns = linear_sum_assignment(costs)
    assigned = {int(r): options[int(c)][0] for r, c in zip(rows, columns)}
    return [assigned.get(row, options[0][0]) for row in range(len(spans))]
