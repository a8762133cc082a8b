"""The schema loader: the shipped schema, derived sets, and every kind of bad schema."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from newsgold.io.config import default_schema_path, load_schema
from newsgold.model.errors import SchemaError
from newsgold.model.schema import Schema, parse_schema


def test_shipped_schema_has_the_design_labels_and_relations(schema: Schema) -> None:
    assert schema.version == 1
    assert schema.label_names == ("CLAIM", "SPEAKER", "EVENT", "FRAMING")
    assert schema.relation_names == ("attributed_to", "about")
    assert schema.relation("attributed_to").head == ("CLAIM",)
    assert schema.relation("attributed_to").tail == ("SPEAKER",)
    assert schema.relation("about").tail == ("EVENT",)


def test_attributes_and_values(schema: Schema) -> None:
    claim = schema.label("CLAIM")
    assert claim.attribute_names == ("voice", "quote", "checkworthy")
    assert claim.attribute("quote").value_names == ("direct", "indirect", "mixed", "none")
    # YAML 1.1 would read bare yes/no as booleans; the schema must keep them as strings.
    assert claim.attribute("checkworthy").value_names == ("yes", "no")
    entity = schema.label("SPEAKER").attribute("entity")
    assert entity.kind == "text" and entity.required and entity.values == ()
    event_type = schema.label("EVENT").attribute("type")
    assert event_type.value("ATTACK").plover == "ASSAULT"
    assert event_type.value("STATEMENT").plover is None


def test_bio_tags_and_display(schema: Schema) -> None:
    assert schema.bio_tags("FRAMING") == ("O", "B-FRAMING", "I-FRAMING")
    with pytest.raises(KeyError):
        schema.bio_tags("NOPE")
    assert len({label.hotkey for label in schema.labels}) == 4
    assert all(label.color.startswith("#") for label in schema.labels)


def test_round_trip_through_dict(schema: Schema) -> None:
    assert parse_schema(schema.to_dict()) == schema


def test_default_path_is_the_repository_config() -> None:
    assert default_schema_path().name == "schema.yaml"
    assert load_schema(Path(__file__).parents[2] / "configs" / "schema.yaml") == load_schema()


def _minimal() -> dict:
    return {
        "version": 1,
        "labels": {
            "A": {"color": "#000000", "hotkey": "a", "attributes": {"x": {"kind": "choice", "values": {"v": "d"}}}},
            "B": {"color": "#111111", "hotkey": "b"},
        },
        "relations": {"r": {"head": ["A"], "tail": ["B"]}},
    }


def _set(data: dict, dotted: str, value: object) -> dict:
    keys = dotted.split(".")
    target = data
    for key in keys[:-1]:
        target = target[key]
    target[keys[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "field", "message"),
    [
        ("colour", "#fff", "colour", "unknown key 'colour'"),
        ("labels.A.shortcut", "q", "labels.A.shortcut", "unknown key 'shortcut'"),
        ("labels.B.hotkey", "a", "labels.B.hotkey", "hotkey 'a' is already used by label 'A'"),
        ("labels.B.hotkey", "ab", "labels.B.hotkey", "one character"),
        ("labels.A.color", "red", "labels.A.color", "#rrggbb"),
        ("relations.r.tail", ["C"], "relations.r.tail", "unknown label 'C'"),
        ("labels.A.attributes.x.values", {}, "labels.A.attributes.x.values", "at least one value"),
        ("labels.A.attributes.x.values", None, "labels.A.attributes.x.values", "at least one value"),
        ("labels.A.attributes.x.kind", "number", "labels.A.attributes.x.kind", "kind must be one of"),
        ("labels.A.attributes.y", {"kind": "text", "values": {"v": "d"}}, "labels.A.attributes.y.values", "takes no values"),
        ("version", "one", "version", "positive integer"),
        ("labels", {}, "labels", "at least one label"),
        ("labels.O", {"color": "#222222", "hotkey": "o"}, "labels.O", "reserved"),
        ("labels.A B", {"color": "#222222", "hotkey": "z"}, "labels.A B", "not a valid name"),
    ],
)
def test_bad_schema_is_rejected_with_its_place(path: str, value: object, field: str, message: str) -> None:
    with pytest.raises(SchemaError) as info:
        parse_schema(_set(_minimal(), path, value), source="test.yaml")
    assert info.value.field == field
    assert message in str(info.value)
    assert "test.yaml" in str(info.value)


def test_missing_version_is_rejected() -> None:
    data = _minimal()
    del data["version"]
    with pytest.raises(SchemaError, match="missing required key 'version'"):
        parse_schema(data)


def test_duplicate_label_in_yaml_is_rejected(tmp_path: Path) -> None:
    text = yaml.safe_dump(_minimal(), sort_keys=False)
    text = text.replace("  B:\n", "  A:\n")  # the second label now repeats the first's name
    path = tmp_path / "schema.yaml"
    path.write_text(text)
    with pytest.raises(SchemaError, match="duplicate key 'A'") as info:
        load_schema(path)
    assert info.value.line is not None


@pytest.mark.parametrize(
    ("content", "message"),
    [("version: [1\n", "invalid YAML"), ("- a\n- b\n", "must be a mapping")],
)
def test_unreadable_schema_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "schema.yaml"
    path.write_text(content)
    with pytest.raises(SchemaError, match=message):
        load_schema(path)


def test_missing_schema_file(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="not found"):
        load_schema(tmp_path / "absent.yaml")
