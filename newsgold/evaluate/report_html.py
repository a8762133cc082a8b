"""A self-contained HTML page: each document with gold and predicted spans side by side, colour-coded
by label, errors marked, and the error list. No external assets: it reads offline.
"""

from __future__ import annotations

import html
from typing import Any, Sequence

from newsgold.evaluate.report_text import rows
from newsgold.model.document import Document
from newsgold.model.schema import Schema

ERROR_STYLE = {
    "missed": "missed (in gold, not predicted)",
    "spurious": "spurious (predicted, not in gold)",
    "wrong_boundary": "wrong boundary (same label, overlapping)",
    "wrong_label": "wrong label (same boundaries)",
    "ungrounded": "ungrounded (text not found)",
    "duplicate": "duplicate prediction",
    "wrong_attribute": "wrong attribute (matched span, other value)",
    "missed_relation": "missed relation",
    "spurious_relation": "spurious relation",
}

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem;color:#222;max-width:1400px}
h1{font-size:1.4rem} h2{font-size:1.15rem;margin-top:2rem} table{border-collapse:collapse;margin:.5rem 0}
td,th{border:1px solid #ccc;padding:.2rem .5rem;font-size:.85rem} th{background:#f3f3f3}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:1rem}.pane{border:1px solid #ddd;padding:.75rem;border-radius:6px}
.pane h3{margin:.1rem 0 .5rem;font-size:.95rem}.text{white-space:pre-wrap;line-height:2.1;font-size:.92rem}
.span{border-bottom:3px solid var(--c);background:color-mix(in srgb,var(--c) 14%,transparent);padding:1px 0}
.span.err{outline:2px dashed #d00;outline-offset:1px}
.legend span{display:inline-block;margin-right:1rem;font-size:.85rem}.sw{display:inline-block;width:.9rem;height:.9rem;vertical-align:middle;margin-right:.25rem}
.span.attr{outline:2px dotted #e68a00;outline-offset:1px}
.lbl{font-size:.6rem;vertical-align:super;color:var(--c);font-weight:600}
.rels{margin:.5rem 0 0;padding-left:1.1rem;font-size:.82rem}.rels li{margin:.15rem 0}
.chip{border-bottom:2px solid var(--c);background:color-mix(in srgb,var(--c) 12%,transparent)}
.rels .err{color:#b00}.warning{color:#8a5a00}
@media (max-width:800px){body{margin:.75rem}.pair{grid-template-columns:1fr}table{display:block;overflow-x:auto}}
"""


def _layer(text: str, spans: Sequence[dict[str, Any]], colors: dict[str, str], flagged: set[tuple[int, int, str]],
           attr_flagged: frozenset[tuple[int, int, str]] = frozenset()) -> str:
    """Text with spans marked; nested spans of different labels become nested marks; span errors are
    dashed red, attribute errors dotted orange; hovering shows label, offsets and `key: value` lines."""
    events: list[tuple[int, int, int, dict[str, Any]]] = []
    for span in spans:
        events.append((span["start"], 1, -span["end"], span))
        events.append((span["end"], 0, -span["start"], span))
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    out: list[str] = []
    position = 0
    stack: list[dict[str, Any]] = []
    for offset, is_open, _, span in events:
        out.append(html.escape(text[position:offset]))
        position = offset
        if is_open:
            stack.append(span)
            key = (span["start"], span["end"], span["label"])
            css = "span err" if key in flagged else "span"
            if key in attr_flagged and key not in flagged:
                css += " attr"
            attrs = "".join(f"\n{name}: {value}" for name, value in sorted((span.get("attrs") or {}).items()))
            title = html.escape(f"{span['label']} {span['start']}:{span['end']}{attrs}")
            out.append(f'<span class="{css}" style="--c:{colors.get(span["label"], "#888")}" title="{title}">')
        else:
            # close down to this span, then reopen the ones still running (keeps HTML well nested)
            reopen = []
            while stack:
                top = stack.pop()
                out.append(f'<span class="lbl" style="--c:{colors.get(top["label"], "#888")}">{html.escape(top["label"][:2])}</span></span>')
                if top is span:
                    break
                reopen.append(top)
            for again in reversed(reopen):
                stack.append(again)
                out.append(f'<span class="span" style="--c:{colors.get(again["label"], "#888")}">')
    out.append(html.escape(text[position:]))
    return "".join(out)


def score_html(report: dict[str, Any], gold: Sequence[Document], predictions: Sequence[Document], schema: Schema) -> str:
    """The whole page as a string."""
    colors = {label.name: label.color for label in schema.labels}
    by_id = {p.id: p for p in predictions}
    errors_by_doc: dict[str, list[dict[str, Any]]] = {}
    for error in report["errors"]:
        errors_by_doc.setdefault(error["doc_id"], []).append(error)
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        "<title>newsgold evaluation</title>",
        f"<style>{CSS}</style></head><body>",
        "<h1>newsgold evaluation</h1>",
        f"<p>schema v{report['schema_version']} · newsgold {html.escape(report['newsgold_version'])} · "
        f"{report['documents']['scored']} documents · {report['bootstrap']['samples']} bootstrap samples</p>",
        '<p class="legend">' + "".join(f'<span><i class="sw" style="background:{c}"></i>{html.escape(n)}</span>' for n, c in colors.items())
        + '<span><i class="sw" style="outline:2px dashed #d00"></i>span with an error</span>'
        + '<span><i class="sw" style="outline:2px dotted #e68a00"></i>span with a wrong attribute (hover: its values)</span></p>',
        "<h2>Scores</h2><table><tr><th>mode</th><th>label</th><th>P</th><th>R</th><th>F1</th><th>F1 CI</th><th>TP/pred/gold</th></tr>",
    ]
    for row in collapsed_rows(report):
        parts.append("<tr>" + "".join(f'<td class="{"n" if i >= 2 else ""}">{html.escape(c)}</td>' for i, c in enumerate(row)) + "</tr>")
    parts.append("</table>")
    parts += _grounding_and_failures(report)
    for document in gold:
        text = document.text or ""
        prediction = by_id.get(document.id)
        doc_errors = errors_by_doc.get(document.id, [])
        span_errors = [e for e in doc_errors if e["kind"] != "wrong_attribute"]
        attribute_errors = [e for e in doc_errors if e["kind"] == "wrong_attribute"]
        flagged_gold = {(e["gold"]["start"], e["gold"]["end"], e["gold"]["label"]) for e in span_errors if e.get("gold")}
        flagged_pred = {(e["pred"]["start"], e["pred"]["end"], e["pred"]["label"]) for e in span_errors if e.get("pred") and e["pred"].get("start") is not None}
        attr_gold = frozenset((e["gold"]["start"], e["gold"]["end"], e["gold"]["label"]) for e in attribute_errors)
        attr_pred = frozenset((e["pred"]["start"], e["pred"]["end"], e["pred"]["label"]) for e in attribute_errors)
        gold_spans = [s.to_dict() for s in document.spans]
        pred_spans = [s.to_dict() for s in (prediction.spans if prediction else []) if s.start is not None]
        missed = {(e["head"], e["tail"], e["label"]) for e in doc_errors if e["kind"] == "missed_relation"}
        spurious = {(e["head"], e["tail"], e["label"]) for e in doc_errors if e["kind"] == "spurious_relation"}
        parts += [
            f'<h2 id="{html.escape(document.id)}">{html.escape(document.id)}</h2>',
            '<div class="pair">',
            f'<div class="pane"><h3>gold ({len(gold_spans)} spans)</h3><div class="text">{_layer(text, gold_spans, colors, flagged_gold, attr_gold)}</div>'
            f"{_relations(document, colors, missed, 'missed')}</div>",
            f'<div class="pane"><h3>predicted ({len(pred_spans)} spans)</h3><div class="text">{_layer(text, pred_spans, colors, flagged_pred, attr_pred)}</div>'
            f"{_relations(prediction, colors, spurious, 'spurious', text)}</div>",
            "</div>",
        ]
        if span_errors:
            parts.append("<table><tr><th>error</th><th>label</th><th>gold</th><th>predicted</th></tr>")
            for error in span_errors:
                parts.append(
                    f"<tr><td>{html.escape(ERROR_STYLE.get(error['kind'], error['kind']))}</td><td>{html.escape(error['label'])}</td>"
                    f"<td>{_error_side(error, 'gold', document, prediction, text)}</td><td>{_error_side(error, 'pred', document, prediction, text)}</td></tr>"
                )
            parts.append("</table>")
        if attribute_errors:
            parts.append("<table><tr><th>wrong attribute</th><th>span (gold)</th><th>gold value</th><th>predicted value</th></tr>")
            for error in attribute_errors:
                predicted = "(none)" if error["predicted"] is None else error["predicted"]
                parts.append(f"<tr><td>{html.escape(error['label'] + '.' + error['attribute'])}</td><td>{_describe(error['gold'])}</td>"
                             f"<td>{html.escape(error['expected'])}</td><td>{html.escape(predicted)}</td></tr>")
            parts.append("</table>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


NOT_SPAN_MODES = ("tokens", "relations", "quoted")  # score blocks that are not span modes: never merged


def collapsed_rows(report: dict[str, Any]) -> list[tuple[str, ...]]:
    """The score rows, with the rows of one label that are equal under several modes merged into one
    (mode "strict = exact = overlap"), so that only the modes that differ take a line."""
    merged: dict[tuple[str, ...], list[str]] = {}  # (label, P, R, F1, CI, counts) -> modes, in report order
    order: list[tuple[str, ...]] = []
    for block, key, *values in rows(report):
        signature = (key, *values)
        if signature in merged and block not in NOT_SPAN_MODES:
            merged[signature].append(block)
            continue
        unique = signature if signature not in merged else (block, *signature)
        merged[unique] = [block]
        order.append(unique)
    span_modes = [block for block in report["scores"] if block not in NOT_SPAN_MODES]
    return [("all span modes" if merged[signature] == span_modes and len(span_modes) > 1 else " = ".join(merged[signature]), *signature[-6:])
            for signature in order]


def _grounding_and_failures(report: dict[str, Any]) -> list[str]:
    """The ungrounded (hallucinated) span rate per label, and the documents the system failed on."""
    parts: list[str] = []
    by_label = report["grounding"].get("by_label", {})
    if report["grounding"]["ungrounded"]:
        parts.append("<h2>Ungrounded spans</h2><p>Predicted spans whose text is not in the document (hallucinated): "
                     "false positives in every span mode.</p><table><tr><th>label</th><th>predicted</th><th>ungrounded</th><th>rate</th></tr>")
        for label, entry in by_label.items():
            rate = "—" if entry["rate"] is None else f"{entry['rate']:.1%}"
            parts.append(f'<tr><td>{html.escape(label)}</td><td class="n">{entry["predicted"]}</td><td class="n">{entry["ungrounded"]}</td>'
                         f'<td class="n">{rate}</td></tr>')
        parts.append("</table><table><tr><th>document</th><th>label</th><th>text</th><th>why</th></tr>")
        for span in report["grounding"]["spans"]:
            parts.append(f"<tr><td>{html.escape(span['doc_id'])}</td><td>{html.escape(span['label'])}</td>"
                         f"<td>{html.escape(span['text'])}</td><td>{html.escape(span['reason'])}</td></tr>")
        parts.append("</table>")
    failures = report.get("system_failures", [])
    if failures:
        parts.append("<h2>System failures</h2><p>Documents the system gave no usable answer for: scored as empty predictions.</p>"
                     "<table><tr><th>document</th><th>error</th></tr>")
        parts += [f"<tr><td>{html.escape(f['doc_id'])}</td><td>{html.escape(f['error'])}</td></tr>" for f in failures]
        parts.append("</table>")
    return parts


def _span_text(document: Document | None, span_id: str, text: str) -> str:
    """The text of a span of `document` by id (relations name spans by id)."""
    for span in document.spans if document is not None else ():
        if span.id == span_id:
            return span.text if span.text is not None else (text[span.start:span.end] if span.start is not None else span_id)
    return span_id


def _relations(document: Document | None, colors: dict[str, str], wrong: set[tuple[str, str, str]], kind: str, text: str | None = None) -> str:
    """The document's relations as `“claim” → “speaker”` lines under its text (errors in red)."""
    if document is None or not document.relations:
        return ""
    source = text if text is not None else (document.text or "")
    labels = {s.id: s.label for s in document.spans}
    items = []
    for relation in document.relations:
        head, tail = (_span_text(document, relation.head, source), _span_text(document, relation.tail, source))
        chips = [f'<span class="chip" style="--c:{colors.get(labels.get(end, ""), "#888")}">“{html.escape(value)}”</span>'
                 for end, value in ((relation.head, head), (relation.tail, tail))]
        error = (relation.head, relation.tail, relation.label) in wrong
        items.append(f'<li{" class=err" if error else ""}>{chips[0]} → {chips[1]} <small>{html.escape(relation.label)}'
                     f'{" — " + kind if error else ""}</small></li>')
    return f'<ul class="rels">{"".join(items)}</ul>'


def _error_side(error: dict[str, Any], side: str, gold: Document, prediction: Document | None, text: str) -> str:
    """One side of an error row: the span, or a relation as its spans' text."""
    if error["kind"] in ("missed_relation", "spurious_relation"):
        mine = (error["kind"] == "missed_relation") == (side == "gold")
        if not mine:
            return ""
        document = gold if side == "gold" else prediction
        return html.escape(f"“{_span_text(document, error['head'], text)}” → “{_span_text(document, error['tail'], text)}”")
    return _describe(error.get(side))


def _describe(span: dict[str, Any] | None) -> str:
    if not span:
        return ""
    where = f" <small>{span['start']}:{span['end']}</small>" if span.get("start") is not None else ""
    return f"“{html.escape(str(span.get('text') or ''))}”{where}"


def compare_html(result: dict[str, Any]) -> str:
    """A paired comparison of two systems as a self-contained page: warnings, then one table."""
    names = result.get("names") or {"a": "A", "b": "B"}
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport content='width=device-width'>",
        "<title>newsgold comparison</title>", f"<style>{CSS}</style></head><body>",
        "<h1>newsgold comparison</h1>",
        f"<p>A = {html.escape(names['a'])} · B = {html.escape(names['b'])} · {result['documents']} documents · "
        f"{result['bootstrap']['samples']} paired samples · schema v{result['schema_version']}</p>",
    ]
    parts += [f'<p class="warning">warning: {html.escape(w)}</p>' for w in result.get("warnings", [])]
    parts.append("<table><tr><th>mode</th><th>label</th><th>F1 A</th><th>F1 B</th><th>A−B</th><th>95% CI</th>"
                 "<th>p bootstrap</th><th>p randomization</th></tr>")
    for block, entries in result["tests"].items():
        for key, entry in entries.items():
            ci = entry["ci"]
            cells = [block, key, _fmt(entry["f1_a"]), _fmt(entry["f1_b"]), _fmt(entry["difference"], "+.3f"),
                     "—" if ci[0] is None else f"{ci[0]:+.3f} … {ci[1]:+.3f}",
                     _fmt(entry["p_value_bootstrap"], ".4f"), _fmt(entry["p_value_randomization"], ".4f")]
            parts.append("<tr>" + "".join(f'<td class="{"n" if i >= 2 else ""}">{html.escape(c)}</td>' for i, c in enumerate(cells)) + "</tr>")
    parts.append("</table></body></html>\n")
    return "\n".join(parts)


def _fmt(value: Any, spec: str = ".3f") -> str:
    return "—" if value is None else format(value, spec)
