"""The benchmark scripts: generated corpora are valid, a worker measures what it says, and the
targets table reads the runs it should (the timings themselves are never asserted)."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import run  # noqa: E402
from benchmarks.eval_bench import worker  # noqa: E402
from benchmarks.generate import corpus  # noqa: E402
from newsgold.io.config import load_schema  # noqa: E402
from newsgold.model.validation import validate  # noqa: E402

SCHEMA = load_schema()


@pytest.mark.parametrize("spans", [1, 2, 3, 10, 40])
def test_generated_gold_is_valid_with_exactly_the_spans_asked_for(spans: int) -> None:
    for gold, prediction in corpus(12, spans, seed=3):
        assert len(gold.spans) == spans
        assert validate(gold, SCHEMA) == []
        assert validate(replace(prediction, text=gold.text), SCHEMA, gold=False) == []


def test_generated_articles_carry_a_licence_the_build_knows() -> None:
    """The build refuses an article licence with no terms in configs/corpus.yaml: the build benchmark would stop."""
    from newsgold.corpus.settings import load_settings

    licences = {gold.meta.get("license", "unknown") for gold, _ in corpus(5, 3, seed=1)}
    assert licences and licences <= set(load_settings().card.licenses)


def test_generated_corpus_is_reproducible_and_predictions_differ_from_gold() -> None:
    first = [(g.to_dict(), p.to_dict()) for g, p in corpus(20, 10, seed=5)]
    assert first == [(g.to_dict(), p.to_dict()) for g, p in corpus(20, 10, seed=5)]
    gold_spans = {(g["id"], s["start"], s["end"], s["label"]) for g, _ in first for s in g["spans"]}
    pred_spans = {(p["id"], s["start"], s["end"], s["label"]) for _, p in first for s in p["spans"]}
    assert gold_spans - pred_spans and pred_spans - gold_spans  # misses and errors are mixed in


def test_scoring_worker_reports_what_it_measured() -> None:
    ours = worker("newsgold", 30, 10, 20)
    theirs = worker("nervaluate", 30, 10, 20)
    assert ours["total_spans"] == theirs["total_spans"] == 300
    assert ours["seconds"] > 0 and ours["cpu_us_per_span"] > 0
    # same data, same strict definition where nothing overlaps twice: the two scorers agree closely
    assert abs(ours["strict_micro_f1"] - theirs["strict_micro_f1"]) < 0.05


def _run(docs: int, spans: int, cpu: float) -> dict:
    return {"tool": "newsgold", "docs": docs, "spans_per_doc": spans, "total_spans": docs * spans,
            "seconds": 1.0, "cpu_us_per_span": cpu, "us_per_span": cpu}


def test_linear_series_compares_densities_at_the_same_total() -> None:
    evals = [_run(1000, 10, 150.0), _run(1000, 100, 40.0), _run(10000, 10, 60.0), _run(100, 1000, 40.0), _run(1000, 1000, 41.0)]
    series = run.linear_series(evals)
    assert [(r["docs"], r["spans_per_doc"]) for r in series] == [(10000, 10), (1000, 100), (100, 1000)]
    fixed, marginal = run.per_document_fit(series)
    # 60 µs/span at 10 spans/doc, 40 at 100 and at 1,000: about 220 µs per document + 38 µs per span
    assert 200 < fixed < 240 and 37 < marginal < 39
    [row] = [line for line in run.targets(evals, []) if line.startswith("| cost linear")]
    assert row.endswith("| yes |") and "1.50×" in row
    slow = [_run(10000, 10, 90.0), *evals[1:]]
    [row] = [line for line in run.targets(slow, []) if line.startswith("| cost linear")]
    assert row.endswith("| no |")


def test_conversion_worker_converts_every_document_and_the_section_reads_it(tmp_path: Path) -> None:
    from benchmarks import convert_bench

    convert_bench.prepare(tmp_path / "c", 12)
    results = [convert_bench.worker(job, tmp_path / "c") for job in ("floor", "native→brat", "brat→native")]
    assert [r["docs"] for r in results] == [12, 12, 12] and len({r["spans"] for r in results}) == 1
    assert any("meta" in line for line in results[1]["not_carried"])  # brat has no place for meta: reported
    larger = [dict(r, docs=120, growth_mb=r["growth_mb"] + (40 if r["job"] == "native→brat" else 1)) for r in results]
    section = run.convert_section(results + larger)
    assert section[0] == run.CONVERT_HEADING and sum(line.startswith("| 12 |") for line in section) == 3
    text = "\n".join(section)
    assert "native→brat +40.0 MiB (grows with the corpus)" in text and "floor +1.0 MiB," in text
