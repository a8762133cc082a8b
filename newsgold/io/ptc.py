"""SemEval-2020 Task 11 / PTC: `article<id>.txt` with `article<id>.task2-TC.labels` (`id<TAB>technique<TAB>begin<TAB>end`).

Techniques map to one label and attribute of the schema through `configs/mappings/ptc.yaml`
(checked against the schema): Name_Calling,Labeling -> FRAMING `device: labeling`,
Loaded_Language -> `loaded_language`; techniques mapped to null are skipped and reported; an
unlisted technique is refused with its line. Writing, spans of that label are written with the
technique of their attribute value; other labels, attributes and relations are reported as not
carried. Offsets are code points of the article read as UTF-8 (end exclusive, as in the task).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from newsgold.io.brat import read_text
from newsgold.io.carried import Carried
from newsgold.io.config import read_yaml
from newsgold.io.documents import atomic_write_text, with_text
from newsgold.model.document import Document, Span
from newsgold.model.errors import DocumentError, NewsgoldError
from newsgold.model.problems import Problem
from newsgold.model.schema import Schema

LABELS_SUFFIX = ".task2-TC.labels"


@dataclass(frozen=True)
class PtcMapping:
    """Techniques to (label, attribute value), and back."""

    label: str
    attribute: str
    techniques: Mapping[str, str | None]
    export: Mapping[str, str]


def default_mapping_path() -> Path:
    return Path(str(resources.files("newsgold.configs").joinpath("mappings/ptc.yaml")))


def load_mapping(schema: Schema, path: str | Path | None = None) -> PtcMapping:
    """Read and check the mapping against the schema; NewsgoldError names the key that is wrong."""
    source = Path(path) if path is not None else default_mapping_path()
    data: Any = read_yaml(source, error=NewsgoldError, what="PTC mapping")
    if not isinstance(data, Mapping) or not {"label", "attribute", "techniques", "export"} <= set(data):
        raise NewsgoldError("the mapping needs label, attribute, techniques and export", path=source)
    label, attribute = data["label"], data["attribute"]
    if label not in schema.label_names:
        raise NewsgoldError(f"unknown label {label!r}", path=source, field="label")
    if attribute not in schema.label(label).attribute_names:
        raise NewsgoldError(f"{label} has no attribute {attribute!r}", path=source, field="attribute")
    values = set(schema.label(label).attribute(attribute).value_names)
    for technique, value in dict(data["techniques"]).items():
        if value is not None and value not in values:
            raise NewsgoldError(f"{value!r} is not a value of {label}.{attribute}", path=source, field=f"techniques.{technique}")
    for value in dict(data["export"]):
        if value not in values:
            raise NewsgoldError(f"{value!r} is not a value of {label}.{attribute}", path=source, field=f"export.{value}")
    return PtcMapping(label, attribute, dict(data["techniques"]), dict(data["export"]))


def _article_id(path: Path) -> str:
    return path.name[len("article"):].split(".", 1)[0]


def read_ptc(folder: str | Path, mapping: PtcMapping, carried: Carried) -> list[Document]:
    """Every `article<id>.txt` of the folder with its technique labels, as documents with id `<id>`."""
    return list(iter_ptc(folder, mapping, carried))


def iter_ptc(folder: str | Path, mapping: PtcMapping, carried: Carried) -> Iterator[Document]:
    """Yield each article's document in turn; after the last, raise DocumentError listing every problem."""
    root = Path(folder)
    articles = sorted(root.glob("article*.txt")) if root.is_dir() else []
    if not articles:
        raise DocumentError([Problem("no article<id>.txt files in this folder", path=str(root))])
    problems: list[Problem] = []
    for article in articles:
        text = read_text(article, problems)
        if text is None:
            continue
        labels = article.with_name(f"article{_article_id(article)}{LABELS_SUFFIX}")
        spans: list[Span] = []
        if labels.exists():
            for number, line in enumerate(labels.read_text(encoding="utf-8").splitlines(), start=1):
                if not line.strip():
                    continue
                fields = line.split("\t")
                where = {"path": str(labels), "line": number, "doc_id": _article_id(article)}
                if len(fields) != 4 or not fields[2].isdigit() or not fields[3].isdigit():
                    problems.append(Problem("a label line is `id<TAB>technique<TAB>begin<TAB>end`", field="line", **where))
                    continue
                technique, start, end = fields[1], int(fields[2]), int(fields[3])
                if fields[0] != _article_id(article):
                    problems.append(Problem(f"article id {fields[0]!r} is not this file's", field="id", **where))
                    continue
                if technique not in mapping.techniques:
                    problems.append(Problem(f"technique {technique!r} has no entry in the mapping", field="technique", **where))
                    continue
                if not 0 <= start < end <= len(text):
                    problems.append(Problem(f"offsets {start}:{end} are outside the article (length {len(text)})", field="offsets", **where))
                    continue
                value = mapping.techniques[technique]
                if value is None:
                    carried.note(f"span(s) of techniques mapped to nothing ({technique})")
                    continue
                spans.append(Span(id=f"P{len(spans) + 1}", label=mapping.label, start=start, end=end, text=text[start:end],
                                  attrs={mapping.attribute: value}))
        yield Document(id=_article_id(article), text=text, spans=spans)
    if problems:
        raise DocumentError(problems, path=root)


def write_ptc(documents: Iterable[Document], folder: str | Path, mapping: PtcMapping, carried: Carried) -> int:
    """`article<id>.txt` and `article<id>.task2-TC.labels` per document."""
    root = Path(folder)
    count = 0
    for document in with_text(documents, "PTC"):
        count += 1
        name = f"article{document.id}"
        lines = []
        for span in sorted(document.spans, key=lambda s: (s.start or 0, s.end or 0, s.id)):
            technique = mapping.export.get(span.attrs.get(mapping.attribute, "")) if span.label == mapping.label else None
            if technique is None or span.start is None:
                carried.note(f"{span.label} span(s) with no PTC technique")
                continue
            lines.append(f"{document.id}\t{technique}\t{span.start}\t{span.end}")
            carried.note(f"{mapping.label} attribute value(s) other than {mapping.attribute}",
                         sum(1 for name in span.attrs if name != mapping.attribute))
        carried.note("relation(s)", len(document.relations))
        carried.note("document meta field(s)", len(document.meta))
        atomic_write_text(root / f"{name}.txt", document.text or "")
        atomic_write_text(root / f"{name}{LABELS_SUFFIX}", "\n".join(lines) + ("\n" if lines else ""))
    return count
