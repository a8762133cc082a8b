"""Annotation internals without a server: config, result conversion, adjudication, agreement."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import pytest
from label_studio_sdk.label_interface import LabelInterface

from newsgold.annotation.adjudicate import adjudicate, majority_merge
from newsgold.annotation.agreement import agreement, cohen_kappa, krippendorff_alpha
from newsgold.annotation.config import choice_hotkeys, instructions_html, labeling_config, load_guidelines
from newsgold.annotation.pull import (
    Annotation,
    convert_export,
    diff_summary,
    record_pseudonyms,
    write_by_annotator,
    write_gold,
)
from newsgold.io.documents import read_documents
from newsgold.io.labelstudio import document_to_results, results_to_document
from newsgold.model.document import Document, Relation, Span
from newsgold.model.errors import SyncError
from newsgold.model.schema import Schema

GOLD = read_documents(Path(__file__).parents[2] / "gold")[0]


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


def test_every_control_is_visible_and_required_for_its_own_label_only(schema: Schema) -> None:
    """Label Studio checks `required` on every region unless the control itself names its label."""
    root = ElementTree.fromstring(labeling_config(schema))
    controls = [e for e in root.iter() if e.get("perRegion") == "true"]
    expected = {f"{label.name}.{a.name}" for label in schema.labels for a in label.attributes}
    assert {c.get("name") for c in controls} == expected
    for control in controls:
        owner, _, attribute = control.get("name", "").partition(".")
        assert control.get("visibleWhen") == "region-selected"
        assert control.get("whenTagName") == "label" and control.get("whenLabelValue") == owner
        assert (control.get("required") == "true") == schema.label(owner).attribute(attribute).required
    [relations] = list(root.iter("Relations"))
    assert relations.get("choice") == "single"


def test_choice_hotkeys_are_unique_per_label_and_clash_with_nothing(schema: Schema) -> None:
    root = ElementTree.fromstring(labeling_config(schema))
    label_keys = {label.hotkey for label in schema.labels}
    for label in schema.labels:
        keys = choice_hotkeys(schema, label)
        assert len(set(keys.values())) == len(keys)  # one key, one value, within the label
        assert not set(keys.values()) & (label_keys | {"u"})
        values = sum(len(a.values) for a in label.attributes if a.kind == "choice")
        assert len(keys) == values  # every value has a key (FRAMING's 16 too)
        for control in root.iter("Choices"):
            if control.get("whenLabelValue") == label.name:
                attribute = control.get("name", "").partition(".")[2]
                assert {c.get("value"): c.get("hotkey") for c in control} == {
                    value: key for (name, value), key in keys.items() if name == attribute}
    assert choice_hotkeys(schema, schema.label("CLAIM"))[("voice", "attributed")] == "1"
    assert choice_hotkeys(schema, schema.label("SPEAKER"))[("mention", "name")] == "1"


def test_instructions_carry_the_whole_guidelines(schema: Schema, tmp_path: Path) -> None:
    guidelines = (Path(__file__).parents[2] / "docs" / "guidelines.md").read_text(encoding="utf-8")
    html = instructions_html(schema, guidelines)
    assert "1. Boundaries (all labels)" in html and "Schema reference" in html
    assert "padding" in html and 'class="newsgold-guidelines"' in html and "<!--" not in html
    with pytest.raises(SyncError, match="cannot read the guidelines"):
        load_guidelines(tmp_path / "missing.md")


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
    both = results[:2] + [{"from_id": "b", "to_id": "a", "type": "relation", "labels": ["attributed_to", "about"]}]
    document2, problems2 = results_to_document("d", text, both, schema, where="t")
    assert document2.relations == [] and any("has 2 labels" in p.message and p.field == "labels" for p in problems2)
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
    assert merged.rule["d"] == "majority of 3 annotators (annotations 1, 2, 3)"
    assert merged.gold[0].meta["adjudication"] == {"rule": "majority", "annotations": [1, 2, 3], "annotators": ["x", "y", "z"]}
    assert [(s.start, s.attrs["entity"]) for s in merged.gold[0].spans] == [(0, "Anna"), (9, "Bert")]
    tie = adjudicate([_annotation(a, "x", 1), _annotation(c, "z", 3)], schema)
    assert "d" in tie.unresolved and not tie.gold  # entity has no majority: needs a ground truth
    assert any("marked by 1 of 2" in note for note in tie.disagreements["d"])


def test_each_annotator_votes_once_with_their_latest_annotation(schema: Schema) -> None:
    """Two people, three annotations: x's second annotation replaces x's first, it adds no vote."""
    text = "Anna and Bert spoke."
    a = Document(id="d", text=text, spans=[_speaker(0, 4, "Anna")])
    b = Document(id="d", text=text, spans=[_speaker(0, 4, "Anna"), _speaker(9, 13, "Bert")])
    decided = adjudicate([_annotation(b, "x", 1), _annotation(b, "x", 3), _annotation(a, "y", 2)], schema)
    assert decided.rule["d"] == "majority of 2 annotators (annotations 2, 3)"
    assert [s.start for s in decided.gold[0].spans] == [0]  # Bert has 1 of 2 annotators, not 2 of 3
    assert decided.gold[0].meta["annotators"] == ["x", "y"]
    alone = adjudicate([_annotation(a, "x", 1), _annotation(b, "x", 2)], schema)
    assert alone.rule["d"].startswith("single annotator (x, annotation 2)") and len(alone.gold[0].spans) == 2


def test_an_invalid_annotation_leaves_the_task_unresolved(schema: Schema) -> None:
    text = "Anna and Bert spoke."
    a = Document(id="d", text=text, spans=[_speaker(0, 4, "Anna")])
    group = [_annotation(a, "x", 1), _annotation(a, "y", 2)]
    decided = adjudicate(group, schema, invalid={2})
    assert decided.gold == [] and "annotation 2 (y) has problems" in decided.unresolved["d"][0]
    dropped = adjudicate(group, schema, invalid={2}, drop_invalid=True)
    assert dropped.gold[0].meta["adjudication"]["dropped_invalid"] == [2]
    assert "invalid annotation(s) 2 left out" in dropped.rule["d"]
    superseded = adjudicate([_annotation(a, "x", 1), _annotation(a, "y", 2), _annotation(a, "y", 3)], schema, invalid={2})
    assert superseded.rule["d"].startswith("majority of 2 annotators (annotations 1, 3)")  # y fixed it later
    truth = adjudicate([_annotation(a, "x", 1, ground_truth=True)], schema, invalid={1})
    assert truth.gold == [] and "ground-truth annotation 1" in truth.unresolved["d"][0]


def test_pull_names_annotators_by_pseudonym_and_gold_meta_by_decision(schema: Schema, tmp_path: Path) -> None:
    text = "Anna said yes."
    results = document_to_results(Document(id="d", text=text, spans=[_speaker(0, 4, "Anna")]), schema)
    task = {"id": 7, "data": {"text": text, "doc_id": "d"}, "meta": {"source": "seeds/d.txt"}, "annotations": [
        {"id": 11, "completed_by": {"id": 3, "email": "ann@example.org"}, "result": results, "updated_at": "1"},
        {"id": 12, "completed_by": 4, "result": results, "updated_at": "2"},
    ]}
    conversion = convert_export([task], schema)
    assert sorted(a.annotator for a in conversion.annotations) == ["annotator-3", "annotator-4"]
    assert conversion.emails == {"annotator-3": "ann@example.org"}
    path = record_pseudonyms(conversion, tmp_path / "ls")
    assert path is not None and json.loads(path.read_text()) == {"annotator-3": "ann@example.org"}
    assert oct(path.stat().st_mode)[-3:] == "600"
    write_by_annotator(conversion.annotations, tmp_path / "ann")
    assert sorted(p.name for p in (tmp_path / "ann").iterdir()) == ["annotator-3.jsonl", "annotator-4.jsonl"]
    gold = adjudicate(conversion.annotations, schema).gold[0]
    assert gold.meta["source"] == "seeds/d.txt" and gold.meta["annotators"] == ["annotator-3", "annotator-4"]
    assert not {"annotator", "annotation_id", "task_id", "ground_truth"} & set(gold.meta)
    assert "ann@example.org" not in json.dumps(gold.meta)


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
