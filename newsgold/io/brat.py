"""brat standoff: a folder of `<id>.txt` + `<id>.ann`, read and written without silent loss.

What maps to what:

| brat line | newsgold |
| --- | --- |
| `T1<TAB>LABEL 0 5<TAB>text` | a span; the text must equal the document text at the offsets |
| `R1<TAB>LABEL Arg1:T1 Arg2:T2` | a relation, head `Arg1`, tail `Arg2` |
| `A1<TAB>NAME T1 VALUE` (and legacy `M1`) | an attribute of the span (`A1<TAB>NAME T1` alone: `true`) |
| `N1<TAB>Reference T1 newsgold:NAME<TAB>value` | a free-text attribute (e.g. SPEAKER `entity`), whose value may hold spaces |

Not carried, and always reported: brat events (`E`, read by the PolNeAR mapping), notes (`#`),
other normalisations, and discontinuous spans (`T1 LABEL 0 5;9 14`), which are refused with their
line unless `discontinuous` says to `split` them into one span per fragment (each fragment keeps
the attributes, and a relation from the span starts at every fragment) or `join` them into one
span from the first start to the last end. Writing, brat cannot hold a document's `meta`, nor spans given
by text alone; both are reported. Offsets are code points of the `.txt` read as UTF-8 exactly
(line endings kept).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from newsgold.io.carried import Carried
from newsgold.io.documents import atomic_write_text, with_text
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
class Ann:
    """One `.ann` file parsed and checked against its text; ids are brat's (`T1`, `E1`)."""

    doc_id: str
    text: str
    path: str
    spans: dict[str, list[Span]] = field(default_factory=dict)  # T id -> the span(s) it became (several when split)
    lines: dict[str, int] = field(default_factory=dict)  # T/E id -> its line
    attributes: list[tuple[int, str, str, str]] = field(default_factory=list)  # (line, target, name, value)
    relations: list[tuple[int, str, str, str]] = field(default_factory=list)  # (line, label, head, tail)
    events: list[tuple[int, str, str, list[tuple[str, str]]]] = field(default_factory=list)  # (line, type, trigger, [(role, T id)])
    problems: list[Problem] = field(default_factory=list)
    refused: set[str] = field(default_factory=set)  # T ids refused with a problem: references to them add none

    def problem(self, message: str, line: int, field: str) -> None:
        self.problems.append(Problem(message, path=self.path, line=line, doc_id=self.doc_id, field=field))

    def ordered_spans(self) -> list[Span]:
        return sorted((s for group in self.spans.values() for s in group), key=lambda s: (s.start, s.end, s.label, s.id))


def parse_ann(doc_id: str, text: str, path: Path, discontinuous: str, carried: Carried) -> Ann:
    """Parse every line of a `.ann` file; problems (file, line, field) are collected in `Ann.problems`."""
    ann = Ann(doc_id, text, str(path))
    for number, raw in enumerate(path.read_bytes().decode("utf-8").split("\n"), start=1):
        raw = raw[:-1] if raw.endswith("\r") else raw
        if not raw.strip():
            continue
        parts = raw.split("\t", 2)  # the third field (a span's text, a note, a value) may hold tabs
        ident = parts[0]
        kind = ident[:1]
        fields = parts[1].split(" ") if len(parts) > 1 else []
        if kind == "T":
            _text_bound(ann, number, ident, parts, discontinuous, carried)
        elif kind == "R":
            args = dict(f.split(":", 1) for f in fields[1:] if ":" in f)
            if len(fields) != 3 or set(args) != {"Arg1", "Arg2"}:
                ann.problem("a relation line is `R<n><TAB>LABEL Arg1:T<a> Arg2:T<b>`", number, "R")
                continue
            ann.relations.append((number, fields[0], args["Arg1"], args["Arg2"]))
        elif kind in ("A", "M"):
            if len(fields) not in (2, 3):
                ann.problem("an attribute line is `A<n><TAB>NAME T<n> [VALUE]`", number, "A")
                continue
            ann.attributes.append((number, fields[1], fields[0], fields[2] if len(fields) == 3 else "true"))
        elif kind == "N":
            if len(fields) == 3 and fields[2].startswith(REFERENCE_PREFIX) and len(parts) >= 3:
                ann.attributes.append((number, fields[1], fields[2][len(REFERENCE_PREFIX):], parts[2]))
            else:
                carried.note("normalisation(s) to other databases")
        elif kind == "E":
            pairs = [f.split(":", 1) for f in fields if f]
            if not pairs or any(len(pair) != 2 for pair in pairs):
                ann.problem("an event line is `E<n><TAB>TYPE:T<trigger> ROLE:T<n> …`", number, "E")
                continue
            ann.lines[ident] = number
            ann.events.append((number, pairs[0][0], pairs[0][1], [(role, target) for role, target in pairs[1:]]))
        elif kind == "#":
            carried.note("note(s) (# lines)")
        else:
            ann.problem(f"unknown annotation line {ident!r}", number, "id")
    return ann


def _text_bound(ann: Ann, number: int, ident: str, parts: list[str], discontinuous: str, carried: Carried) -> None:
    """A `T` line: offsets checked against the text; discontinuous fragments per `discontinuous`."""
    ann.refused.add(ident)  # until the line proves good
    if len(parts) < 3:
        ann.problem("a text-bound line is `T<n><TAB>LABEL START END<TAB>text`", number, "T")
        return
    label, _, offsets = parts[1].partition(" ")
    if not _FRAGMENTS.match(offsets):
        ann.problem(f"offsets {offsets!r} are not `START END` (or fragments `S E;S E`)", number, "offsets")
        return
    fragments = [tuple(int(x) for x in piece.split(" ")) for piece in offsets.split(";")]
    if len(fragments) > 1 and discontinuous == "refuse":
        ann.problem(f"discontinuous span {ident} ({offsets}): newsgold spans are contiguous; "
                    "convert with --discontinuous split or join", number, "offsets")
        return
    text = ann.text
    if any(not 0 <= s < e <= len(text) for s, e in fragments):
        ann.problem(f"offsets {offsets} are outside the text (length {len(text)})", number, "offsets")
        return
    expected = field_text(" ".join(text[s:e] for s, e in fragments))
    if parts[2] != expected:
        ann.problem(f"text {parts[2]!r} does not equal the document text at {offsets} ({expected!r})", number, "text")
        return
    if len(fragments) > 1:
        carried.note(f"discontinuous span(s) {'split into fragments' if discontinuous == 'split' else 'joined over their gap'}")
    pieces = [(fragments[0][0], fragments[-1][1])] if discontinuous == "join" and len(fragments) > 1 else fragments
    ann.refused.discard(ident)
    ann.lines[ident] = number
    ann.spans[ident] = [
        Span(id=ident if index == 0 else f"{ident}-{index + 1}", label=label, start=s, end=e, text=text[s:e])
        for index, (s, e) in enumerate(pieces)
    ]


def relations_between(ann: Ann, label: str, head: str, tail: str) -> list[Relation]:
    """The relation from every fragment of `head` to (the first fragment of) `tail`."""
    return [Relation(label=label, head=span.id, tail=ann.spans[tail][0].id) for span in ann.spans[head]]


def _document(ann: Ann, carried: Carried) -> Document:
    """A brat file's document: attributes onto their spans, relations between them, events reported."""
    for number, target, attr_name, value in ann.attributes:
        if target in ann.refused:
            continue
        if target not in ann.spans:
            ann.problem(f"attribute {attr_name} of {target}, which is not a text-bound annotation here", number, "target")
            continue
        for span in ann.spans[target]:
            span.attrs[attr_name] = value
    relations: list[Relation] = []
    for number, label, head, tail in ann.relations:
        missing = [arg for arg in (head, tail) if arg not in ann.spans]
        if set(missing) & ann.refused:
            continue
        if missing:
            ann.problem(f"relation {label} refers to {', '.join(missing)}, not a text-bound annotation here", number, "Arg")
            continue
        relations.extend(relations_between(ann, label, head, tail))
    carried.note("brat event(s) (E lines)", len(ann.events))
    return Document(id=ann.doc_id, text=ann.text, spans=ann.ordered_spans(), relations=relations)


def text_files(root: Path, pattern: str = "*.txt") -> list[Path]:
    """The `.txt` files of a folder, sorted; DocumentError when there are none."""
    texts = sorted(root.glob(pattern)) if root.is_dir() else []
    if not texts:
        raise DocumentError([Problem("no <id>.txt files (with their .ann) in this folder", path=str(root))])
    return texts


def read_text(path: Path, problems: list[Problem]) -> str | None:
    """A `.txt` file decoded as UTF-8 exactly (line endings kept), or None with a problem."""
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(Problem(f"not valid UTF-8 (byte offset {exc.start})", path=str(path)))
        return None


def iter_brat(folder: str | Path, *, discontinuous: str = "refuse", carried: Carried | None = None) -> Iterator[Document]:
    """Yield the document of every `<id>.txt` with its `<id>.ann` in `folder`, one at a time; after the
    last, raise DocumentError listing every problem (file, line, field)."""
    root = Path(folder)
    carried = carried if carried is not None else Carried()
    if discontinuous not in DISCONTINUOUS:
        raise DocumentError([Problem(f"discontinuous must be one of {', '.join(DISCONTINUOUS)}", field="discontinuous")])
    problems: list[Problem] = []
    for text_path in text_files(root):
        ann_path = text_path.with_suffix(".ann")
        text = read_text(text_path, problems)
        if text is None:
            continue
        if not ann_path.exists():
            problems.append(Problem("no .ann file beside the .txt", path=str(ann_path), doc_id=text_path.stem))
            continue
        ann = parse_ann(text_path.stem, text, ann_path, discontinuous, carried)
        document = _document(ann, carried)
        problems.extend(ann.problems)
        yield document
    if problems:
        raise DocumentError(problems, path=root)


def read_brat(folder: str | Path, *, discontinuous: str = "refuse", carried: Carried | None = None) -> list[Document]:
    """Every document of a brat folder; DocumentError lists every problem (file, line, field)."""
    return list(iter_brat(folder, discontinuous=discontinuous, carried=carried))


def annotator_folders(source: Path) -> dict[str, Path]:
    """Subfolders holding .txt files, by name, when the folder itself holds none (one per annotator)."""
    if not source.is_dir() or any(source.glob("*.txt")):
        return {}
    return {sub.name: sub for sub in sorted(source.iterdir()) if sub.is_dir() and any(sub.glob("*.txt"))}


def write_brat(documents: Iterable[Document], folder: str | Path, *, free_text: Iterable[str] = (),
               carried: Carried | None = None) -> int:
    """Write `<id>.txt` and `<id>.ann` for each document (atomically); `free_text` names the attributes
    written as `N` lines (values with spaces). Returns the number of documents written."""
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    carried = carried if carried is not None else Carried()
    free = set(free_text)
    count = 0
    for document in with_text(documents, "brat"):
        count += 1
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
    return count
