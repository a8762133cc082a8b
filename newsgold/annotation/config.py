"""The Label Studio labeling config (XML) and project instructions, generated from the schema.

Labels with colours and hotkeys, the relation names, and for each label a block of per-region
attribute controls shown only when a region of that label is selected: `<Choices perRegion>` for
categorical attributes, `<TextArea perRegion>` for free text (SPEAKER.entity).
"""

from __future__ import annotations

import re
from xml.sax.saxutils import quoteattr

import markdown_it

from newsgold.annotation.naming import LABELS_NAME, TEXT_NAME, attribute_control
from newsgold.guidelines import schema_reference
from newsgold.schema import Schema


def labeling_config(schema: Schema) -> str:
    """The `<View>` XML of the labeling interface."""
    lines = [
        "<View>",
        f'  <Header value={quoteattr(f"newsgold schema v{schema.version}: select a span, pick its label, fill its attributes")}/>',
        f'  <Labels name="{LABELS_NAME}" toName="{TEXT_NAME}">',
    ]
    for label in schema.labels:
        hint = quoteattr(" ".join(label.description.split()))
        lines.append(
            f'    <Label value={quoteattr(label.name)} background={quoteattr(label.color)} hotkey={quoteattr(label.hotkey)} hint={hint}/>'
        )
    lines += ["  </Labels>", f'  <Text name="{TEXT_NAME}" value="${TEXT_NAME}" granularity="symbol"/>', "  <Relations>"]
    for relation in schema.relations:
        lines.append(f"    <Relation value={quoteattr(relation.name)}/>")
    lines.append("  </Relations>")
    for label in schema.labels:
        if not label.attributes:
            continue
        lines.append(f'  <View visibleWhen="region-selected" whenTagName="{LABELS_NAME}" whenLabelValue={quoteattr(label.name)}>')
        for attribute in label.attributes:
            control = quoteattr(attribute_control(label.name, attribute.name))
            required = ' required="true"' if attribute.required else ""
            lines.append(f"    <Header value={quoteattr(f'{label.name} {attribute.name}: {attribute.description}')} size=\"6\"/>")
            if attribute.kind == "choice":
                lines.append(f'    <Choices name={control} toName="{TEXT_NAME}" perRegion="true" choice="single-radio"{required}>')
                for value in attribute.values:
                    lines.append(f"      <Choice value={quoteattr(value.name)} hint={quoteattr(value.description)}/>")
                lines.append("    </Choices>")
            else:
                lines.append(
                    f'    <TextArea name={control} toName="{TEXT_NAME}" perRegion="true" editable="true" maxSubmissions="1"{required}/>'
                )
        lines.append("  </View>")
    lines.append("</View>")
    return "\n".join(lines) + "\n"


def instructions_html(schema: Schema) -> str:
    """Project instructions: the schema reference of the guidelines, rendered to HTML."""
    intro = (
        "Follow docs/guidelines.md of the newsgold repository. Labels never include surrounding "
        "whitespace or punctuation; link each attributed CLAIM to its SPEAKER with attributed_to and "
        "to the EVENT it is about with about.\n\n"
    )
    html = markdown_it.MarkdownIt("commonmark").enable("table").render(intro + schema_reference(schema))
    # Label Studio strips HTML comments from instructions; drop them so a re-push sees no change
    return re.sub(r"<!--.*?-->\n?", "", html, flags=re.S)
