"""Grounding: give offsets to predicted spans that come with their `text` only (LLM extractors).

Order of attempts for each span: the n-th exact occurrence when the span says `occurrence: n`;
otherwise the first exact occurrence not already taken by a span of the same label; then the same
on a normalised text (whitespace runs collapsed, curly quotes straightened, case folded). A span
that cannot be found is reported as ungrounded, never dropped silently: it stays a prediction
without offsets and counts as a false positive in every span mode.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from newsgold.document import Document, Span

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


def _occurrences(haystack: str, needle: str) -> list[int]:
    found = []
    start = haystack.find(needle)
    while start >= 0 and needle:
        found.append(start)
        start = haystack.find(needle, start + 1)
    return found


class Grounder:
    """Grounds the text-only spans of predictions for one document text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.normal, self.origin = normalise(text)

    def candidates(self, needle: str) -> list[tuple[int, int]]:
        """Exact occurrences, or else normalised occurrences mapped back to original offsets."""
        exact = [(i, i + len(needle)) for i in _occurrences(self.text, needle)]
        if exact:
            return exact
        pattern = normalise(needle.strip())[0]
        result = []
        for i in _occurrences(self.normal, pattern):
            last = i + len(pattern) - 1
            result.append((self.origin[i], self.origin[last] + 1))
        return result

    def ground(self, document: Document) -> tuple[Document, list[Ungrounded]]:
        """A copy of `document` with offsets for every span that has text only, and the failures."""
        taken = {(s.label, s.start, s.end) for s in document.spans if s.start is not None}
        spans: list[Span] = []
        failures: list[Ungrounded] = []
        for span in document.spans:
            if span.start is not None or span.text is None:
                spans.append(span)
                continue
            options = self.candidates(span.text)
            chosen = None
            if span.occurrence is not None:
                if span.occurrence <= len(options):
                    chosen = options[span.occurrence - 1]
                reason = f"occurrence {span.occurrence} of the text not found ({len(options)} found)"
            else:
                free = [o for o in options if (span.label, *o) not in taken]
                chosen = free[0] if free else (options[0] if options else None)
                reason = "text not found in the document (exactly or normalised)"
            if chosen is None:
                failures.append(Ungrounded(document.id, span.id, span.label, span.text, reason))
                spans.append(span)
                continue
            taken.add((span.label, *chosen))
            spans.append(replace(span, start=chosen[0], end=chosen[1], text=self.text[chosen[0] : chosen[1]]))
        return replace(document, spans=spans), failures
