"""Annotation internals without a server: config, result conversion, adjudication, agreement."""

from __future__ import annotations

from pathlib import Path

import pytest
from label_studio_sdk.label_interface import LabelInterface

from newsgold.annotation.adjudicate import adjudicate, majority_merge
from newsgold.annotation.agreement import agreement, cohen_kappa, krippendorff_alpha
from newsgold.annotation.config import instructions_html, labeling_config
from newsgold.annotation.pull import Annotation, convert_export, diff_summary, write_gold
from newsgold.annotation.results import document_to_results, results_to_document
from newsgold.document import Document, Relation, Span, read_documents
from newsgold.schema import Schema

GOLD = read_documents(Path(__file__).parents[1] / "gold")[0]


def test_config_covers_the_schema_and_parses(schema: Schema) -> None:
    xml = labeling_config(schema)
    interface = LabelInterface(xml)
    assert interface is not None
    for label in schema.labels:
        assert f'value="{label.name}" background="{label.color}" hotkey="{label.hotkey}"' in xml
        assert f'whenLabelValue="{label.name}"' in xml
        for attribute in label.attributes:
            tag = "Choices" if attribute.kind == "choice" else "TextArea"
            assert f'<{tag} name="{label.name}.{attribute.name}" toName="text" perRegion="true"' in xml
    for relation in schema.relations:
        assert f'<Relation value="{relation.name}"/>' in xml
    assert "<table>" in instructions_html(schema) and "SPEAKER" in instructions_html(schema)


def test_results_round_trip_the_gold(schema: Schema) -> None:
    results = document_to_results(GOLD, schema)
    document, problems = results_to_document(GOLD.id, GOLD.text, results, schema, where="t")
    assert problems == []
    assert [(s.label, s.start, s.end, s.attrs) for s in document.spans] == [(s.label, s.start, s.end, s.attrs) for s in GOLD.spans]
    assert [(r.label, r.head, r.tail) for r in document.relations] == [(r.label, r.head, r.tail) for r in GOLD.relations]
    assert LabelInterface(labeling_config(schema)).validate_annotation({"result": results})


def test_result_problems_and_left_relations(schema: Schema) -> None:
    text = "He said no."
    results = [
        {"id": "a", "type": "labels", "value": {"start": 0, "end": 2, "text": "Hi", "labels": ["SPEAKER"]}},
        {"id": "b", "type": "labels", "value": {"start": 8, "end": 10, "labels": ["CLAIM"]}},
        {"id": "b", "type": "choices", "from_name": "SPEAKER.mention", "value": {"choices": ["name"]}},
        {"from_id": "a", "to_id": "b", "type": "relation", "direction": "left", "labels": ["attributed_to"]},
        {"from_id": "a", "to_id": "b", "type": "relation", "direction": "right"},
    ]
    document, problems = results_to_document("d", text, results, schema, where="task 1 annotation 2")
    messages = [p.message for p in problems]
    assert any("disagrees with the task text" in m for m in messages)
    assert any("does not belong to a CLAIM region" in m for m in messages)
    assert any("has no relation label" in m for m in messages)
    assert all(m.startswith("task 1 annotation 2: ") for m in messages)
    assert [(r.head, r.tail) for r in document.relations] == [("b", "a")]  # direction left: head is to_id
    assert document.spans[0].text == "He"  # recomputed from the task text


@pytest.mark.parametrize(
    ("a", "b", "kappa"),
    [(["a", "a", "b", "b"], ["a", "b", "b", "b"], 0.5), (["x"] * 5, ["x"] * 5, 1.0), (["x", "y"], ["y", "x"], -1.0)],
)
def test_cohen_kappa(a, b, kappa) -> None:  # type: ignore[no-untyped-def]
    assert cohen_kappa(a, b) == pytest.approx(kappa)


def test_krippendorff_alpha_worked_example() -> None:
    # coincidences: a-a 2, a-b 1, b-a 1, b-b 4 -> alpha = 1 - 2 / (2*3*5/7) = 8/15
    assert krippendorff_alpha([["a", "a"], ["a", "b"], ["b", "b"], ["b", "b"]]) == pytest.approx(8 / 15)
    assert krippendorff_alpha([["a", "a", "a"], ["b", "b"]]) == pytest.approx(1.0)
    assert krippendorff_alpha([["a"]]) is None  # no unit with two values


def _annotation(document: Document, who: str, number: int, ground_truth: bool = False) -> Annotation:
    return Annotation(document=document, annotator=who, annotation_id=number, task_id=1, ground_truth=ground_truth, updated_at=str(number))


def _speaker(start: int, end: int, entity: str) -> Span:
    return Span(f"s{start}", "SPEAKER", start, end, attrs={"mention": "name", "entity": entity})


def test_adjudication_rules(schema: Schema) -> None:
    text = "Anna and Bert spoke."
    a = Document(id="d", text=text, spans=[_speaker(0, 4, "Anna")])
    b = Document(id="d", text=text, spans=[_speaker(0, 4, "Anna"), _speaker(9, 13, "Bert")])
    c = Document(id="d", text=text, spans=[_speaker(0, 4, "Anna K"), _speaker(9, 13, "Bert")])
    truth = adjudicate([_annotation(a, "x", 1), _annotation(b, "y", 2, ground_truth=True)], schema)
    assert truth.rule["d"].startswith("ground truth") and len(truth.gold[0].spans) == 2
    merged = adjudicate([_annotation(a, "x", 1), _annotation(b, "y", 2), _annotation(c, "z", 3)], schema)
    assert merged.rule["d"] == "majority of 3 annotations"
    assert [(s.start, s.attrs["entity"]) for s in merged.gold[0].spans] == [(0, "Anna"), (9, "Bert")]
    tie = adjudicate([_annotation(a, "x", 1), _annotation(c, "z", 3)], schema)
    assert "d" in tie.unresolved and not tie.gold  # entity has no majority: needs a ground truth
    assert any("marked by 1 of 2" in note for note in tie.disagreements["d"])


def test_majority_merge_keeps_agreed_relations() -> None:
    text = "Anna said yes."
    spans = [Span("s", "SPEAKER", 0, 4, attrs={"mention": "name", "entity": "Anna"}),
             Span("c", "CLAIM", 10, 13, attrs={"voice": "attributed", "quote": "indirect", "checkworthy": "no"})]
    linked = Document(id="d", text=text, spans=spans, relations=[Relation("attributed_to", "c", "s")])
    unlinked = Document(id="d", text=text, spans=spans)
    merged, notes = majority_merge([linked, linked, unlinked])
    assert len(merged.relations) == 1 and notes == []


def test_gold_is_not_overwritten_without_force(tmp_path: Path) -> None:
    write_gold([GOLD], tmp_path)
    smaller = Document(id=GOLD.id, text=GOLD.text, meta=GOLD.meta, spans=GOLD.spans[1:], relations=[])
    outcome = write_gold([smaller], tmp_path)
    assert GOLD.id in outcome.refused and "-1 spans" in outcome.refused[GOLD.id]
    assert read_documents(tmp_path / f"{GOLD.id}.json")[0] == GOLD
    assert write_gold([smaller], tmp_path, force=True).written == [GOLD.id]
    assert diff_summary(GOLD, GOLD) == "+0 -0 spans (attributes included), +0 -0 relations"


def test_convert_export_checks_text_hash_and_structure(schema: Schema) -> None:
    conversion = convert_export({"not": "a list"}, schema, source="x.json")
    assert "JSON list of tasks" in conversion.problems[0].message
    tasks = [{"id": 3, "data": {"text": "abc", "doc_id": "d", "sha256": "0" * 64}, "annotations": []}]
    assert "does not match its recorded sha256" in convert_export(tasks, schema).problems[0].message


def test_agreement_on_identical_annotators(schema: Schema) -> None:
    result = agreement({"x": {GOLD.id: GOLD}, "y": {GOLD.id: GOLD}}, schema)
    assert result["documents_compared"] == 1
    assert all(entry["f1"] == 1.0 for entry in result["span_f1"]["strict"].values())
    assert all(alpha == pytest.approx(1.0) for alpha in result["token_alpha"].values())
    assert all(entry["agreement"] == 1.0 for entry in result["attributes"].values())
