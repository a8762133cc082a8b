"""Names shared by the Label Studio labeling config and its results (one place, from the schema)."""

from __future__ import annotations

TEXT_NAME = "text"            # the <Text name=…> object tag, fed from task data["text"]
LABELS_NAME = "label"         # the <Labels name=…> control holding the schema's labels
DOC_ID_FIELD = "doc_id"       # task data key holding the newsgold document id
SHA_FIELD = "sha256"          # task data key holding the text's sha256


def attribute_control(label: str, attribute: str) -> str:
    """Control name of a per-region attribute: `SPEAKER.entity` (dots are accepted by Label Studio)."""
    return f"{label}.{attribute}"


def parse_attribute_control(name: str) -> tuple[str, str] | None:
    """(label, attribute) of a per-region attribute control name, or None for any other control."""
    label, dot, attribute = name.partition(".")
    return (label, attribute) if dot and label and attribute else None
