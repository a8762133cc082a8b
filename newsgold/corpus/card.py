"""The dataset card (README.md of the Hub folder), generated from the schema, settings and build."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

import yaml
from datasets import ClassLabel, Features, List, Value

from newsgold import __version__
from newsgold.corpus.features import CONFIG_NAMES, config_features, tags_column
from newsgold.io.agreement_tables import attribute_rows, relation_rows, span_rows, summary_line
from newsgold.io.score_tables import score_rows
from newsgold.model.schema import Schema

if TYPE_CHECKING:
    from newsgold.corpus.build import BuildReport
    from newsgold.corpus.settings import BuildSettings

CONFIG_SUMMARIES = {
    "documents": "one row per article: text, provenance, every span with its attributes, every relation",
    "tokens": "one row per sentence: tokens, their character offsets, one IOB2 tag sequence per label",
    "claims": "one row per claim: text, offsets, attributes, its speaker and the event it is about",
}

FIELD_NOTES = {
    "id": "unique row id",
    "document_id": "id of the article",
    "text": "the exact text (document) or the span's text",
    "source": "the seed file the text came from",
    "sha256": "SHA-256 of the UTF-8 text",
    "meta": "all document metadata as a JSON object string",
    "spans": "labelled spans; `attrs` holds `<label>_<attribute>` values (null when not applicable)",
    "relations": "relations between span ids (`head` → `tail`)",
    "sentence_index": "position of the sentence in the article",
    "tokens": "tokens (spaCy rule-based English tokenizer, split at span boundaries)",
    "token_starts": "character offset of each token in the article",
    "token_ends": "end offset (exclusive) of each token in the article",
    "claim_id": "span id of the claim in the `documents` configuration",
    "start": "start offset in the article (code points, 0-based)",
    "end": "end offset in the article (exclusive)",
}


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
    rows = ["| field | type | meaning |", "| --- | --- | --- |"]
    for name, feature in features.items():
        note = FIELD_NOTES.get(name, "")
        if not note and name.endswith("_tags"):
            note = f"IOB2 tags of the {name[:-5].upper()} layer"
        elif not note:
            note = "from the linked span or the claim's attribute of this name"
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
        "tags": ["claims", "attribution", "quotation", "events", "framing", "media-bias", "news"],
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


def _cell(value: Any) -> str:
    """A value fit for one Markdown table cell."""
    return " ".join(str(value).split()).replace("|", "\\|")


RULE_WORDS = {
    "ground_truth": "a reviewer's or adjudicator's version (ground truth)",
    "single": "one annotator",
    "majority": "majority merge of several annotators",
}


def dataset_card(
    schema: Schema, settings: BuildSettings, report: BuildReport, *, provenance: dict[str, Any],
    agreement: dict[str, Any] | None = None, baseline: dict[str, Any] | None = None,
) -> str:
    """The whole README.md: YAML metadata, then the card sections."""
    stats = report.stats
    features = config_features(schema)
    header = yaml.safe_dump(_metadata(schema, settings, report, provenance), sort_keys=False, allow_unicode=True, width=1000)
    total_docs = sum(report.documents.values())
    lines = ["---", header.rstrip(), "---", "", f"# {settings.card.pretty_name}", ""]

    lines += [
        "## Dataset summary",
        "",
        "English news articles annotated with one schema for **claims** (what is put forward as true), "
        "the **speakers** they are attributed to, the **events** they mention, and **framing** terms "
        "(word choices that cast actors, places or actions in an evaluative light), with the relations "
        "`attributed_to` (claim → speaker) and `about` (claim → event). "
        f"This release holds {total_docs} article(s), {stats['tokens']:,} tokens and "
        f"{sum(stats['spans'].values()):,} spans, built with newsgold {__version__} from schema v{schema.version}.",
        "",
        "## Supported tasks",
        "",
        "- **Span identification / token classification** of the four labels (`tokens` configuration, "
        "one IOB2 layer per label because labels nest).",
        "- **Quotation attribution**: linking claims to speakers and resolving speakers to entities "
        "(`claims` configuration, `speaker_entity`).",
        "- **Claim classification**: voice, quote type and check-worthiness (`claims`).",
        "- **Event extraction** with PLOVER-mapped types and factuality, and **framing detection** "
        "with device, target, valence and voice (`documents`).",
        "",
        "## Languages",
        "",
        f"{', '.join(settings.card.language)} (news wire English).",
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
        lines += [f"### `{config}`", "", CONFIG_SUMMARIES[config] + ".", ""] + _field_rows(features[config]) + [""]
    lines += [
        "Offsets are 0-based, end-exclusive indices in Unicode code points of the article text "
        "(Python `str` indices). Load a configuration with "
        "`datasets.load_dataset(<repo or folder>, name=\"tokens\")`.",
        "",
        "## Splits",
        "",
        "| configuration | " + " | ".join(report.documents) + " |",
        "| --- | " + " | ".join("---" for _ in report.documents) + " |",
        "| articles | " + " | ".join(str(n) for n in report.documents.values()) + " |",
    ]
    for config in CONFIG_NAMES:
        lines.append(f"| `{config}` rows | " + " | ".join(str(n) for n in report.rows[config].values()) + " |")
    weights = ", ".join(f"{name} {weight}" for name, weight in settings.splits.weights)
    lines += [
        "",
        "A document's split depends on its id alone — the first 8 bytes of "
        f"`sha256(\"{settings.splits.salt}:<id>\")` modulo the total weight ({weights}) — so adding "
        "articles never moves another one. Pinned documents: "
        + (", ".join(f"`{k}` → {v}" for k, v in settings.splits.pinned.items() if k in provenance.get("present", ())) or "none")
        + ". Splits with no articles have no files yet.",
        "",
    ]
    if baseline:
        lines += [
            "## Baseline",
            "",
            "The rule-based baseline shipped with newsgold (`newsgold eval run baseline`: spaCy matcher rules "
            "and a lexicon written from the train split only), scored per split with `--split`; intervals are "
            "95% bootstrap intervals over documents. The gap between the train and the held-out columns is "
            "how much the rules fit the articles they were written from.",
            "",
            *score_rows(baseline),
            "",
        ]
    rules = provenance.get("rules") or {}
    decided = "; ".join(f"{RULE_WORDS.get(rule, rule)}: {count}" for rule, count in rules.items())
    lines += [
        "## Annotation process",
        "",
        "Annotators follow the newsgold guidelines (`docs/guidelines.md`: boundary rules, claim and "
        "speaker rules after PARC 3.0, event triggers and factuality after TimeML/RED with PLOVER "
        "categories, framing devices after SemEval-2020 Task 11 and SemEval-2023 Task 3). Every "
        "article is validated against the schema (offsets, labels, attributes, relations) before it "
        f"enters the gold. Schema version: {schema.version}. Annotation tools used: "
        + "; ".join(provenance["tools"])
        + ".",
        "",
    ]
    if settings.card.annotation_process:
        lines += [settings.card.annotation_process, ""]
    lines += [f"How each article's gold was decided (the gold files' `meta.adjudication.rule`): {decided or 'not recorded'}.", ""]
    if agreement is None or not agreement.get("documents_compared"):
        lines += [
            "Inter-annotator agreement has **not been measured yet**: no article in this release was "
            "annotated independently by two annotators, so the labels have not been checked by a second person.",
            "",
        ]
    else:
        lines += [
            "### Inter-annotator agreement",
            "",
            "Measured with `newsgold annotate agreement` on the independent annotations (before review "
            "and adjudication): " + summary_line(agreement),
            "",
            *span_rows(agreement, schema),
            "",
            *relation_rows(agreement, schema),
            "",
            *attribute_rows(agreement),
            "",
            "A discussion of the lower figures and of what agreement between machine annotators shows: "
            "`docs/agreement.md` in the newsgold repository.",
            "",
        ]
    lines += [
        "## Provenance and licensing",
        "",
        "| article | title | publisher | date | licence | attribution |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for item in provenance["articles"]:
        title = _cell(item.get("title") or "(untitled)")
        url = str(item.get("url") or "")
        linked = f"[{title}]({url})" if url.startswith(("http://", "https://")) else f"{title} (url: {_cell(url or 'unknown')})"
        lines.append(
            f"| `{item['id']}` | {linked} | {_cell(item['publisher'])} | {_cell(item.get('date') or 'unknown')} "
            f"| {_cell(item['license'])} | {_cell(item.get('author') or 'unknown')} |"
        )
    if provenance["total"] > len(provenance["articles"]):
        lines += ["", f"(first {len(provenance['articles'])} of {provenance['total']} articles; by publisher and licence:)", "",
                  "| publisher | licence | articles |", "| --- | --- | --- |"]
        lines += [f"| {row['publisher']} | {row['license']} | {row['articles']} |" for row in provenance["by_source"]]
    lines += ["", "What each licence means for redistribution:", ""]
    for name, count in provenance["licenses"].items():
        terms = settings.card.licenses[name]
        where = f", {terms.url}" if terms.url else ""
        lead = (
            f"**The licence of {count} of {provenance['total']} article text(s) is unknown.**"
            if name == "unknown"
            else f"**{name}** ({terms.name}{where}), {count} of {provenance['total']} article text(s):"
        )
        lines += [f"- {lead} {terms.redistribution}"]
    lines += [""]
    lines += [
        f"newsgold's own annotations (offsets, labels, attributes, relations) are offered under "
        f"{settings.card.annotations_license}; that does not extend to the article text.",
        "",
        "## Biases, risks and limitations",
        "",
        f"- {corpus_description(provenance)} The sample is small and not representative of news "
        "coverage, of any topic, or of any outlet.",
        "- FRAMING labels are interpretive: whether a word is loaded, a euphemism or a neutral term, "
        "and whom it targets, depends on the annotator's reading and background. Treat them as one "
        "careful reading, not as ground truth about bias.",
        "- Claim labels say that something is *put forward* as true, not that it is true; "
        "check-worthiness is a judgement of interest and verifiability.",
        "- FRAMING spans are few and come from a handful of articles (counts in the schema table): a model "
        "trained on them may learn the vocabulary of those topics, or of one side of a conflict, as markers "
        "of framing; evaluate on other sources before drawing conclusions.",
        "- The annotations were made as the annotation process above says; where it names machine "
        "annotators, the labels share that model's blind spots, and agreement between its instances "
        "overstates how reproducible the guidelines are for people.",
        "",
        "## Citation",
        "",
        "```bibtex",
        settings.card.citation,
        "```",
        "",
        "## Changelog",
        "",
        f"- schema v{schema.version}, newsgold {__version__}: first release — labels "
        + ", ".join(schema.label_names)
        + "; relations "
        + ", ".join(schema.relation_names)
        + "; configurations "
        + ", ".join(CONFIG_NAMES)
        + ".",
        "",
    ]
    return "\n".join(lines)
