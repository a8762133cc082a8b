"""PolNeAR import: attribution events (Source / Cue / Content) as SPEAKER, CLAIM and `attributed_to`.

PolNeAR is brat standoff laid out per split: `text/<doc>.txt` and `attributions/<doc>_<annotator>.ann`
(one file per annotator). Each attribution is an event `E1<TAB>Attribution:T4 Content:T3 Cue:T2 Source:T1`
whose trigger repeats the cue. `configs/mappings/polnear.yaml` says what each role becomes
(checked against the schema); roles mapped to null (the cue) and the triggers are counted as not
carried. Documents are grouped by annotator, so `annotate agreement` compares them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Iterator, Mapping

from newsgold.io.brat import DISCONTINUOUS, Ann, parse_ann, read_text, relations_between
from newsgold.io.carried import Carried
from newsgold.io.config import read_yaml
from newsgold.model.document import Document, Relation, Span
from newsgold.model.errors import DocumentError, NewsgoldError
from newsgold.model.problems import Problem
from newsgold.model.schema import Schema


@dataclass(frozen=True)
class PolnearMapping:
    """PolNeAR roles to schema labels, the relation an attribution becomes, fixed attribute values."""

    events: tuple[str, ...]
    roles: Mapping[str, str | None]
    relation: str
    head: str
    tail: str
    attributes: Mapping[str, Mapping[str, str]]
    discontinuous: str


def default_mapping_path() -> Path:
    return Path(str(resources.files("newsgold.configs").joinpath("mappings/polnear.yaml")))


def load_mapping(schema: Schema, path: str | Path | None = None) -> PolnearMapping:
    """Read the mapping and check it against the schema; NewsgoldError names the key that is wrong."""
    source = Path(path) if path is not None else default_mapping_path()
    data: Any = read_yaml(source, error=NewsgoldError, what="PolNeAR mapping")
    needed = {"events", "roles", "relation", "attributes", "discontinuous"}
    if not isinstance(data, Mapping) or not needed <= set(data):
        raise NewsgoldError(f"the mapping needs {', '.join(sorted(needed))}", path=source)
    roles = dict(data["roles"])
    for role, label in roles.items():
        if label is not None and label not in schema.label_names:
            raise NewsgoldError(f"unknown label {label!r}", path=source, field=f"roles.{role}")
    relation = dict(data["relation"])
    name = relation.get("label")
    known = {r.name: r for r in schema.relations}
    if name not in known:
        raise NewsgoldError(f"unknown relation {name!r}", path=source, field="relation.label")
    for end, allowed in (("head", known[name].head), ("tail", known[name].tail)):
        if roles.get(relation.get(end)) not in allowed:
            raise NewsgoldError(f"role {relation.get(end)!r} does not become a label {name} allows at its {end} ({', '.join(allowed)})",
                                path=source, field=f"relation.{end}")
    attributes = {label: {str(k): str(v) for k, v in dict(values).items()} for label, values in dict(data["attributes"]).items()}
    for label, values in attributes.items():
        if label not in schema.label_names:
            raise NewsgoldError(f"unknown label {label!r}", path=source, field=f"attributes.{label}")
        for attribute, value in values.items():
            if attribute not in schema.label(label).attribute_names:
                raise NewsgoldError(f"{label} has no attribute {attribute!r}", path=source, field=f"attributes.{label}.{attribute}")
            spec = schema.label(label).attribute(attribute)
            if spec.kind == "choice" and value not in spec.value_names:
                raise NewsgoldError(f"{value!r} is not a value of {label}.{attribute}", path=source, field=f"attributes.{label}.{attribute}")
    if data["discontinuous"] not in DISCONTINUOUS:
        raise NewsgoldError(f"must be one of {', '.join(DISCONTINUOUS)}", path=source, field="discontinuous")
    return PolnearMapping(tuple(data["events"]), roles, name, relation["head"], relation["tail"], attributes, data["discontinuous"])


def polnear_files(folder: str | Path) -> dict[str, list[tuple[Path, Path]]]:
    """(text, annotation) pairs by annotator; DocumentError names every file that does not fit the layout."""
    root = Path(folder)
    texts, annotations = root / "text", root / "attributions"
    if not texts.is_dir() or not annotations.is_dir():
        raise DocumentError([Problem("a PolNeAR split folder holds text/ and attributions/ (e.g. PolNeAR/data/train)", path=str(root))])
    by_annotator: dict[str, list[tuple[Path, Path]]] = defaultdict(list)
    problems: list[Problem] = []
    for ann in sorted(annotations.glob("*.ann")):
        doc_id, _, annotator = ann.stem.rpartition("_")
        text = texts / f"{doc_id}.txt"
        if not doc_id:
            problems.append(Problem("the name is not <doc>_<annotator>.ann", path=str(ann), field="name"))
        elif not text.exists():
            problems.append(Problem(f"no text/{doc_id}.txt for this annotation", path=str(ann), doc_id=doc_id, field="name"))
        else:
            by_annotator[annotator].append((text, ann))
    if not by_annotator and not problems:
        problems.append(Problem("no attributions/<doc>_<annotator>.ann files", path=str(annotations)))
    if problems:
        raise DocumentError(problems, path=root)
    return dict(sorted(by_annotator.items()))


def polnear_streams(folder: str | Path, mapping: PolnearMapping, carried: Carried, *,
                    discontinuous: str | None = None) -> dict[str, Iterator[Document]]:
    """One stream of documents per annotator (each raises DocumentError after its last document
    when any of its files had a problem)."""
    rule = discontinuous or mapping.discontinuous
    return {annotator: _stream(pairs, mapping, carried, rule) for annotator, pairs in polnear_files(folder).items()}


def read_polnear(folder: str | Path, mapping: PolnearMapping, carried: Carried | None = None, *,
                 discontinuous: str | None = None) -> dict[str, list[Document]]:
    """Every annotator's documents, read whole."""
    carried = carried if carried is not None else Carried()
    return {name: list(stream) for name, stream in polnear_streams(folder, mapping, carried, discontinuous=discontinuous).items()}


def _stream(pairs: list[tuple[Path, Path]], mapping: PolnearMapping, carried: Carried, rule: str) -> Iterator[Document]:
    problems: list[Problem] = []
    for text_path, ann_path in pairs:
        text = read_text(text_path, problems)
        if text is None:
            continue
        ann = parse_ann(text_path.stem, text, ann_path, rule, carried)
        document = _document(ann, mapping, carried)
        problems.extend(ann.problems)
        yield document
    if problems:
        raise DocumentError(problems)


def _document(ann: Ann, mapping: PolnearMapping, carried: Carried) -> Document:
    """Spans by role per the mapping, one relation per attribution with both ends."""
    kept: dict[str, list[Span]] = {}
    for ident, group in ann.spans.items():
        raw = group[0].label
        if raw in mapping.events:
            carried.note("attribution trigger span(s) (they repeat the cue)")
            continue
        if raw not in mapping.roles:
            ann.problem(f"label {raw!r} is neither a role ({', '.join(mapping.roles)}) nor an attribution type", ann.lines[ident], "label")
            continue
        label = mapping.roles[raw]
        if label is None:
            carried.note(f"{raw} span(s) (mapped to nothing)", len(group))
            continue
        for span in group:
            span.label = label
            span.attrs.update(mapping.attributes.get(label, {}))
        kept[ident] = group
    relations: list[Relation] = []
    for number, kind, _trigger, args in ann.events:
        if kind not in mapping.events:
            ann.problem(f"event type {kind!r} is not an attribution type of the mapping ({', '.join(mapping.events)})", number, "type")
            continue
        ends: dict[str, str] = {}
        for role, target in args:
            if target in ann.refused:
                continue
            if target not in ann.spans:
                ann.problem(f"role {role} refers to {target}, not a text-bound annotation here", number, "role")
            elif role not in mapping.roles:
                ann.problem(f"role {role!r} is not in the mapping ({', '.join(mapping.roles)})", number, "role")
            else:
                ends[role] = target
        head, tail = ends.get(mapping.head), ends.get(mapping.tail)
        if head in kept and tail in kept:
            relations.extend(r for r in relations_between(ann, mapping.relation, head, tail) if r not in relations)
    carried.note("brat attribute line(s) (PolNeAR has none; the mapping carries none)", len(ann.attributes))
    carried.note("brat relation line(s) (PolNeAR's attributions are events)", len(ann.relations))
    spans = sorted((s for group in kept.values() for s in group), key=lambda s: (s.start, s.end, s.label, s.id))
    return Document(id=ann.doc_id, text=ann.text, spans=spans, relations=relations)
