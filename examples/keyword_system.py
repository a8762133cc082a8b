"""A toy extraction system as a Python callable, for `newsgold eval run keyword_system:predict`.

It shows the callable protocol: take the article text, return spans (by offsets or by text alone)
and relations as plain dicts. Run it from the repository root with `PYTHONPATH=examples`.
"""

from __future__ import annotations

import re

EVENT_WORDS = {"ceasefire": "CEASEFIRE", "truces": "CEASEFIRE", "aid": "AID", "airstrikes": "ATTACK", "rejected": "REJECT"}


def predict(text: str) -> dict:
    """EVENT spans for a few trigger words; one SPEAKER given by its text only (grounded by the scorer)."""
    spans = []
    for match in re.finditer(r"\w+", text):
        kind = EVENT_WORDS.get(match.group().lower())
        if kind:
            spans.append({"label": "EVENT", "start": match.start(), "end": match.end(),
                          "attrs": {"type": kind, "factuality": "asserted"}})
    if "Zakharova" in text:
        spans.append({"label": "SPEAKER", "text": "Maria Zakharova",
                      "attrs": {"mention": "name", "entity": "Maria Zakharova"}})
    return {"spans": spans, "relations": []}
