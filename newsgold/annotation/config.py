"""The Label Studio labeling config (XML) and project instructions, generated from the schema.

Labels with colours and hotkeys, the relation names (one per relation: `choice="single"`), and
for each label its per-region attribute controls: `<Choices perRegion>` for categorical
attributes, `<TextArea perRegion>` for free text (SPEAKER.entity). Each control carries its own
`visibleWhen="region-selected"` condition for its label: Label Studio checks `required` against
every region unless the control itself says which label it belongs to, so a condition on an
enclosing view only hides the control and leaves its `required` blocking regions of other labels.
The text and the attribute panel sit side by side, the panel sticky, so attributes stay in view.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.sax.saxutils import quoteattr

import markdown_it

from newsgold.io.labelstudio_naming import LABELS_NAME, TEXT_NAME, attribute_control
from newsgold.io.schema_reference import schema_reference
from newsgold.model.errors import SyncError
from newsgold.model.schema import Attribute, Label, Schema

TEXT_STYLE = "flex: 3 1 0; min-width: 0"
PANEL_STYLE = "flex: 2 1 0; min-width: 16em; position: sticky; top: 0; max-height: 100vh; overflow-y: auto"
# Label Studio renders instructions as given; without padding the table cells run together.
INSTRUCTIONS_STYLE = (
    "<style>.newsgold-guidelines table{border-collapse:collapse;margin:0.5em 0}"
    ".newsgold-guidelines th,.newsgold-guidelines td{border:1px solid #ccc;padding:0.25em 0.6em;"
    "text-align:left;vertical-align:top}</style>"
)


# Label Studio's own order for automatic choice hotkeys; its single-key text shortcuts are
# u (unselect region), backspace, enter, escape. Automatic keys run out after ~30 choices and
# are given in config order across all labels, so newsgold gives each label's choices its own keys.
CHOICE_KEYS = "1234567890qwetasdfgzxcvbyiopjklnm"
LABEL_STUDIO_KEYS = frozenset({"u"})


def choice_hotkeys(schema: Schema, label: Label) -> dict[tuple[str, str], str]:
    """Hotkeys of one label's choice values, (attribute, value) -> key: 1-9, 0, then letters.

    Only the selected region's label shows its controls, so labels reuse the same keys; keys
    of the labels themselves and Label Studio's own shortcuts are skipped.
    """
    taken = {other.hotkey.lower() for other in schema.labels} | LABEL_STUDIO_KEYS
    free = iter(key for key in CHOICE_KEYS if key not in taken)
    keys: dict[tuple[str, str], str] = {}
    for attribute in label.attributes:
        for value in attribute.values if attribute.kind == "choice" else ():
            key = next(free, None)
            if key is None:
                return keys  # more values than keys: the rest get none (clicks still work)
            keys[(attribute.name, value.name)] = key
    return keys


def _visible_when(label: Label) -> str:
    return f'visibleWhen="region-selected" whenTagName="{LABELS_NAME}" whenLabelValue={quoteattr(label.name)}'


def _control(label: Label, attribute: Attribute, hotkeys: dict[tuple[str, str], str]) -> list[str]:
    """The control of one per-region attribute, visible (and required) for regions of its label only."""
    name = quoteattr(attribute_control(label.name, attribute.name))
    required = ' required="true"' if attribute.required else ""
    common = f'name={name} toName="{TEXT_NAME}" perRegion="true" {_visible_when(label)}{required}'
    # the attribute's name only: its values carry their descriptions as hints, the guidelines the rest
    lines = [f"      <Header value={quoteattr(attribute.name + (' (required)' if attribute.required else ''))} size=\"6\"/>"]
    if attribute.kind == "choice":
        lines.append(f'      <Choices {common} choice="single-radio" showInline="true">')
        for value in attribute.values:
            key = hotkeys.get((attribute.name, value.name))
            hotkey = f" hotkey={quoteattr(key)}" if key else ""
            lines.append(f"        <Choice value={quoteattr(value.name)}{hotkey} hint={quoteattr(value.description)}/>")
        lines.append("      </Choices>")
    else:
        lines.append(f'      <TextArea {common} editable="true" maxSubmissions="1" rows="1"/>')
    return lines


def labeling_config(schema: Schema) -> str:
    """The `<View>` XML of the labeling interface."""
    title = f"newsgold schema v{schema.version}: pick a label (hotkey or click), then select its text"
    lines = [
        "<View>",
        f"  <Header value={quoteattr(title)}/>",
        f'  <Labels name="{LABELS_NAME}" toName="{TEXT_NAME}">',
    ]
    for label in schema.labels:
        hint = quoteattr(" ".join(label.description.split()))
        lines.append(
            f'    <Label value={quoteattr(label.name)} background={quoteattr(label.color)} hotkey={quoteattr(label.hotkey)} hint={hint}/>'
        )
    lines += [
        "  </Labels>",
        '  <View style="display: flex; align-items: flex-start; gap: 1em">',
        f'    <View style="{TEXT_STYLE}">',
        f'      <Text name="{TEXT_NAME}" value="${TEXT_NAME}" granularity="symbol"/>',
        "    </View>",
        f'    <View style="{PANEL_STYLE}">',
    ]
    for label in schema.labels:
        if not label.attributes:
            continue
        lines.append(f"    <View {_visible_when(label)}>")
        lines.append(f"      <Header value={quoteattr(f'{label.name} attributes')} size=\"5\"/>")
        hotkeys = choice_hotkeys(schema, label)
        for attribute in label.attributes:
            lines += _control(label, attribute, hotkeys)
        lines.append("    </View>")
    lines += ["    </View>", "  </View>", '  <Relations choice="single">']
    for relation in schema.relations:
        lines.append(f"    <Relation value={quoteattr(relation.name)}/>")
    lines += ["  </Relations>", "</View>"]
    return "\n".join(lines) + "\n"


def _render(markdown: str) -> str:
    html = markdown_it.MarkdownIt("commonmark").enable("table").render(markdown)
    # Label Studio strips HTML comments from instructions; drop them so a re-push sees no change
    return re.sub(r"<!--.*?-->\n?", "", html, flags=re.S)


def instructions_html(schema: Schema, guidelines: str | None = None) -> str:
    """Project instructions: the whole guidelines page (hand-written rules and schema reference) as HTML.

    `guidelines` is the Markdown of docs/guidelines.md; without it, only the generated schema
    reference is shown (for a schema that has no guidelines page yet).
    """
    body = guidelines if guidelines is not None else schema_reference(schema)
    return f'{INSTRUCTIONS_STYLE}<div class="newsgold-guidelines">\n{_render(body)}</div>\n'


DEFAULT_GUIDELINES = Path("docs/guidelines.md")


def load_guidelines(path: Path | None) -> str | None:
    """The guidelines Markdown for the project instructions.

    An explicit `path` must be readable; without one, docs/guidelines.md of the working directory
    is used when it exists, else None (the instructions then carry the schema reference only).
    """
    if path is None:
        if not DEFAULT_GUIDELINES.is_file():
            return None
        path = DEFAULT_GUIDELINES
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SyncError(f"cannot read the guidelines: {exc}", path=path) from exc
