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

    def exact(self, needle: str) -> list[tuple[int, int]]:
        """Offsets of every exact occurrence."""
        return [(i, i + len(needle)) for i in _occurrences(self.text, needle)]

    def normalised(self, needle: str) -> list[tuple[int, int]]:
        """Offsets (in the original text) of every occurrence after normalising both sides."""
        pattern = normalise(needle.strip())[0]
        return [(self.origin[i], self.origin[i + len(pattern) - 1] + 1) for i in _occurrences(self.normal, pattern)]

    def ground(self, document: Document) -> tuple[Document, list[Ungrounded]]:
        """A copy of `document` with offsets for every span that has text only, and the failures."""
        taken = {(s.label, s.start, s.end) for s in document.spans if s.start is not None}
        spans: list[Span] = []
        failures: list[Ungrounded] = []
        for span in document.spans:
            if span.start is not None or span.text is None:
                spans.append(span)
                continue
            exact, normal = self.exact(span.text), self.normalised(span.text)
            chosen = None
            if span.occurrence is not None:
                for options in (exact, normal):
                    if span.occurrence <= len(options):
                        chosen = options[span.occurrence - 1]
                        break
                reason = f"occurrence {span.occurrence} not found ({len(exact)} exact, {len(normal)} normalised)"
            else:
                for options in (exact, normal):
                    free = [o for o in options if (span.label, *o) not in taken]
                    if free:
                        chosen = free[0]
                        break
                else:
                    chosen = (exact or normal or [None])[0]  # every occurrence taken: a duplicate
                reason = "text not found in the document (exactly or normalised)"
            if chosen is None:
                failures.append(Ungrounded(document.id, span.id, span.label, span.text, reason))
                spans.append(span)
                continue
            taken.add((span.label, *chosen))
            spans.append(replace(span, start=chosen[0], end=chosen[1], text=self.text[chosen[0] : chosen[1]]))
        return replace(document, spans=spans), failures
