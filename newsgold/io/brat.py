"""brat standoff: a folder of `<id>.txt` + `<id>.ann`, read and written without silent loss.

What maps to what:

| brat line | newsgold |
| --- | --- |
| `T1<TAB>LABEL 0 5<TAB>text` | a span; the text must equal the document text at the offsets |
| `R1<TAB>LABEL Arg1:T1 Arg2:T2` | a relation, head `Arg1`, tail `Arg2` |
| `A1<TAB>NAME T1 VALUE` (and legacy `M1`) | an attribute of the span (`A1<TAB>NAME T1` alone: `true`) |
| `N1<TAB>Reference T1 newsgold:NAME<TAB>value` | a free-text attribute (e.g. SPEAKER `entity`), whose value may hold spaces |

Not carried, and always reported: brat events (`E`), notes (`#`), other normalisations, and
discontinuous spans (`T1 LABEL 0 5;9 14`), which are refused with their line unless
`discontinuous` says to `split` them into one span per fragment or `join` them into one span from
the first start to the last end. Writing, brat cannot hold a document's `meta`, nor spans given
by text alone; both are reported. Offsets are code points of the `.txt` read as UTF-8 exactly
(line endings kept).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from newsgold.io.documents import atomic_write_text, require_text
from newsgold.model.document import Document, Relation, Span
from newsgold.model.errors import DocumentError
from newsgold.model.problems import Problem

DISCONTINUOUS = ("refuse", "split", "join")
REFERENCE_PREFIX = "newsgold:"  # the N-line database name that marks a newsgold free-text attribute
_FRAGMENTS = re.compile(r"^\d+ \d+(;\d+ \d+)*$")
_LINE_BREAKS = re.compile("[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def field_text(text: str) -> str:
    """A span's text as the `.ann` line carries it: every line break a space (a line is one annotation)."""
    return _LINE_BREAKS.sub(" ", text)


@dataclass
class Carried:
    """What a conversion could not carry, counted by kind (printed by `newsgold convert`)."""

    dropped: Counter[str] = field(default_factory=Counter)

    def note(self, kind: str, count: int = 1) -> None:
        if count:
            self.dropped[kind] += count

    def lines(self) -> list[str]:
        return [f"{count} {kind}" for kind, count in sorted(self.dropped.items())]


def read_brat(folder: str | Path, *, discontinuous: str = "refuse", carried: Carried | None = None) -> list[Document]:
    """Every `<id>.txt` with its `<id>.ann` in `folder`; DocumentError lists every problem (file, line, field)."""
    root = Path(folder)
    carried = carried if carried is not None else Carried()
    if discontinuous not in DISCONTINUOUS:
        raise DocumentError([Problem(f"discontinuous must be one of {', '.join(DISCONTINUOUS)}", field="discontinuous")])
    texts = sorted(root.glob("*.txt")) if root.is_dir() else []
    if not texts:
        raise DocumentError([Problem("no <id>.txt files (with their .ann) in this folder", path=str(root))])
    documents: list[Document] = []
    problems: list[Problem] = []
    for text_path in texts:
        ann_path = text_path.with_suffix(".ann")
        try:
            text = text_path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(Problem(f"not valid UTF-8 (byte offset {exc.start})", path=str(text_path)))
            continue
        if not ann_path.exists():
            problems.append(Problem("no .ann file beside the .txt", path=str(ann_path), doc_id=text_path.stem))
            continue
        document, found = _read_ann(text_path.stem, text, ann_path, discontinuous, carried)
        problems.extend(found)
        documents.append(document)
    if problems:
        raise DocumentError(problems, path=root)
    return documents


def _read_ann(doc_id: str, text: str, path: Path, discontinuous: str, carried: Carried) -> tuple[Document, list[Problem]]:
    problems: list[Problem] = []
    spans: dict[str, list[Span]] = {}  # brat id -> the span(s) it became (several when split)
    attributes: list[tuple[int, str, str, str]] = []  # (line, target, name, value)
    relations: list[tuple[int, str, str, str]] = []  # (line, label, head, tail)
    name = str(path)

    def problem(message: str, line: int, field: str) -> None:
        problems.append(Problem(message, path=name, line=line, doc_id=doc_id, field=field))

    for number, raw in enumerate(path.read_bytes().decode("utf-8").split("\n"), start=1):
        raw = raw[:-1] if raw.endswith("\r") else raw
        if not raw.strip():
            continue
        parts = raw.split("\t")
        ident = parts[0]
        kind = ident[:1]
        if kind == "T":
            if len(parts) < 3:
                problem("a text-bound line is `T<n><TAB>LABEL START END<TAB>text`", number, "T")
                continue
            label, _, offsets = parts[1].partition(" ")
            if not _FRAGMENTS.match(offsets):
                problem(f"offsets {offsets!r} are not `START END` (or fragments `S E;S E`)", number, "offsets")
                continue
            fragments = [tuple(int(x) for x in piece.split(" ")) for piece in offsets.split(";")]
            if len(fragments) > 1 and discontinuous == "refuse":
                problem(f"discontinuous span {ident} ({offsets}): newsgold spans are contiguous; "
                        "convert with --discontinuous split or join", number, "offsets")
                continue
            if len(fragments) > 1:
                carried.note(f"discontinuous span(s) {'split into fragments' if discontinuous == 'split' else 'joined over their gap'}")
            pieces = [(fragments[0][0], fragments[-1][1])] if discontinuous == "join" and len(fragments) > 1 else fragments
            expected = field_text(" ".join(text[s:e] for s, e in fragments))
            if any(not 0 <= s < e <= len(text) for s, e in fragments):
                problem(f"offsets {offsets} are outside the text (length {len(text)})", number, "offsets")
                continue
            if parts[2] != expected:
                problem(f"text {parts[2]!r} does not equal the document text at {offsets} ({expected!r})", number, "text")
                continue
            spans[ident] = [
                Span(id=ident if index == 0 else f"{ident}-{index + 1}", label=label, start=s, end=e, text=text[s:e])
                for index, (s, e) in enumerate(pieces)
            ]
        elif kind == "R":
            fields = parts[1].split(" ") if len(parts) > 1 else []
            args = dict(f.split(":", 1) for f in fields[1:] if ":" in f)
            if len(fields) != 3 or set(args) != {"Arg1", "Arg2"}:
                problem("a relation line is `R<n><TAB>LABEL Arg1:T<a> Arg2:T<b>`", number, "R")
                continue
            relations.append((number, fields[0], args["Arg1"], args["Arg2"]))
        elif kind in ("A", "M"):
            fields = parts[1].split(" ") if len(parts) > 1 else []
            if len(fields) not in (2, 3):
                problem("an attribute line is `A<n><TAB>NAME T<n> [VALUE]`", number, "A")
                continue
            attributes.append((number, fields[1], fields[0], fields[2] if len(fields) == 3 else "true"))
        elif kind == "N":
            fields = parts[1].split(" ") if len(parts) > 1 else []
            if len(fields) == 3 and fields[2].startswith(REFERENCE_PREFIX) and len(parts) >= 3:
                attributes.append((number, fields[1], fields[2][len(REFERENCE_PREFIX):], parts[2]))
            else:
                carried.note("normalisation(s) to other databases")
        elif kind == "E":
            carried.note("brat event(s) (E lines)")
        elif kind == "#":
            carried.note("note(s) (# lines)")
        else:
            problem(f"unknown annotation line {ident!r}", number, "id")
    for number, target, attr_name, value in attributes:
        if target not in spans:
            problem(f"attribute {attr_name} of {target}, which is not a text-bound annotation here", number, "target")
            continue
        for span in spans[target]:
            span.attrs[attr_name] = value
    out_relations: list[Relation] = []
    for number, label, head, tail in relations:
        missing = [arg for arg in (head, tail) if arg not in spans]
        if missing:
            problem(f"relation {label} refers to {', '.join(missing)}, not a text-bound annotation here", number, "Arg")
            continue
        out_relations.append(Relation(label=label, head=spans[head][0].id, tail=spans[tail][0].id))
    ordered = sorted((s for group in spans.values() for s in group), key=lambda s: (s.start, s.end, s.label, s.id))
    return Document(id=doc_id, text=text, spans=ordered, relations=out_relations), problems


def write_brat(documents: Sequence[Document], folder: str | Path, *, free_text: Iterable[str] = (),
               carried: Carried | None = None) -> int:
    """Write `<id>.txt` and `<id>.ann` for each document (atomically); `free_text` names the attributes
    written as `N` lines (values with spaces). Returns the number of documents written."""
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    carried = carried if carried is not None else Carried()
    free = set(free_text)
    require_text(documents, "brat")
    for document in documents:
        text = document.text or ""
        if document.meta:
            carried.note("document meta field(s) (brat has no place for them)", len(document.meta))
        lines: list[str] = []
        ids: dict[str, str] = {}
        attribute_lines: list[str] = []
        counts = {"A": 0, "N": 0}
        placed = [s for s in document.spans if s.start is not None and s.end is not None]
        if len(placed) < len(document.spans):
            carried.note("span(s) given by text alone (no offsets)", len(document.spans) - len(placed))
        for index, span in enumerate(sorted(placed, key=lambda s: (s.start, s.end, s.label, s.id)), start=1):
            ids[span.id] = f"T{index}"
            lines.append(f"T{index}\t{span.label} {span.start} {span.end}\t{field_text(text[span.start:span.end])}")  # type: ignore[misc]
            for name, value in sorted(span.attrs.items()):
                if _LINE_BREAKS.search(value) or "\t" in value:
                    raise DocumentError([Problem(f"attribute value {value!r} holds a tab or line break, which a .ann line cannot",
                                                 doc_id=document.id, span_id=span.id, field=f"attrs.{name}")])
                kind = "N" if name in free or " " in value or not value else "A"  # N lines hold values with spaces
                counts[kind] += 1
                attribute_lines.append(
                    f"N{counts['N']}\tReference T{index} {REFERENCE_PREFIX}{name}\t{value}" if kind == "N"
                    else f"A{counts['A']}\t{name} T{index} {value}"
                )
        lines += attribute_lines
        for index, relation in enumerate(document.relations, start=1):
            if relation.head in ids and relation.tail in ids:
                lines.append(f"R{index}\t{relation.label} Arg1:{ids[relation.head]} Arg2:{ids[relation.tail]}")
            else:
                carried.note("relation(s) whose ends have no offsets")
        atomic_write_text(root / f"{document.id}.txt", text)
        atomic_write_text(root / f"{document.id}.ann", "\n".join(lines) + ("\n" if lines else ""))
    return len(documents)
