"""The prompt and the JSON Schema for a language-model extractor, generated from the annotation schema.

Nothing here is written per label: the instructions list every label with its description, every
attribute with its values and their descriptions, and every relation with the labels at its ends,
all read from `configs/schema.yaml`; optional guidelines text and few-shot examples (gold documents
of the train split, chosen by the caller) are appended. The model answers with one JSON object::

    {"spans": [{"id": "s1", "label": "SPEAKER", "text": "Konashenkov", "attributes": {...}}, ...],
     "relations": [{"label": "attributed_to", "head": "s2", "tail": "s1"}, ...]}

`parse_answer` checks an answer against the schema and returns a prediction Document (spans by
text alone, grounded later) or the reason it is unusable, which is sent back on a retry.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Sequence

from newsgold.model.document import Document, Relation, Span
from newsgold.model.schema import Schema
from newsgold.model.validation import validate

OUTPUT_NAME = "newsgold_annotations"
STRUCTURED = ("json_schema", "json_object", "none")  # how the answer's structure is requested (response_format)


@dataclass(frozen=True)
class Prompt:
    """The fixed part of every request: system message, few-shot turns, JSON Schema, and their hash."""

    system: str
    examples: tuple[dict[str, str], ...]
    json_schema: dict[str, Any]
    sha256: str

    def messages(self, text: str) -> list[dict[str, str]]:
        """The chat messages for one article."""
        return [{"role": "system", "content": self.system}, *self.examples, {"role": "user", "content": user_message(text)}]


def user_message(text: str) -> str:
    return f"Article:\n<<<\n{text}\n>>>"


def output_schema(schema: Schema) -> dict[str, Any]:
    """A JSON Schema (strict-mode compatible: every property required, no extra ones) for the answer."""
    span_variants = []
    for label in schema.labels:
        properties: dict[str, Any] = {}
        for attribute in label.attributes:
            if attribute.kind == "choice":
                properties[attribute.name] = {"type": "string", "enum": list(attribute.value_names)}
            else:
                properties[attribute.name] = {"type": "string"}
        span_variants.append({
            "type": "object",
            "properties": {
                "id": {"type": "string"},
                "label": {"type": "string", "enum": [label.name]},
                "text": {"type": "string"},
                "attributes": {"type": "object", "properties": properties, "required": list(properties), "additionalProperties": False},
            },
            "required": ["id", "label", "text", "attributes"],
            "additionalProperties": False,
        })
    relation = {
        "type": "object",
        "properties": {"label": {"type": "string", "enum": list(schema.relation_names)}, "head": {"type": "string"}, "tail": {"type": "string"}},
        "required": ["label", "head", "tail"],
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "properties": {"spans": {"type": "array", "items": {"anyOf": span_variants}}, "relations": {"type": "array", "items": relation}},
        "required": ["spans", "relations"],
        "additionalProperties": False,
    }


def instructions(schema: Schema, guidelines: str | None = None) -> str:
    """The system message: the task, every label, attribute, value and relation of the schema, the
    answer format, and the guidelines when given."""
    lines = [
        "You annotate news articles. Find every span of the labels below, give each span's attributes, and link "
        "spans with the relations below.",
        "",
        "Labels:",
    ]
    for label in schema.labels:
        lines.append(f"- {label.name}: {label.description}")
        for attribute in label.attributes:
            if attribute.kind == "choice":
                lines.append(f"  - attribute {attribute.name}: {attribute.description} One of:")
                lines += [f"    - {value.name}: {value.description}" for value in attribute.values]
            else:
                lines.append(f"  - attribute {attribute.name}: {attribute.description} Free text.")
    lines += ["", "Relations (from head to tail):"]
    for relation in schema.relations:
        lines.append(f"- {relation.name}: {relation.description} Head: {', '.join(relation.head)}; tail: {', '.join(relation.tail)}.")
    lines += [
        "",
        "Answer with one JSON object and nothing else: "
        '{"spans": [{"id": "s1", "label": ..., "text": ..., "attributes": {...}}], "relations": [{"label": ..., "head": "s1", "tail": "s2"}]}.',
        "Copy each span's text exactly as it appears in the article, character for character (same spelling, "
        "punctuation and quotation marks); never paraphrase, shorten or correct it. List the spans in the order they "
        "appear in the article, one entry per occurrence (a name mentioned three times as a speaker is three spans). "
        "Give every span a unique id (s1, s2, …) and every attribute of its label. Relations refer to span ids.",
    ]
    if guidelines:
        lines += ["", "Annotation guidelines:", guidelines.strip()]
    return "\n".join(lines)


def answer_of(document: Document, schema: Schema) -> dict[str, Any]:
    """A gold document as the answer the model is asked for (for few-shot examples)."""
    ids = {span.id: f"s{index}" for index, span in enumerate(document.spans, start=1)}
    return {
        "spans": [{"id": ids[s.id], "label": s.label, "text": s.text if s.text is not None else (document.text or "")[s.start:s.end],
                   "attributes": dict(s.attrs)} for s in document.spans],
        "relations": [{"label": r.label, "head": ids[r.head], "tail": ids[r.tail]} for r in document.relations if r.head in ids and r.tail in ids],
    }


def build_prompt(schema: Schema, *, guidelines: str | None = None, examples: Sequence[Document] = ()) -> Prompt:
    """The prompt for this schema, with optional guidelines and few-shot examples."""
    system = instructions(schema, guidelines)
    turns: list[dict[str, str]] = []
    for example in examples:
        turns.append({"role": "user", "content": user_message(example.text or "")})
        turns.append({"role": "assistant", "content": json.dumps(answer_of(example, schema), ensure_ascii=False)})
    json_schema = output_schema(schema)
    digest = hashlib.sha256(json.dumps([system, turns, json_schema], ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()
    return Prompt(system, tuple(turns), json_schema, digest)


def parse_answer(doc_id: str, content: str, schema: Schema) -> tuple[Document | None, str | None]:
    """The answer as a prediction Document (spans by text, no offsets), or None and what is wrong with it."""
    raw = content.strip()
    if raw.startswith("```"):  # a fenced block despite the instructions
        raw = raw.strip("`")
        raw = raw[raw.find("{"):] if "{" in raw else raw
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        return None, f"the answer is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
    if not isinstance(data, dict) or not isinstance(data.get("spans"), list) or not isinstance(data.get("relations", []), list):
        return None, 'the answer must be a JSON object with a "spans" list and a "relations" list'
    spans: list[Span] = []
    for index, item in enumerate(data["spans"]):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not isinstance(item.get("label"), str) \
                or not isinstance(item.get("text"), str) or not isinstance(item.get("attributes", {}), dict):
            return None, f"span #{index} must be an object with string id, label and text, and an attributes object"
        if not item["text"].strip():
            return None, f"span {item['id']!r} has empty text"
        attrs = {str(k): str(v) for k, v in item.get("attributes", {}).items() if v is not None}
        spans.append(Span(id=item["id"], label=item["label"], start=None, end=None, text=item["text"], attrs=attrs))
    relations: list[Relation] = []
    for index, item in enumerate(data.get("relations", [])):
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in ("label", "head", "tail")):
            return None, f"relation #{index} must be an object with string label, head and tail"
        relations.append(Relation(label=item["label"], head=item["head"], tail=item["tail"]))
    document = Document(id=doc_id, text=None, spans=spans, relations=relations)
    problems = validate(document, schema, gold=False)
    if problems:
        shown = "; ".join(_describe(p) for p in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        return None, f"the answer does not fit the schema: {shown}{more}"
    return document, None


def _describe(problem: Any) -> str:
    where = f"span {problem.span_id}: " if problem.span_id else (f"relation #{problem.relation}: " if problem.relation is not None else "")
    return f"{where}{problem.message}"
