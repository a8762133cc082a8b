"""A toy extraction system as a command, for `newsgold eval run --cmd "python examples/command_system.py"`.

It shows the command protocol: newsgold writes one {"id", "text"} JSON object per line on stdin and
reads one prediction per line on stdout ({"id", "spans", "relations"}).
"""

from __future__ import annotations

import json
import re
import sys

FRAMING = {"terrorists": ("labeling", "armed_opposition"), "militants": ("labeling", "armed_opposition")}


def main() -> None:
    """Predict FRAMING spans for a small labelling lexicon, one document per input line."""
    for line in sys.stdin:
        document = json.loads(line)
        spans = []
        for match in re.finditer(r"\w+", document["text"]):
            entry = FRAMING.get(match.group().lower())
            if entry:
                spans.append({"id": f"F{len(spans) + 1}", "label": "FRAMING", "start": match.start(), "end": match.end(),
                              "attrs": {"device": entry[0], "target": entry[1], "valence": "negative", "voice": "authorial"}})
        print(json.dumps({"id": document["id"], "spans": spans, "relations": []}))


if __name__ == "__main__":
    main()
