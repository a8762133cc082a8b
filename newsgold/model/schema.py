"""The annotation schema: typed, frozen objects loaded from `configs/schema.yaml`.

Every other part of newsgold asks a `Schema` for label names, BIO tags, colours and attribute
values; nothing repeats them by hand. `parse_schema` builds it from plain data and rejects a bad
schema with a `SchemaError` that names the key that is wrong; `newsgold.io.config.load_schema`
reads the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar, Mapping

from newsgold.model.errors import SchemaError

ATTRIBUTE_KINDS = ("choice", "text")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class Value:
    """One allowed value of a categorical attribute."""

    name: str
    description: str = ""
    plover: str | None = None


@dataclass(frozen=True)
class Attribute:
    """An attribute of a label: categorical (`choice`, with values) or free `text`."""

    name: str
    kind: str
    description: str = ""
    required: bool = False
    values: tuple[Value, ...] = ()
    identity: bool = False

    @cached_property
    def value_names(self) -> tuple[str, ...]:
        """The allowed values, in schema order (empty for free-text attributes)."""
        return tuple(value.name for value in self.values)

    def value(self, name: str) -> Value:
        """The value called `name`; KeyError if the attribute has no such value."""
        for value in self.values:
            if value.name == name:
                return value
        raise KeyError(name)


@dataclass(frozen=True)
class Label:
    """A span label with its display settings and attributes."""

    name: str
    description: str
    color: str
    hotkey: str
    attributes: tuple[Attribute, ...] = ()

    @cached_property
    def attribute_names(self) -> tuple[str, ...]:
        """The label's attribute names, in schema order."""
        return tuple(attribute.name for attribute in self.attributes)

    @cached_property
    def allowed_values(self) -> dict[str, frozenset[str] | None]:
        """Attribute name -> its allowed values (None for free text): the validator's lookup."""
        return {a.name: frozenset(a.value_names) if a.kind == "choice" else None for a in self.attributes}

    @cached_property
    def required_names(self) -> frozenset[str]:
        """Names of the attributes every gold span of this label must have."""
        return frozenset(a.name for a in self.attributes if a.required)

    def attribute(self, name: str) -> Attribute:
        """The attribute called `name`; KeyError if the label has none."""
        for attribute in self.attributes:
            if attribute.name == name:
                return attribute
        raise KeyError(name)

    @property
    def identity_attribute(self) -> Attribute | None:
        """The attribute whose value names the referent shared by all mentions (SPEAKER.entity)."""
        return next((attribute for attribute in self.attributes if attribute.identity), None)


@dataclass(frozen=True)
class RelationType:
    """A directed relation between two spans, with the labels allowed at each end."""

    name: str
    description: str
    head: tuple[str, ...]
    tail: tuple[str, ...]


@dataclass(frozen=True)
class Schema:
    """The whole annotation schema: version, labels and relation types."""

    version: int
    name: str
    labels: tuple[Label, ...]
    relations: tuple[RelationType, ...]
    source: str = field(default="<memory>", compare=False)
    guidelines_version: int = 1  # the version of docs/guidelines.md annotations are made by (recorded in gold meta)

    OUTSIDE: ClassVar[str] = "O"

    @cached_property
    def label_names(self) -> tuple[str, ...]:
        """Label names in schema order."""
        return tuple(label.name for label in self.labels)

    @cached_property
    def relation_names(self) -> tuple[str, ...]:
        """Relation names in schema order."""
        return tuple(relation.name for relation in self.relations)

    @cached_property
    def labels_by_name(self) -> dict[str, Label]:
        """Label name -> Label."""
        return {label.name: label for label in self.labels}

    def label(self, name: str) -> Label:
        """The label called `name`; KeyError if there is none."""
        return self.labels_by_name[name]

    def identity_attributes(self) -> dict[str, Attribute]:
        """The identity attribute of each label that has one (SPEAKER -> entity)."""
        return self._identity_attributes

    @cached_property
    def _identity_attributes(self) -> dict[str, Attribute]:
        return {label.name: label.identity_attribute for label in self.labels if label.identity_attribute is not None}

    def relation(self, name: str) -> RelationType:
        """The relation type called `name`; KeyError if there is none."""
        for relation in self.relations:
            if relation.name == name:
                return relation
        raise KeyError(name)

    def bio_tags(self, label: str) -> tuple[str, ...]:
        """The IOB2 tag set of one label's layer: ("O", "B-LABEL", "I-LABEL")."""
        self.label(label)
        return (self.OUTSIDE, f"B-{label}", f"I-{label}")

    def to_dict(self) -> dict[str, Any]:
        """The schema as plain data, in the layout of schema.yaml."""
        return {
            "version": self.version,
            "guidelines_version": self.guidelines_version,
            "name": self.name,
            "labels": {
                label.name: {
                    "description": label.description,
                    "color": label.color,
                    "hotkey": label.hotkey,
                    "attributes": {a.name: _attribute_to_dict(a) for a in label.attributes},
                }
                for label in self.labels
            },
            "relations": {
                r.name: {"description": r.description, "head": list(r.head), "tail": list(r.tail)}
                for r in self.relations
            },
        }


def _attribute_to_dict(attribute: Attribute) -> dict[str, Any]:
    data: dict[str, Any] = {
        "description": attribute.description,
        "kind": attribute.kind,
        "required": attribute.required,
    }
    if attribute.identity:
        data["identity"] = True
    if attribute.kind == "choice":
        data["values"] = {
            v.name: ({"description": v.description, "plover": v.plover} if v.plover else v.description)
            for v in attribute.values
        }
    return data


def parse_schema(data: Any, *, source: str = "<memory>") -> Schema:
    """Build a `Schema` from plain data, raising `SchemaError` naming the first bad key."""
    top = _mapping(data, source, "the schema", {"version", "guidelines_version", "name", "labels", "relations"}, {"version", "labels"})
    version = top["version"]
    guidelines_version = top.get("guidelines_version", 1)
    for key, value in (("version", version), ("guidelines_version", guidelines_version)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise SchemaError(f"{key} must be a positive integer, got {value!r}", path=source, field=key)
    name = top.get("name", "newsgold")
    if not isinstance(name, str) or not name:
        raise SchemaError(f"name must be a non-empty string, got {name!r}", path=source, field="name")

    labels_data = _mapping(top["labels"], source, "labels", None, set())
    if not labels_data:
        raise SchemaError("labels must name at least one label", path=source, field="labels")
    labels = tuple(_parse_label(key, value, source) for key, value in labels_data.items())
    _check_unique_hotkeys(labels, source)

    relations_data = _mapping(top.get("relations") or {}, source, "relations", None, set())
    relations = tuple(_parse_relation(key, value, labels, source) for key, value in relations_data.items())
    return Schema(version=version, name=name, labels=labels, relations=relations, source=source,
                  guidelines_version=guidelines_version)


def _mapping(
    data: Any, source: str, where: str, allowed: set[str] | None, required: set[str]
) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise SchemaError(f"{where} must be a mapping, got {type(data).__name__}", path=source, field=where)
    for key in data:
        if not isinstance(key, str):
            raise SchemaError(f"keys must be strings, got {key!r}", path=source, field=where)
        if allowed is not None and key not in allowed:
            raise SchemaError(
                f"unknown key {key!r} (allowed: {', '.join(sorted(allowed))})", path=source, field=_join(where, key)
            )
    for key in sorted(required - set(data)):
        raise SchemaError(f"missing required key {key!r}", path=source, field=_join(where, key))
    return data


def _join(where: str, key: str) -> str:
    return key if where == "the schema" else f"{where}.{key}"


def _text(value: Any, source: str, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise SchemaError(f"must be a string, got {value!r}", path=source, field=where)
    return value.strip()


def _check_name(name: str, source: str, where: str) -> None:
    if not _NAME.match(name):
        raise SchemaError(
            f"{name!r} is not a valid name (letters, digits and underscores, not starting with a digit)",
            path=source,
            field=where,
        )


def _parse_label(name: str, data: Any, source: str) -> Label:
    where = f"labels.{name}"
    _check_name(name, source, where)
    if name == Schema.OUTSIDE:
        raise SchemaError(f"{name!r} is reserved for the outside tag", path=source, field=where)
    body = _mapping(data, source, where, {"description", "color", "hotkey", "attributes"}, {"color", "hotkey"})
    color = body["color"]
    if not isinstance(color, str) or not _COLOR.match(color):
        raise SchemaError(f"color must look like '#rrggbb', got {color!r}", path=source, field=f"{where}.color")
    hotkey = body["hotkey"]
    if not isinstance(hotkey, str) or len(hotkey) != 1:
        raise SchemaError(f"hotkey must be one character, got {hotkey!r}", path=source, field=f"{where}.hotkey")
    attributes_data = _mapping(body.get("attributes") or {}, source, f"{where}.attributes", None, set())
    attributes = tuple(
        _parse_attribute(key, value, source, f"{where}.attributes.{key}") for key, value in attributes_data.items()
    )
    return Label(
        name=name,
        description=_text(body.get("description"), source, f"{where}.description"),
        color=color.lower(),
        hotkey=hotkey,
        attributes=attributes,
    )


def _parse_attribute(name: str, data: Any, source: str, where: str) -> Attribute:
    _check_name(name, source, where)
    body = _mapping(data, source, where, {"description", "kind", "required", "values", "identity"}, {"kind"})
    kind = body["kind"]
    if kind not in ATTRIBUTE_KINDS:
        raise SchemaError(
            f"kind must be one of {', '.join(ATTRIBUTE_KINDS)}, got {kind!r}", path=source, field=f"{where}.kind"
        )
    required = body.get("required", False)
    if not isinstance(required, bool):
        raise SchemaError(f"required must be true or false, got {required!r}", path=source, field=f"{where}.required")
    identity = body.get("identity", False)
    if not isinstance(identity, bool) or (identity and kind != "text"):
        raise SchemaError("identity must be true or false, and only a text attribute can be one", path=source, field=f"{where}.identity")
    values: tuple[Value, ...] = ()
    if kind == "text":
        if "values" in body:
            raise SchemaError("a text attribute takes no values", path=source, field=f"{where}.values")
    else:
        values_data = body.get("values")
        if values_data is None or (isinstance(values_data, Mapping) and not values_data):
            raise SchemaError("a choice attribute needs at least one value", path=source, field=f"{where}.values")
        values_data = _mapping(values_data, source, f"{where}.values", None, set())
        values = tuple(_parse_value(key, value, source, f"{where}.values.{key}") for key, value in values_data.items())
    return Attribute(
        name=name,
        kind=kind,
        description=_text(body.get("description"), source, f"{where}.description"),
        required=required,
        values=values,
        identity=identity,
    )


def _parse_value(name: str, data: Any, source: str, where: str) -> Value:
    if not name.strip() or name != name.strip():
        raise SchemaError(f"value {name!r} must be non-empty without surrounding spaces", path=source, field=where)
    if data is None or isinstance(data, str):
        return Value(name=name, description=_text(data, source, where))
    body = _mapping(data, source, where, {"description", "plover"}, set())
    plover = body.get("plover")
    if plover is not None and (not isinstance(plover, str) or not plover.isupper()):
        raise SchemaError(f"plover must be an upper-case PLOVER category, got {plover!r}", path=source, field=f"{where}.plover")
    return Value(name=name, description=_text(body.get("description"), source, f"{where}.description"), plover=plover)


def _check_unique_hotkeys(labels: tuple[Label, ...], source: str) -> None:
    seen: dict[str, str] = {}
    for label in labels:
        key = label.hotkey.lower()
        if key in seen:
            raise SchemaError(
                f"hotkey {label.hotkey!r} is already used by label {seen[key]!r}",
                path=source,
                field=f"labels.{label.name}.hotkey",
            )
        seen[key] = label.name


def _parse_relation(name: str, data: Any, labels: tuple[Label, ...], source: str) -> RelationType:
    where = f"relations.{name}"
    _check_name(name, source, where)
    body = _mapping(data, source, where, {"description", "head", "tail"}, {"head", "tail"})
    known = {label.name for label in labels}
    ends: dict[str, tuple[str, ...]] = {}
    for end in ("head", "tail"):
        value = body[end]
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise SchemaError(f"{end} must be a non-empty list of labels", path=source, field=f"{where}.{end}")
        for label in value:
            if label not in known:
                raise SchemaError(
                    f"unknown label {label!r} (labels: {', '.join(sorted(known))})", path=source, field=f"{where}.{end}"
                )
        ends[end] = tuple(value)
    return RelationType(
        name=name,
        description=_text(body.get("description"), source, f"{where}.description"),
        head=ends["head"],
        tail=ends["tail"],
    )
