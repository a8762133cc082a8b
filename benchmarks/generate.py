"""Seeded synthetic corpora and predictions for the benchmarks.

A document is news-like text built from a small vocabulary, with spans of all four labels
(CLAIMs over clauses, SPEAKERs before them, EVENTs and FRAMING terms nested inside claims),
`attributed_to` and `about` relations and valid attributes. Predictions copy the gold with a
controlled error mix: misses, boundary shifts, wrong labels, wrong attributes and spurious spans.

    python benchmarks/generate.py --docs 1000 --spans 40 --out build/bench/corpus
writes gold.jsonl and predictions.jsonl (and with --seeds, one seeds/<id>.txt per document).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from newsgold.io.config import load_schema
from newsgold.model.document import Document, Relation, Span, text_sha256  # noqa: E402
from newsgold.model.schema import Schema  # noqa: E402

COMMON = (
    "the government forces said city officials reported that aid convoys reached eastern districts after "
    "talks on a ceasefire while militants rejected the proposal and residents waited for food water medicine "
    "ministry spokesman noted troops advanced near the border as observers warned of new attacks today"
).split()


def _vocabulary(size: int = 20000, seed: int = 5) -> list[str]:
    """A news-like vocabulary: common words first, then made-up words, names, numbers, hyphens, quotes."""
    rng = random.Random(seed)
    letters = "etaoinshrdlcumwfgypbvkjxqz"
    words = list(COMMON)
    while len(words) < size:
        word = "".join(rng.choice(letters[: rng.randint(8, 26)]) for _ in range(rng.randint(2, 11)))
        roll = rng.random()
        if roll < 0.15:
            word = word.capitalize()
        elif roll < 0.18:
            word = f"{rng.randint(2, 999)},{rng.randint(100, 999)}" if rng.random() < 0.5 else str(rng.randint(1, 2030))
        elif roll < 0.22:
            word = f"{word}-{rng.choice(COMMON)}"
        elif roll < 0.25:
            word = f"“{word}”"
        elif roll < 0.28:
            word = f"{word}’s"
        elif roll < 0.33:
            word = f"{word},"
        words.append(word)
    return words


WORDS = _vocabulary()
# Zipf-like frequencies (rank^-1), as in running text: a few words are everywhere, most are rare.
WEIGHTS = [1.0 / rank for rank in range(1, len(WORDS) + 1)]
NAMES = ["Anna Petrova", "John Smith", "Maria Lopez", "Ahmed Hassan", "Li Wei", "the ministry", "the council"]


@dataclass(frozen=True)
class ErrorMix:
    """Probabilities of each kind of prediction error, per gold span (spurious: per document span)."""

    miss: float = 0.10
    shift: float = 0.10
    relabel: float = 0.05
    attribute: float = 0.10
    spurious: float = 0.10


def _attrs(schema: Schema, label: str, rng: random.Random, entity: str = "Anna Petrova") -> dict[str, str]:
    out = {}
    for attribute in schema.label(label).attributes:
        out[attribute.name] = rng.choice(attribute.value_names) if attribute.kind == "choice" else entity
    return out


def make_document(index: int, spans: int, schema: Schema, rng: random.Random) -> Document:
    """One synthetic gold document with exactly `spans` spans (at least 1).

    A claim group holds 4 spans (SPEAKER, CLAIM, EVENT, FRAMING); when `spans` is not a multiple
    of 4, the last group keeps only the first `spans % 4` of them, and the relations between those.
    Claim words are stripped of punctuation so that spans stay on token boundaries; the filler
    between claims keeps the vocabulary's punctuation, quotes and numbers.
    """
    groups = max(1, -(-spans // 4))
    last_group_spans = spans - 4 * (groups - 1) if spans > 0 else 4
    parts: list[str] = []
    position = 0
    doc_spans: list[Span] = []
    relations: list[Relation] = []

    def add(text: str) -> tuple[int, int]:
        nonlocal position
        if parts:
            parts.append(" ")
            position += 1
        start = position
        parts.append(text)
        position += len(text)
        return start, position

    for group in range(groups):
        filler = " ".join(rng.choices(WORDS, WEIGHTS, k=rng.randint(3, 12)))
        add(filler.capitalize() + ".")
        name = rng.choice(NAMES)
        speaker = add(name)
        add("said")
        words = [w.strip(",“”’s") or "word" for w in rng.choices(WORDS, WEIGHTS, k=rng.randint(6, 14))]
        event_at, framing_at = rng.sample(range(len(words)), 2)
        claim_start = position + 1
        offsets = []
        for word in words:
            offsets.append(add(word))
        claim = (claim_start, position)
        add(".")
        base = f"g{group}"
        group_spans = [
            Span(f"{base}s", "SPEAKER", *speaker, attrs=_attrs(schema, "SPEAKER", rng, name)),
            Span(f"{base}c", "CLAIM", *claim, attrs=_attrs(schema, "CLAIM", rng)),
            Span(f"{base}e", "EVENT", *offsets[event_at], attrs=_attrs(schema, "EVENT", rng)),
            Span(f"{base}f", "FRAMING", *offsets[framing_at], attrs=_attrs(schema, "FRAMING", rng)),
        ]
        group_relations = [Relation("attributed_to", f"{base}c", f"{base}s"), Relation("about", f"{base}c", f"{base}e")]
        if group == groups - 1:
            group_spans = group_spans[:last_group_spans]
            kept = {span.id for span in group_spans}
            group_relations = [r for r in group_relations if r.head in kept and r.tail in kept]
        doc_spans += group_spans
        relations += group_relations
    text = "".join(parts).replace(" .", ".")
    # removing the space before full stops shifts offsets: rebuild them against the final text
    shift_map = _shift_map("".join(parts), text)
    fixed = [Span(s.id, s.label, shift_map[s.start], shift_map[s.end - 1] + 1, attrs=s.attrs) for s in doc_spans]
    doc_id = f"synthetic-{index:06d}"
    return Document(id=doc_id, text=text, meta={"sha256": text_sha256(text), "source": "benchmarks/generate.py",
                                              "license": "CC0-1.0"}, spans=fixed, relations=relations)


def _shift_map(before: str, after: str) -> list[int]:
    mapping, j = [], 0
    for i, char in enumerate(before):
        if j < len(after) and after[j] == char:
            mapping.append(j)
            j += 1
        else:
            mapping.append(j)
    return mapping


def make_prediction(gold: Document, schema: Schema, rng: random.Random, mix: ErrorMix = ErrorMix()) -> Document:
    """A prediction for `gold` with the error mix applied (no text, like a system's output)."""
    text = gold.text or ""
    spans: list[Span] = []
    kept: set[str] = set()
    for span in gold.spans:
        roll = rng.random()
        if roll < mix.miss:
            continue
        start, end, label, attrs = span.start, span.end, span.label, dict(span.attrs)
        if roll < mix.miss + mix.shift:
            start, end = _shifted(text, start, end, rng)  # type: ignore[arg-type]
        elif roll < mix.miss + mix.shift + mix.relabel:
            label = rng.choice([name for name in schema.label_names if name != span.label])
            attrs = _attrs(schema, label, rng)
        if label == span.label and rng.random() < mix.attribute:
            attrs = _attrs(schema, label, rng, "Someone Else")
        spans.append(Span(span.id, label, start, end, attrs=attrs))
        if label == span.label:
            kept.add(span.id)
    for index in range(int(len(gold.spans) * mix.spurious)):
        start = rng.randrange(0, max(1, len(text) - 12))
        while start < len(text) and text[start].isspace():
            start += 1
        end = min(len(text), start + rng.randint(3, 12))
        while end > start + 1 and text[end - 1].isspace():
            end -= 1
        label = rng.choice(schema.label_names)
        spans.append(Span(f"x{index}", label, start, end, attrs=_attrs(schema, label, rng)))
    relations = [r for r in gold.relations if r.head in kept and r.tail in kept]
    return Document(id=gold.id, text=None, spans=spans, relations=relations)


def _shifted(text: str, start: int, end: int, rng: random.Random) -> tuple[int, int]:
    """Move one boundary by one word (never onto whitespace)."""
    if rng.random() < 0.5:
        new_end = text.find(" ", end + 1)
        new_end = len(text) if new_end < 0 else new_end
        return start, new_end if not text[new_end - 1].isspace() else end
    previous = text.rfind(" ", 0, max(0, start - 1))
    return previous + 1, end


def corpus(docs: int, spans: int, seed: int = 13) -> Iterator[tuple[Document, Document]]:
    """(gold, prediction) pairs, generated lazily and reproducibly."""
    schema = load_schema()
    rng = random.Random(seed)
    for index in range(docs):
        gold = make_document(index, spans, schema, rng)
        yield gold, make_prediction(gold, schema, rng)


def main() -> None:
    """Write a corpus to disk (gold.jsonl, predictions.jsonl, optionally seeds/ and gold/)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--spans", type=int, default=40, help="gold spans per document")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seeds", action="store_true", help="also write seeds/<id>.txt and gold.jsonl for corpus build")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    seeds = args.out / "seeds"
    if args.seeds:
        seeds.mkdir(exist_ok=True)
    with (args.out / "gold.jsonl").open("w", encoding="utf-8") as gold_file, \
         (args.out / "predictions.jsonl").open("w", encoding="utf-8") as pred_file:
        for gold, prediction in corpus(args.docs, args.spans, args.seed):
            gold_file.write(json.dumps(gold.to_dict(), ensure_ascii=False) + "\n")
            pred_file.write(json.dumps(prediction.to_dict(), ensure_ascii=False) + "\n")
            if args.seeds:
                (seeds / f"{gold.id}.txt").write_text(gold.text or "", encoding="utf-8")
    print(f"wrote {args.docs} documents to {args.out}")


if __name__ == "__main__":
    main()
