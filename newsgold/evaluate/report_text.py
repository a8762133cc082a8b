"""Score reports as a rich terminal table and as Markdown, from the JSON report dict."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.table import Table


def _num(value: Any) -> str:
    return "—" if value is None else f"{value:.3f}"


def _ci(entry: dict[str, Any]) -> str:
    ci = entry.get("f1_ci")
    if not ci or ci[0] is None:
        return "—"
    return f"{ci[0]:.3f}–{ci[1]:.3f}"


def _counts(entry: dict[str, Any]) -> str:
    if "p_num" not in entry:
        return ""
    p_num, p_den, r_num, r_den = entry["p_num"], entry["p_den"], entry["r_num"], entry["r_den"]
    if p_num == r_num and float(p_num).is_integer():
        return f"{int(p_num)}/{int(p_den)}/{int(r_den)}"
    return f"{p_num:.1f}/{int(p_den)} · {r_num:.1f}/{int(r_den)}"


def rows(report: dict[str, Any]) -> list[tuple[str, str, str, str, str, str, str]]:
    """(block, key, P, R, F1, 95% CI, counts) rows in report order."""
    out = []
    for block, scores in report["scores"].items():
        for key, entry in scores["per_label"].items():
            out.append((block, key, _num(entry["precision"]), _num(entry["recall"]), _num(entry["f1"]), _ci(entry), _counts(entry)))
        if len(scores["per_label"]) > 1:
            micro, mac = scores["micro"], scores["macro"]
            out.append((block, "micro", _num(micro["precision"]), _num(micro["recall"]), _num(micro["f1"]), _ci(micro), _counts(micro)))
            out.append((block, "macro", _num(mac["precision"]), _num(mac["recall"]), _num(mac["f1"]), _ci(mac), ""))
    return out


def score_table(report: dict[str, Any]) -> Table:
    """The terminal table: one row per label and mode, micro and macro, with CIs."""
    confidence = int(report["bootstrap"]["confidence"] * 100)
    table = Table(
        title=f"newsgold scores (schema v{report['schema_version']}, {report['documents']['scored']} documents)",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    for column, justify, width in (("mode", "left", 9), ("label", "left", 13), ("P", "right", 5), ("R", "right", 5),
                                   ("F1", "right", 5), (f"F1 {confidence}% CI", "right", 11), ("tp/pred/gold", "right", 14)):
        table.add_column(column, justify=justify, no_wrap=True, min_width=width, max_width=max(width, 14))  # type: ignore[arg-type]
    previous = None
    for block, key, p, r, f, ci, counts in rows(report):
        if previous is not None and block != previous:
            table.add_section()
        table.add_row(block if block != previous else "", key, p, r, f, ci, counts, style="bold" if key in ("micro", "macro") else None)
        previous = block
    return table


def summary_lines(report: dict[str, Any]) -> list[str]:
    """Notes printed under the table: missing documents, ungrounded spans, attribute accuracy."""
    lines = []
    docs = report["documents"]
    if docs["missing_predictions"]:
        lines.append(f"{len(docs['missing_predictions'])} gold document(s) had no prediction and were scored as empty: {', '.join(docs['missing_predictions'])}")
    if docs["extra_predictions_ignored"]:
        lines.append(f"ignored predictions for {len(docs['extra_predictions_ignored'])} document(s) not in the gold")
    if report["grounding"]["ungrounded"]:
        rates = ", ".join(f"{label} {entry['ungrounded']}/{entry['predicted']}" for label, entry in report["grounding"].get("by_label", {}).items()
                          if entry["ungrounded"])
        lines.append(f"{report['grounding']['ungrounded']} predicted span(s) could not be grounded in the text ({rates}; false positives; "
                     "see the JSON/HTML report)")
    failures = report.get("system_failures", [])
    if failures:
        shown = "; ".join(f"{f['doc_id']}: {f['error']}" for f in failures[:5]) + (f"; and {len(failures) - 5} more" if len(failures) > 5 else "")
        lines.append(f"the system failed on {len(failures)} document(s), scored as empty predictions: {shown}")
    accuracy = [
        f"{label}.{name} {entry['accuracy']:.2f} ({entry['correct']}/{entry['matched']})"
        for label, attrs in report["attributes"].items()
        for name, entry in attrs.items()
        if entry["accuracy"] is not None
    ]
    if accuracy:
        lines.append("attribute accuracy on overlap-matched spans: " + "; ".join(accuracy))
    return lines


def score_markdown(report: dict[str, Any]) -> str:
    """The report as Markdown: the score table, attribute accuracy, and notes."""
    confidence = int(report["bootstrap"]["confidence"] * 100)
    lines = [
        "# newsgold evaluation",
        "",
        f"Schema v{report['schema_version']}, newsgold {report['newsgold_version']}, {report['documents']['scored']} documents, "
        f"{report['bootstrap']['samples']} bootstrap samples (seed {report['bootstrap']['seed']}).",
        "",
        f"| mode | label | P | R | F1 | F1 {confidence}% CI | TP/pred/gold |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for block, key, p, r, f, ci, counts in rows(report):
        bold = key in ("micro", "macro")
        cells = [block, key, p, r, f, ci, counts]
        if bold:
            cells = [f"**{c}**" if c and c != "—" else c for c in cells]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "## Attribute accuracy (spans matched under overlap)", "", "| label | attribute | accuracy | correct/matched |", "| --- | --- | ---: | ---: |"]
    for label, attrs in report["attributes"].items():
        for name, entry in attrs.items():
            lines.append(f"| {label} | {name} | {_num(entry['accuracy'])} | {entry['correct']}/{entry['matched']} |")
    notes = summary_lines(report)
    if notes:
        lines += ["", "## Notes", ""] + [f"- {note}" for note in notes]
    kinds: dict[str, int] = {}
    for error in report["errors"]:
        kinds[error["kind"]] = kinds.get(error["kind"], 0) + 1
    if kinds:
        lines += ["", "## Errors", "", "| kind | count |", "| --- | ---: |"] + [f"| {k} | {v} |" for k, v in sorted(kinds.items())]
    return "\n".join(lines) + "\n"


def compare_table(result: dict[str, Any]) -> Table:
    """Paired comparison of two systems: F1 of each, difference with CI, p-values (F1 in points, so
    that the table fits 80 columns; the mode is named once per block)."""
    names = result.get("names") or {"a": "A", "b": "B"}
    table = Table(title=f"A = {names['a']}, B = {names['b']}: {result['documents']} documents, paired, "
                        f"{result['bootstrap']['samples']} samples (F1 × 100)", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for column in ("mode", "label", "A", "B", "A−B", "95% CI", "p boot", "p rand"):
        table.add_column(column, justify="left" if column in ("mode", "label") else "right", no_wrap=True)
    for block, entries in result["tests"].items():
        for index, (key, entry) in enumerate(entries.items()):
            ci = entry["ci"]
            table.add_row(
                block if index == 0 else "", key, _points(entry["f1_a"]), _points(entry["f1_b"]), _points(entry["difference"], sign=True),
                "—" if ci[0] is None else f"{100 * ci[0]:+.1f}…{100 * ci[1]:+.1f}",
                _num(entry["p_value_bootstrap"]), _num(entry["p_value_randomization"]),
                style="bold" if key == "micro" else None,
            )
        table.add_section()
    return table


def _points(value: Any, *, sign: bool = False) -> str:
    return "—" if value is None else (f"{100 * value:+.1f}" if sign else f"{100 * value:.1f}")