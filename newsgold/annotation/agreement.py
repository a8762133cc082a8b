"""Inter-annotator agreement (the open replacement for Label Studio Enterprise's agreement).

For documents with two or more annotators: pairwise span F1 (strict and overlap) per label,
Cohen's kappa (pairs) and Krippendorff's alpha (all annotators) on token-level IOB2 tags per label
layer, attribute agreement on overlap-matched spans, and pairwise relation F1. Pairwise F1 is
symmetric: 2·matches / (spans of A + spans of B).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path
from typing import Any, Mapping, Sequence

from newsgold.evaluate.relations import normalise_entity, relation_cell
from newsgold.io.documents import load_documents
from newsgold.model.document import Document
from newsgold.model.errors import DocumentError
from newsgold.model.problems import Problem
from newsgold.model.schema import Schema
from newsgold.spans.matching import overlap_pairs, strict_pairs
from newsgold.text.iob2 import refine_tokens, spans_to_tags
from newsgold.text.segment import Segmenter


def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> float | None:
    """Cohen's kappa of two equally long label sequences (None when empty)."""
    if not a:
        return None
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b)) / n
    count_a, count_b = Counter(a), Counter(b)
    expected = sum(count_a[c] * count_b[c] for c in set(count_a) | set(count_b)) / (n * n)
    if expected == 1.0:
        return 1.0 if observed == 1.0 else 0.0
    return (observed - expected) / (1 - expected)


def krippendorff_alpha(units: Sequence[Sequence[str]]) -> float | None:
    """Krippendorff's alpha for nominal data; each unit lists the values its coders gave."""
    coincidence: dict[tuple[str, str], float] = defaultdict(float)
    for values in units:
        m = len(values)
        if m < 2:
            continue
        for i, first in enumerate(values):
            for j, second in enumerate(values):
                if i != j:
                    coincidence[(first, second)] += 1.0 / (m - 1)
    totals: dict[str, float] = defaultdict(float)
    for (first, _), weight in coincidence.items():
        totals[first] += weight
    n = sum(totals.values())
    if n <= 1:
        return None
    observed = sum(w for (c, k), w in coincidence.items() if c != k)
    expected = sum(totals[c] * totals[k] for c in totals for k in totals if c != k) / (n - 1)
    if expected == 0:
        return 1.0
    return 1.0 - observed / expected


def load_annotator_files(folder: str | Path, schema: Schema) -> dict[str, dict[str, Document]]:
    """Per-annotator documents from `<folder>/<annotator>.jsonl` (as written by `annotate pull`).

    Annotations marked ground truth (a reviewer's or adjudicator's version, made with sight of the
    others) are left out: agreement compares independent annotations only. Required attributes may
    be missing (imported corpora such as PolNeAR have none): attributes are compared where both have them.
    """
    root = Path(folder)
    files = sorted(root.glob("*.jsonl")) if root.is_dir() else []
    if not files:
        raise DocumentError([Problem("no <annotator>.jsonl files here: run `newsgold annotate pull` first", path=str(root))])
    loaded = {file.stem: {d.id: d for d in load_documents(file, schema, complete=False) if d.meta.get("ground_truth") is not True} for file in files}
    return {annotator: documents for annotator, documents in loaded.items() if documents}


def _f1(matches: int, left: int, right: int) -> float | None:
    return 2 * matches / (left + right) if left + right else None


def agreement(by_annotator: Mapping[str, Mapping[str, Document]], schema: Schema, *, segmenter: Segmenter | None = None) -> dict[str, Any]:
    """Every agreement figure over the documents that two or more annotators annotated."""
    segmenter = segmenter if segmenter is not None else Segmenter()
    by_doc: dict[str, dict[str, Document]] = defaultdict(dict)
    for annotator, documents in by_annotator.items():
        for doc_id, document in documents.items():
            by_doc[doc_id][annotator] = document
    shared = {doc_id: docs for doc_id, docs in by_doc.items() if len(docs) >= 2}
    labels = schema.label_names
    spans: dict[str, dict[str, list[int]]] = {mode: {label: [0, 0, 0] for label in labels} for mode in ("strict", "overlap")}
    attributes: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    relations: dict[str, list[int]] = {name: [0, 0, 0] for name in schema.relation_names}
    pair_tags: dict[str, dict[tuple[str, str], tuple[list[str], list[str]]]] = {label: {} for label in labels}
    units: dict[str, list[list[str]]] = {label: [] for label in labels}
    for doc_id in sorted(shared):
        docs = shared[doc_id]
        text = next(iter(docs.values())).text or ""
        segmentation = segmenter.segment(text)
        boundaries = [b for d in docs.values() for s in d.spans for b in (s.start, s.end)]
        tokens = refine_tokens(segmentation.tokens, boundaries)  # type: ignore[arg-type]
        tags = {
            annotator: {label: spans_to_tags(tokens, [(s.start, s.end) for s in d.spans if s.label == label], label) for label in labels}  # type: ignore[misc]
            for annotator, d in docs.items()
        }
        for label in labels:
            for position in range(len(tokens)):
                units[label].append([tags[a][label][position] for a in sorted(docs)])
        for first, second in combinations(sorted(docs), 2):
            a, b = docs[first], docs[second]
            _pair_spans(a, b, labels, spans, attributes, schema)
            alignment = set()
            for label in labels:
                a_spans = [s for s in a.spans if s.label == label]
                b_spans = [s for s in b.spans if s.label == label]
                for i, j in overlap_pairs([(s.start, s.end) for s in a_spans], [(s.start, s.end) for s in b_spans]):  # type: ignore[misc]
                    alignment.add((a_spans[i].id, b_spans[j].id))
                previous = pair_tags[label].get((first, second), ([], []))
                pair_tags[label][(first, second)] = (previous[0] + tags[first][label], previous[1] + tags[second][label])
            for name in schema.relation_names:
                cell, _, _ = relation_cell(a, b, name, alignment, schema)
                relations[name][0] += int(cell.r_num)
                relations[name][1] += int(cell.r_den)
                relations[name][2] += int(cell.p_den)

    return {
        "schema_version": schema.version,
        "annotators": sorted({annotator for docs in shared.values() for annotator in docs}),
        "documents_compared": len(shared),
        "documents": sorted(shared),
        "span_f1": {
            mode: {label: {"f1": _f1(m, x, y), "matches": m, "spans_a": x, "spans_b": y} for label, (m, x, y) in per.items()}
            for mode, per in spans.items()
        },
        "token_kappa": {
            label: {f"{a} vs {b}": cohen_kappa(*pair) for (a, b), pair in pairs.items()} for label, pairs in pair_tags.items()
        },
        "token_alpha": {label: krippendorff_alpha(units[label]) for label in labels},
        "attributes": {
            f"{label}.{name}": {"agreement": agree / total if total else None, "agree": agree, "compared": total}
            for (label, name), (agree, total) in sorted(attributes.items())
        },
        "relations_f1": {name: {"f1": _f1(m, x, y), "matches": m, "relations_a": x, "relations_b": y} for name, (m, x, y) in relations.items()},
    }


def _pair_spans(a: Document, b: Document, labels: Sequence[str], spans: dict, attributes: dict, schema: Schema) -> None:  # type: ignore[type-arg]
    for label in labels:
        a_spans = [s for s in a.spans if s.label == label]
        b_spans = [s for s in b.spans if s.label == label]
        strict = strict_pairs([(s.start, s.end, s.label) for s in a_spans], [(s.start, s.end, s.label) for s in b_spans])  # type: ignore[misc]
        overlap = overlap_pairs([(s.start, s.end) for s in a_spans], [(s.start, s.end) for s in b_spans])  # type: ignore[misc]
        for mode, pairs in (("strict", strict), ("overlap", overlap)):
            entry = spans[mode][label]
            entry[0] += len(pairs)
            entry[1] += len(a_spans)
            entry[2] += len(b_spans)
        for i, j in overlap:
            for attribute in schema.label(label).attributes:
                left, right = a_spans[i].attrs.get(attribute.name), b_spans[j].attrs.get(attribute.name)
                if left is None or right is None:
                    continue
                same = normalise_entity(left) == normalise_entity(right) if attribute.kind == "text" else left == right
                attributes[(label, attribute.name)][0] += int(same)
                attributes[(label, attribute.name)][1] += 1
