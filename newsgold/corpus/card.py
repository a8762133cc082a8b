"""The dataset card (README.md of the Hub folder), generated from the schema, settings and build."""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from datasets import ClassLabel, Features, List, Value

from newsgold import __version__
from newsgold.corpus.features import CONFIG_NAMES, config_features, tags_column
from newsgold.io.agreement_tables import attribute_rows, relation_rows, span_rows, summary_line
from newsgold.io.config import read_yaml
from newsgold.io.schema_reference import markdown_cell
from newsgold.io.score_tables import score_rows
from newsgold.model.errors import BuildError
from newsgold.model.schema import Schema

if TYPE_CHECKING:
    from newsgold.corpus.build import BuildReport
    from newsgold.corpus.settings import BuildSettings

CARD_TEXT_RESOURCE = ("newsgold.configs", "card.yaml")


@lru_cache(maxsize=1)
def card_text() -> dict[str, Any]:
    """The card's prose (configs/card.yaml): the wording lives there, the measurements come from the build."""
    package, name = CARD_TEXT_RESOURCE
    data = read_yaml(Path(str(resources.files(package).joinpath(name))), error=BuildError, what="dataset card text")
    if not isinstance(data, dict):
        raise BuildError("the card text must be a mapping of named passages", path=name)
    return data


def _para(text: str) -> str:
    """A folded YAML passage as one line of Markdown."""
    return " ".join(text.split())


def size_category(count: int) -> str:
    """The Hub's size_categories bucket for a number of rows."""
    for limit, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")):
        if count < limit:
            return name
    return "1M<n<10M"


def _type_name(feature: Any) -> str:
    if isinstance(feature, ClassLabel):
        return f"class label ({', '.join(f'`{n}`' for n in feature.names)})"
    if isinstance(feature, Value):
        return feature.dtype
    if isinstance(feature, List):
        return f"list of {_type_name(feature.feature)}"
    if isinstance(feature, dict):
        return "struct {" + ", ".join(f"{k}: {_type_name(v)}" for k, v in feature.items() if not isinstance(v, dict)) + (
            ", attrs" if "attrs" in feature else ""
        ) + "}"
    return type(feature).__name__


def _field_rows(features: Features) -> list[str]:
    text = card_text()
    rows = ["| field | type | meaning |", "| --- | --- | --- |"]
    for name, feature in features.items():
        note = text["fields"].get(name, "")
        if not note and name.endswith("_tags"):
            note = text["field_tags"].format(label=name[:-5].upper())
        elif not note:
            note = text["field_linked"]
        rows.append(f"| `{name}` | {_type_name(feature)} | {note} |")
    return rows


def _plover_lines(schema: Schema) -> list[str]:
    """One line per attribute whose values map to PLOVER event categories."""
    return [
        f"`{label.name}.{attribute.name}` maps to PLOVER: "
        + ", ".join(f"{v.name} → {v.plover or '(none)'}" for v in attribute.values)
        + "."
        for label in schema.labels
        for attribute in label.attributes
        if any(value.plover for value in attribute.values)
    ]


def hub_license(settings: BuildSettings, provenance: dict[str, Any]) -> str | list[str]:
    """The card header's `license`: the Hub id of every article licence present (one, or a list)."""
    ids = sorted({settings.card.licenses[name].hub_id for name in provenance["licenses"]}) or ["unknown"]
    return ids[0] if len(ids) == 1 else ids


def _metadata(schema: Schema, settings: BuildSettings, report: BuildReport, provenance: dict[str, Any]) -> dict[str, Any]:
    configs = []
    for config in CONFIG_NAMES:
        data_files = [
            {"split": split, "path": f"{config}/{split}-*.parquet"}
            for split, count in report.rows[config].items()
            if count > 0
        ]
        entry: dict[str, Any] = {"config_name": config, "data_files": data_files}
        if config == "documents":
            entry["default"] = True
        configs.append(entry)
    return {
        "pretty_name": settings.card.pretty_name,
        "license": hub_license(settings, provenance),
        "language": list(settings.card.language),
        "multilinguality": "monolingual",
        "size_categories": [size_category(sum(report.documents.values()))],
        "task_categories": ["token-classification", "text-classification"],
        "task_ids": ["named-entity-recognition", "fact-checking", "multi-class-classification"],
        "annotations_creators": list(settings.card.annotations_creators),
        "language_creators": ["found"],
        "source_datasets": ["original"],
        "tags": list(card_text()["hub_tags"]),
        "configs": configs,
    }


def corpus_description(provenance: dict[str, Any]) -> str:
    """What the corpus is, from its metadata alone: how many articles, from whom, from when."""
    total = provenance["total"]
    publishers: Counter[str] = Counter()
    for row in provenance["by_source"]:  # one row per (publisher, licence)
        publishers[row["publisher"]] += row["articles"]
    named = ", ".join(f"{name} ({count})" for name, count in sorted(publishers.items(), key=lambda kv: (-kv[1], kv[0])))
    dates = provenance.get("dates") or []
    when = f", dated {dates[0]} to {dates[1]}" if dates and dates[0] != dates[1] else (f", dated {dates[0]}" if dates else "")
    return f"The {total} article(s) come from {named}{when} (publisher as recorded in each article's metadata)."


def _relations_phrase(schema: Schema) -> str:
    """"`attributed_to` (claim → speaker) and `about` (claim → event)", from the schema."""
    parts = [f"`{r.name}` ({'/'.join(r.head).lower()} → {'/'.join(r.tail).lower()})" for r in schema.relations]
    return " and ".join([", ".join(parts[:-1]), parts[-1]]) if len(parts) > 1 else "".join(parts)


def dataset_card(
    schema: Schema, settings: BuildSettings, report: BuildReport, *, provenance: dict[str, Any],
    agreement: dict[str, Any] | None = None, baseline: dict[str, Any] | None = None,
) -> str:
    """The whole README.md: YAML metadata, then the card sections (prose from configs/card.yaml)."""
    text = card_text()
    stats = report.stats
    features = config_features(schema)
    header = yaml.safe_dump(_metadata(schema, settings, report, provenance), sort_keys=False, allow_unicode=True, width=1000)
    total_docs = sum(report.documents.values())
    lines = ["---", header.rstrip(), "---", "", f"# {settings.card.pretty_name}", ""]

    lines += [
        "## Dataset summary",
        "",
        _para(text["summary"]).format(
            relations=_relations_phrase(schema), documents=total_docs, tokens=f"{stats['tokens']:,}",
            spans=f"{sum(stats['spans'].values()):,}", version=__version__, schema_version=schema.version,
        ),
        "",
        "## Supported tasks",
        "",
        *(f"- {_para(task)}" for task in text["supported_tasks"]),
        "",
        "## Languages",
        "",
        text["languages"].format(languages=", ".join(settings.card.language)),
        "",
        "## Schema",
        "",
        f"Schema version {schema.version} (`configs/schema.yaml` of newsgold).",
        "",
        "| label | attributes | count |",
        "| --- | --- | --- |",
    ]
    for label in schema.labels:
        attributes = "; ".join(
            f"`{a.name}`: " + (", ".join(a.value_names) if a.kind == "choice" else "free text") for a in label.attributes
        )
        lines.append(f"| `{label.name}` — {label.description} | {attributes} | {stats['spans'][label.name]:,} |")
    lines += ["", "| relation | from → to | meaning | count |", "| --- | --- | --- | --- |"]
    for relation in schema.relations:
        lines.append(
            f"| `{relation.name}` | {'/'.join(relation.head)} → {'/'.join(relation.tail)} | {relation.description} "
            f"| {stats['relations'][relation.name]:,} |"
        )
    lines += [
        "",
        "BIO tag sets (one column per label in `tokens`): "
        + "; ".join(f"`{tags_column(name)}`: {', '.join(schema.bio_tags(name))}" for name in schema.label_names)
        + ".",
        "",
        *_plover_lines(schema),
        "",
        "## Data fields",
        "",
    ]
    for config in CONFIG_NAMES:
        lines += [f"### `{config}`", "", text["configurations"][config] + ".", ""] + _field_rows(features[config]) + [""]
    lines += [
        _para(text["offsets"]),
        "",
        "## Splits",
        "",
        "| configuration | " + " | ".join(report.documents) + " |",
        "| --- | " + " | ".join("---" for _ in report.documents) + " |",
        "| articles | " + " | ".join(str(n) for n in report.documents.values()) + " |",
    ]
    for config in CONFIG_NAMES:
        lines.append(f"| `{config}` rows | " + " | ".join(str(n) for n in report.rows[config].values()) + " |")
    pinned = ", ".join(f"`{k}` → {v}" for k, v in settings.splits.pinned.items() if k in provenance.get("present", ()))
    lines += [
        "",
        _para(text["splits"]).format(
            salt=settings.splits.salt, weights=", ".join(f"{name} {weight}" for name, weight in settings.splits.weights),
            pinned=pinned or "none",
        ),
        "",
    ]
    if baseline:
        lines += ["## Baseline", "", _para(text["baseline"]), "", *score_rows(baseline), ""]
    rules = provenance.get("rules") or {}
    decided = "; ".join(f"{text['rules'].get(rule, rule)}: {count}" for rule, count in rules.items())
    lines += [
        "## Annotation process",
        "",
        _para(text["annotation"]).format(schema_version=schema.version, tools="; ".join(provenance["tools"])),
        "",
    ]
    if settings.card.annotation_process:
        lines += [settings.card.annotation_process, ""]
    lines += [text["decided"].format(decided=decided or "not recorded"), ""]
    if agreement is None or not agreement.get("documents_compared"):
        lines += [_para(text["not_measured"]), ""]
    else:
        lines += [
            "### Inter-annotator agreement",
            "",
            _para(text["agreement"]).format(summary=summary_line(agreement)),
            "",
            *span_rows(agreement, schema),
            "",
            *relation_rows(agreement, schema),
            "",
            *attribute_rows(agreement),
            "",
            _para(text["agreement_more"]),
            "",
        ]
    lines += [
        "## Provenance and licensing",
        "",
        "| article | title | publisher | date | licence | attribution |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for item in provenance["articles"]:
        title = markdown_cell(item.get("title") or "(untitled)")
        url = str(item.get("url") or "")
        linked = f"[{title}]({url})" if url.startswith(("http://", "https://")) else f"{title} (url: {markdown_cell(url or 'unknown')})"
        lines.append(
            f"| `{item['id']}` | {linked} | {markdown_cell(item['publisher'])} | {markdown_cell(item.get('date') or 'unknown')} "
            f"| {markdown_cell(item['license'])} | {markdown_cell(item.get('author') or 'unknown')} |"
        )
    if provenance["total"] > len(provenance["articles"]):
        lines += ["", f"(first {len(provenance['articles'])} of {provenance['total']} articles; by publisher and licence:)", "",
                  "| publisher | licence | articles |", "| --- | --- | --- |"]
        lines += [f"| {row['publisher']} | {row['license']} | {row['articles']} |" for row in provenance["by_source"]]
    lines += ["", "What each licence means for redistribution:", ""]
    for name, count in provenance["licenses"].items():
        terms = settings.card.licenses[name]
        lead = (
            text["licence_unknown"].format(count=count, total=provenance["total"])
            if name == "unknown"
            else text["licence_known"].format(name=name, title=terms.name, url=f", {terms.url}" if terms.url else "",
                                              count=count, total=provenance["total"])
        )
        lines += [f"- {lead} {terms.redistribution}"]
    lines += [
        "",
        _para(text["annotations_licence"]).format(licence=settings.card.annotations_license),
        "",
        "## Biases, risks and limitations",
        "",
        *(f"- {_para(item).format(corpus_description=corpus_description(provenance))}" for item in text["limitations"]),
        "",
        "## Citation",
        "",
        "```bibtex",
        settings.card.citation,
        "```",
        "",
        "## Changelog",
        "",
        "- " + _para(text["changelog"]).format(
            schema_version=schema.version, version=__version__, labels=", ".join(schema.label_names),
            relation_names=", ".join(schema.relation_names), configurations=", ".join(CONFIG_NAMES),
        ),
        "",
    ]
    return "\n".join(lines)
