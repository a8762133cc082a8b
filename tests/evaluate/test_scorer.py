"""The scorer: invariants (hypothesis), parity with nervaluate and seqeval, worked SemEval examples,
conventions, grounding and relations."""

from __future__ import annotations

import random
import warnings
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nervaluate import Evaluator
from reference import overlap, overlap_matching_per_label, relation_matches
from seqeval.metrics import classification_report
from seqeval.scheme import IOB2
from strategies import WORDS, attrs_for, corpora, documents, labelled_spans

from newsgold.corpus.rows import RowMaker
from newsgold.evaluate.metrics import prf, prf_rows
from newsgold.evaluate.scorer import SPAN_MODES, ScoreOptions, compare, score
from newsgold.io.config import load_schema
from newsgold.model.document import Document, Relation, Span
from newsgold.model.errors import DocumentError
from newsgold.spans.matching import partial_credit
from newsgold.text.iob2 import spans_to_tags
from newsgold.text.segment import Segmenter

SCHEMA = load_schema()
SEGMENTER = Segmenter()
FAST = ScoreOptions(samples=0)


def score_(gold, predictions, schema, *, options):  # type: ignore[no-untyped-def]
    """`score` with one shared tokenizer (building spaCy per call would dominate the test time)."""
    return score(gold, predictions, schema, options=options, segmenter=SEGMENTER)


def _scores(report: dict) -> dict:
    return {block: {k: v["f1"] for k, v in data["per_label"].items()} for block, data in report["scores"].items()}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpora)
def test_perfect_predictions_score_one_in_every_mode(gold: list[Document]) -> None:
    report = score_(gold, gold, SCHEMA, options=FAST).to_dict()
    for block, data in report["scores"].items():
        for key, entry in data["per_label"].items():
            assert entry["f1"] in (1.0, None), (block, key, entry)
        assert data["micro"]["f1"] in (1.0, None)
    for label in report["attributes"].values():
        for entry in label.values():
            assert entry["accuracy"] in (1.0, None)


def _shuffled(documents_: list[Document], seed: int) -> list[Document]:
    rng = random.Random(seed)
    out = []
    for document in documents_:
        spans, relations = list(document.spans), list(document.relations)
        rng.shuffle(spans)
        rng.shuffle(relations)
        out.append(replace(document, spans=spans, relations=relations))
    rng.shuffle(out)
    return out


def _perturbed(gold: list[Document], seed: int) -> list[Document]:
    """Predictions with boundary shifts, label swaps, misses and spurious copies."""
    rng = random.Random(seed)
    predictions = []
    for document in gold:
        spans = []
        relabelled: set[str] = set()
        for span in document.spans:
            roll = rng.random()
            if roll < 0.2:
                continue
            if roll < 0.4 and span.end - span.start > 1:
                span = replace(span, end=span.end - 1)
                if document.text[span.end - 1].isspace():
                    span = replace(span, end=span.end - 1)
            elif roll < 0.5:
                span = replace(span, label=rng.choice(SCHEMA.label_names), attrs={})
                relabelled.add(span.id)
            spans.append(replace(span, text=None))
        kept = {s.id for s in spans} - relabelled
        predictions.append(Document(id=document.id, text=None, spans=spans, relations=[
            r for r in document.relations if r.head in kept and r.tail in kept
        ]))
    return predictions


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpora, st.integers(0, 1000))
def test_shuffling_gold_or_predictions_changes_no_number(gold: list[Document], seed: int) -> None:
    predictions = _perturbed(gold, seed)
    options = ScoreOptions(samples=50, seed=3)
    base = score_(gold, predictions, SCHEMA, options=options).to_dict()
    shuffled = score_(_shuffled(gold, seed + 1), _shuffled(predictions, seed + 2), SCHEMA, options=options).to_dict()
    for key in ("scores", "attributes", "per_document", "token_level_seqeval"):
        assert shuffled[key] == base[key], key


def _text_only(predictions: list[Document], gold: list[Document], seed: int) -> list[Document]:
    """About half of the predicted spans given by their text alone, as LLM extractors give them."""
    rng = random.Random(seed)
    texts = {d.id: d.text or "" for d in gold}
    return [replace(p, spans=[replace(s, start=None, end=None, text=texts[p.id][s.start:s.end]) if rng.random() < 0.5 else s
                              for s in p.spans]) for p in predictions]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpora, st.integers(0, 1000))
def test_shuffling_text_only_predictions_changes_no_number(gold: list[Document], seed: int) -> None:
    """Issue 12: text-only spans were grounded in input order; the vocabulary here repeats words a lot."""
    predictions = _text_only(_perturbed(gold, seed), gold, seed)
    options = ScoreOptions(samples=50, seed=3)
    base = score_(gold, predictions, SCHEMA, options=options).to_dict()
    shuffled = score_(_shuffled(gold, seed + 1), _shuffled(predictions, seed + 2), SCHEMA, options=options).to_dict()
    for key in ("scores", "attributes", "per_document", "token_level_seqeval"):
        assert shuffled[key] == base[key], key


def test_same_text_claims_take_the_occurrence_next_to_their_speaker() -> None:
    """Issue 12: [C1, C2] scored attribution 1.0 and [C2, C1] 0.0."""
    text = "Putin said peace is near. Erdogan said peace is near."
    at = lambda part, n=1: (text.index(part) if n == 1 else text.rindex(part))  # noqa: E731
    claim = {"voice": "attributed", "quote": "indirect", "checkworthy": "no"}
    gold = Document(id="g", text=text, spans=[
        Span("S1", "SPEAKER", 0, 5, attrs={"mention": "name", "entity": "Putin"}),
        Span("C1", "CLAIM", at("peace"), at("peace") + 13, attrs=claim),
        Span("S2", "SPEAKER", at("Erdogan"), at("Erdogan") + 7, attrs={"mention": "name", "entity": "Erdogan"}),
        Span("C2", "CLAIM", at("peace", 2), at("peace", 2) + 13, attrs=claim),
    ], relations=[Relation("attributed_to", "C1", "S1"), Relation("attributed_to", "C2", "S2")])
    spans = [Span("c1", "CLAIM", None, None, text="peace is near"), Span("s1", "SPEAKER", None, None, text="Putin", attrs={"entity": "Putin"}),
             Span("c2", "CLAIM", None, None, text="peace is near"), Span("s2", "SPEAKER", None, None, text="Erdogan", attrs={"entity": "Erdogan"})]
    relations = [Relation("attributed_to", "c1", "s1"), Relation("attributed_to", "c2", "s2")]
    for order in ([0, 1, 2, 3], [2, 3, 0, 1], [3, 2, 1, 0]):
        for ids in (("c1", "c2"), ("c2", "c1")):  # ids that run against the text order too
            renamed = {"c1": ids[0], "c2": ids[1]}
            prediction = Document(id="g", text=None, spans=[replace(spans[i], id=renamed.get(spans[i].id, spans[i].id)) for i in order],
                                  relations=[replace(r, head=renamed[r.head]) for r in relations])
            report = score_([gold], [prediction], SCHEMA, options=FAST).to_dict()
            assert report["scores"]["relations"]["per_label"]["attributed_to"]["f1"] == 1.0, (order, ids)
            assert report["scores"]["strict"]["per_label"]["CLAIM"]["f1"] == 1.0


def test_quoted_sources_do_not_depend_on_the_optional_text_of_offset_spans() -> None:
    """Issue 12: a SPEAKER given by offsets with no entity and no text dropped out of `quoted`."""
    text = "Russia said the truce held."
    gold = Document(id="g", text=text, spans=[
        Span("S", "SPEAKER", 0, 6, attrs={"mention": "name", "entity": "Russia"}),
        Span("C", "CLAIM", 12, 26, attrs={"voice": "attributed", "quote": "indirect", "checkworthy": "no"}),
    ], relations=[Relation("attributed_to", "C", "S")])
    bare = Document(id="g", text=None, spans=[Span("s", "SPEAKER", 0, 6), Span("c", "CLAIM", 12, 26)],
                    relations=[Relation("attributed_to", "c", "s")])
    with_text = replace(bare, spans=[replace(s, text=text[s.start:s.end]) for s in bare.spans])
    reports = [score_([gold], [p], SCHEMA, options=FAST).to_dict()["scores"]["quoted"] for p in (bare, with_text)]
    assert reports[0] == reports[1] and reports[0]["micro"]["f1"] == 1.0


def test_text_only_span_with_surrounding_space_is_grounded() -> None:
    """Issue 12: `" the UN"` was refused as starting on whitespace."""
    text = "Russia asked the UN for aid."
    start = text.index("UN")
    gold = Document(id="g", text=text, spans=[Span("S", "SPEAKER", start, start + 2, attrs={"mention": "name", "entity": "UN"})])
    prediction = Document(id="g", text=None, spans=[Span("p", "SPEAKER", None, None, text=" UN"), Span("q", "EVENT", None, None, text="aid ")])
    report = score_([gold], [prediction], SCHEMA, options=FAST).to_dict()
    assert report["grounding"]["ungrounded"] == 0
    assert report["scores"]["strict"]["per_label"]["SPEAKER"]["tp"] == 1
    assert report["scores"]["strict"]["per_label"]["EVENT"]["fp"] == 1  # grounded, but not in the gold


def test_report_names_tp_fp_fn_and_support() -> None:
    text = "Russia said the truce held."
    gold = Document(id="g", text=text, spans=[Span("S", "SPEAKER", 0, 6, attrs={"mention": "name", "entity": "Russia"}),
                                               Span("E", "EVENT", 7, 11, attrs={"type": "STATEMENT", "factuality": "asserted"})])
    prediction = Document(id="g", text=None, spans=[Span("s", "SPEAKER", 0, 6), Span("x", "SPEAKER", 12, 15)])
    scores = score_([gold], [prediction], SCHEMA, options=FAST).to_dict()["scores"]
    speaker = scores["strict"]["per_label"]["SPEAKER"]
    assert (speaker["tp"], speaker["fp"], speaker["fn"], speaker["support"], speaker["predicted"]) == (1, 1, 0, 1, 2)
    assert (scores["strict"]["micro"]["fn"], scores["strict"]["micro"]["support"]) == (1, 2)
    partial = scores["partial"]["per_label"]["SPEAKER"]
    assert partial["support"] == 1 and (partial["tp"] is None) == (partial["p_num"] != partial["r_num"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpora, st.integers(0, 1000))
def test_duplicated_predictions_never_raise_true_positives(gold: list[Document], seed: int) -> None:
    predictions = _perturbed(gold, seed)
    rng = random.Random(seed)
    duplicated = [
        replace(d, spans=d.spans + [replace(s, id=s.id + "dup") for s in d.spans if rng.random() < 0.5])
        for d in predictions
    ]
    before = score_(gold, predictions, SCHEMA, options=FAST).to_dict()["scores"]
    after = score_(gold, duplicated, SCHEMA, options=FAST).to_dict()["scores"]
    for mode in SPAN_MODES:
        for label in SCHEMA.label_names:
            assert after[mode]["per_label"][label]["p_num"] <= before[mode]["per_label"][label]["p_num"] + 1e-9
            assert after[mode]["per_label"][label]["r_num"] <= before[mode]["per_label"][label]["r_num"] + 1e-9


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpora, st.integers(0, 1000))
def test_precision_and_recall_swap_when_gold_and_predictions_swap(gold: list[Document], seed: int) -> None:
    # predictions that are themselves valid gold (drop same-label overlaps made by the perturbation)
    predictions = [_clean(d, g) for d, g in zip(_perturbed(gold, seed), gold)]
    forward = score_(gold, predictions, SCHEMA, options=FAST).to_dict()["scores"]
    backward = score_(predictions, gold, SCHEMA, options=FAST).to_dict()["scores"]
    # Not the token-level block: its tokens are the dataset's, split at the *gold* boundaries, so
    # swapping gold and predictions changes the tokenization itself (docs/evaluation.md).
    for mode in SPAN_MODES:
        for label in SCHEMA.label_names:
            f, b = forward[mode]["per_label"][label], backward[mode]["per_label"][label]
            assert f["precision"] == pytest.approx(b["recall"]) if f["precision"] is not None else b["recall"] is None
            assert f["recall"] == pytest.approx(b["precision"]) if f["recall"] is not None else b["precision"] is None


def _clean(prediction: Document, gold: Document) -> Document:
    kept: list[Span] = []
    for span in sorted(prediction.spans, key=lambda s: (s.label, s.start, s.end)):
        if any(k.label == span.label and k.start < span.end and span.start < k.end for k in kept):
            continue
        kept.append(replace(span, attrs=attrs_for(span.label, random.Random(span.start))))
    ids = {s.id for s in kept}
    relations = [r for r in prediction.relations if r.head in ids and r.tail in ids
                 and {s.id: s.label for s in kept}[r.head] == "CLAIM"
                 and {s.id: s.label for s in kept}[r.tail] in SCHEMA.relation(r.label).tail]
    return Document(id=prediction.id, text=gold.text, spans=kept, relations=relations)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpora, st.integers(0, 1000))
def test_partial_credit_survives_aggregation(gold: list[Document], seed: int) -> None:
    """Corpus-level partial scores equal the SemEval SI formula over all documents' spans at once."""
    predictions = _perturbed(gold, seed)
    report = score_(gold, predictions, SCHEMA, options=FAST).to_dict()["scores"]["partial"]
    for label in SCHEMA.label_names:
        p_credit = r_credit = n_s = n_t = 0.0
        for g, p in zip(gold, predictions):
            pc, s_count, rc, t_count = partial_credit(
                [(s.start, s.end) for s in g.spans if s.label == label],
                [(s.start, s.end) for s in p.spans if s.label == label],
            )
            p_credit, r_credit, n_s, n_t = p_credit + pc, r_credit + rc, n_s + s_count, n_t + t_count
        entry = report["per_label"][label]
        assert entry["p_num"] == pytest.approx(p_credit) and entry["p_den"] == n_s
        assert entry["r_num"] == pytest.approx(r_credit) and entry["r_den"] == n_t


@pytest.mark.parametrize(
    ("gold", "pred", "precision", "recall"),
    [
        ([(0, 10)], [(0, 10)], 1.0, 1.0),
        ([(0, 10)], [(5, 15)], 0.5, 0.5),                 # half of each overlaps
        ([(0, 10)], [(0, 5), (5, 10)], 1.0, 1.0),         # two adjacent predictions cover the span
        ([(0, 4), (6, 10)], [(0, 10)], 0.8, 1.0),         # one long prediction over two gold spans
        ([(0, 10)], [(0, 6), (2, 8)], 1.0, 0.8),          # overlapping predictions are merged first
        ([(0, 10)], [(20, 25)], 0.0, 0.0),
        ([(0, 10)], [(0, 10), (0, 10)], 1.0, 1.0),        # a duplicate adds nothing
    ],
)
def test_partial_worked_examples_semeval_2020_si(gold, pred, precision, recall) -> None:  # type: ignore[no-untyped-def]
    pc, n_s, rc, n_t = partial_credit(gold, pred)
    assert pc / n_s == pytest.approx(precision) and rc / n_t == pytest.approx(recall)


# ------------------------------------------------------------------ parity with nervaluate


@st.composite
def flat_corpora(draw):  # type: ignore[no-untyped-def]
    """Gold and predictions where no two spans overlap at all (nervaluate's comfort zone)."""
    docs_gold, docs_pred = [], []
    for index in range(draw(st.integers(1, 4))):
        text = " ".join(["w"] * 40)
        def flat(prefix: str) -> list[Span]:
            cuts = sorted(draw(st.sets(st.integers(0, 40), max_size=14)))
            return [Span(id=f"{prefix}{a}", label=draw(st.sampled_from(SCHEMA.label_names)), start=2 * a, end=2 * b - 1)
                    for a, b in zip(cuts[::2], cuts[1::2])]
        docs_gold.append(Document(id=f"d{index}", text=text, spans=flat("G")))
        docs_pred.append(Document(id=f"d{index}", text=None, spans=flat("P")))
    return docs_gold, docs_pred


def _nervaluate(gold: list[Document], pred: list[Document]) -> dict:
    to_dicts = lambda docs: [[{"label": s.label, "start": s.start, "end": s.end - 1} for s in d.spans] for d in docs]  # noqa: E731
    return Evaluator(to_dicts(gold), to_dicts(pred), tags=list(SCHEMA.label_names), loader="dict").evaluate()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flat_corpora())
def test_strict_and_exact_match_nervaluate_without_overlaps(data) -> None:  # type: ignore[no-untyped-def]
    gold, pred = data
    ours = score_(gold, pred, SCHEMA, options=FAST).to_dict()["scores"]
    theirs = _nervaluate(gold, pred)
    for mode in ("strict", "exact"):
        overall = theirs["overall"][mode]
        micro = ours[mode]["micro"]
        if micro["precision"] is None:
            continue
        assert micro["precision"] == pytest.approx(overall.precision)
        assert micro["recall"] == pytest.approx(overall.recall)
        assert micro["f1"] == pytest.approx(overall.f1)
    for label, results in theirs["entities"].items():
        entry = ours["strict"]["per_label"][label]
        assert entry["precision"] == pytest.approx(results["strict"].precision)
        assert entry["recall"] == pytest.approx(results["strict"].recall)
        assert entry["f1"] == pytest.approx(results["strict"].f1)


def test_overlap_matching_is_optimal_where_greedy_scorers_are_not() -> None:
    """nervaluate's strict mode lets an earlier partial prediction use up the gold span."""
    text = "a b c d e f g h"
    gold = [Document(id="d", text=text, spans=[Span("G", "EVENT", 0, 9)])]
    pred = [Document(id="d", text=None, spans=[Span("P1", "EVENT", 0, 3), Span("P2", "EVENT", 0, 9)])]
    assert score_(gold, pred, SCHEMA, options=FAST).to_dict()["scores"]["strict"]["micro"]["r_num"] == 1
    assert _nervaluate(gold, pred)["overall"]["strict"].correct == 0  # documented difference


# ------------------------------------------------------------------ parity with seqeval


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpora, st.integers(0, 1000))
def test_token_level_block_equals_seqeval(gold: list[Document], seed: int) -> None:
    predictions = [_clean(p, g) for p, g in zip(_perturbed(gold, seed), gold)]
    report = score_(gold, predictions, SCHEMA, options=FAST).to_dict()
    maker, y_true, y_pred = RowMaker(SCHEMA), [], []
    for g, p in zip(gold, predictions):
        segmented = next(SEGMENTER.segment_documents([replace(g)]))
        for row in maker.token_rows(segmented):
            offsets = list(zip(row["token_starts"], row["token_ends"]))
            for label in SCHEMA.label_names:
                names = SCHEMA.bio_tags(label)
                y_true.append([names[i] for i in row[f"{label.lower()}_tags"]])
                inside = [(s.start, s.end) for s in p.spans if s.label == label and s.start < offsets[-1][1] and s.end > offsets[0][0]]
                y_pred.append(spans_to_tags(offsets, inside, label))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # seqeval averages an empty set when there are no entities
        expected = classification_report(y_true, y_pred, mode="strict", scheme=IOB2, output_dict=True, zero_division=0)
    for label in SCHEMA.label_names:
        ours = report["scores"]["tokens"]["per_label"][label]
        if label in expected:
            assert ours["precision"] == pytest.approx(expected[label]["precision"])
            assert ours["recall"] == pytest.approx(expected[label]["recall"])
            assert ours["f1"] == pytest.approx(expected[label]["f1-score"])
            assert ours["r_den"] == expected[label]["support"]
    if "micro avg" in expected and report["scores"]["tokens"]["micro"]["f1"] is not None:
        assert report["scores"]["tokens"]["micro"]["f1"] == pytest.approx(expected["micro avg"]["f1-score"])
    # --seqeval runs the reference implementation on newsgold's own layers: same numbers again
    reference = score_(gold, predictions, SCHEMA, options=ScoreOptions(samples=0, seqeval=True)).to_dict()["token_level_seqeval"]
    for label in SCHEMA.label_names:
        if label in expected:
            assert reference[label]["f1-score"] == pytest.approx(expected[label]["f1-score"])
            assert reference[label]["support"] == expected[label]["support"]


@st.composite
def tokens_and_overlapping_spans(draw):  # type: ignore[no-untyped-def]
    lengths = draw(st.lists(st.integers(1, 5), min_size=1, max_size=20))
    tokens, offset = [], 0
    for length in lengths:
        tokens.append((offset, offset + length))
        offset += length + draw(st.integers(0, 1))
    spans = []
    for _ in range(draw(st.integers(0, 8))):
        start = draw(st.integers(0, offset - 1))
        spans.append((start, draw(st.integers(start + 1, offset))))
    return tokens, _non_overlapping_test(spans)


def _non_overlapping_test(spans):  # type: ignore[no-untyped-def]
    kept = []
    for start, end in sorted(spans, key=lambda s: (s[0], -s[1])):
        if not kept or start >= kept[-1][1]:
            kept.append((start, end))
    return kept


@settings(max_examples=300, deadline=None)
@given(tokens_and_overlapping_spans())
def test_fast_token_entities_equal_tagging_and_decoding(data) -> None:  # type: ignore[no-untyped-def]
    from newsgold.evaluate.tokens import layer_entities
    from newsgold.text.iob2 import tags_to_spans

    tokens, spans = data
    expected = [(s, e) for _, s, e in tags_to_spans(tokens, spans_to_tags(tokens, spans, "L"))]
    assert layer_entities([s for s, _ in tokens], [e for _, e in tokens], spans) == expected


# ------------------------------------------------------------------ conventions and details


def test_empty_sets_and_zero_division() -> None:
    gold = [Document(id="d", text="a b", spans=[Span("G", "EVENT", 0, 1, attrs={"type": "AID", "factuality": "asserted"})])]
    report = score_(gold, [Document(id="d", text=None)], SCHEMA, options=FAST).to_dict()["scores"]["strict"]
    assert report["per_label"]["EVENT"] | {} == report["per_label"]["EVENT"]
    assert (report["per_label"]["EVENT"]["precision"], report["per_label"]["EVENT"]["recall"], report["per_label"]["EVENT"]["f1"]) == (0.0, 0.0, 0.0)
    assert report["per_label"]["CLAIM"]["f1"] is None  # no gold, no prediction: undefined
    assert report["macro"]["f1"] == 0.0  # only EVENT is defined


def test_missing_and_extra_documents() -> None:
    gold = [Document(id="a", text="x"), Document(id="b", text="y")]
    result = score_(gold, [Document(id="a", text=None)], SCHEMA, options=FAST).to_dict()
    assert result["documents"]["missing_predictions"] == ["b"]
    with pytest.raises(DocumentError, match="not in the gold"):
        score_(gold, [Document(id="zzz", text=None)], SCHEMA, options=FAST)
    allowed = score_(gold, [Document(id="zzz", text=None)], SCHEMA, options=ScoreOptions(samples=0, allow_extra=True)).to_dict()
    assert allowed["documents"]["extra_predictions_ignored"] == ["zzz"]


def test_grounding_exact_occurrence_normalised_and_failures() -> None:
    text = "The “truce” held.  The   Truce failed; the truce ended."
    gold = [Document(id="d", text=text)]
    pred = Document(id="d", text=None, spans=[
        Span("P1", "EVENT", None, None, text="truce"),                       # first free exact occurrence
        Span("P2", "EVENT", None, None, text="truce"),                       # the next one
        Span("P3", "FRAMING", None, None, text='"truce"'),                   # quotes normalised
        Span("P4", "EVENT", None, None, text="the truce", occurrence=2),     # second normalised... exact first
        Span("P5", "CLAIM", None, None, text="The Truce failed"),            # whitespace collapsed
        Span("P6", "CLAIM", None, None, text="peace"),                       # not found
    ])
    with pytest.raises(DocumentError, match="cannot ground 'peace'"):
        score_(gold, [pred], SCHEMA, options=FAST)
    result = score_(gold, [pred], SCHEMA, options=ScoreOptions(samples=0, allow_ungrounded=True))
    report = result.to_dict()
    assert report["grounding"]["ungrounded"] == 1 and report["grounding"]["spans"][0]["span_id"] == "P6"
    assert report["scores"]["strict"]["per_label"]["CLAIM"]["p_den"] == 2  # the ungrounded span is a false positive
    spurious = {e["pred"]["id"]: e["pred"] for e in report["errors"] if e["kind"] == "spurious"}
    assert text[spurious["P1"]["start"]:spurious["P1"]["end"]] == "truce" and spurious["P1"]["start"] == text.index("truce")
    assert spurious["P2"]["start"] == text.index("truce", text.index("truce") + 1)
    assert spurious["P3"]["text"] == "“truce”"
    assert spurious["P5"]["text"] == "The   Truce failed"


def test_relations_resolve_speakers_by_entity() -> None:
    text = "Konashenkov said aid came. He said it again."
    at = lambda part, n=1: (lambda i: (i, i + len(part)))(text.replace(part, "\0" * len(part), n - 1).index(part))  # noqa: E731
    claim_attrs = {"voice": "attributed", "quote": "indirect", "checkworthy": "yes"}
    gold = Document(id="d", text=text, spans=[
        Span("S1", "SPEAKER", *at("Konashenkov"), attrs={"mention": "name", "entity": "Igor Konashenkov"}),
        Span("C1", "CLAIM", *at("aid came"), attrs=claim_attrs),
        Span("S2", "SPEAKER", *at("He"), attrs={"mention": "pronoun", "entity": "Igor Konashenkov"}),
        Span("C2", "CLAIM", *at("it again"), attrs=claim_attrs),
    ], relations=[Relation("attributed_to", "C1", "S1"), Relation("attributed_to", "C2", "S2")])
    pred = Document(id="d", text=None, spans=[
        Span("a", "SPEAKER", *at("Konashenkov"), attrs={"entity": "igor  konashenkov."}),  # normalised entity match
        Span("b", "CLAIM", at("aid came")[0], at("aid came")[0] + 3),                      # "aid": overlaps C1
        Span("c", "CLAIM", *at("it again")),
        Span("d", "SPEAKER", *at("He"), attrs={"entity": "someone else"}),  # overlaps a gold mention of the entity
    ], relations=[Relation("attributed_to", "b", "a"), Relation("attributed_to", "c", "d")])
    report = score_([gold], [pred], SCHEMA, options=FAST).to_dict()
    assert report["scores"]["relations"]["per_label"]["attributed_to"]["p_num"] == 2
    assert report["scores"]["quoted"]["per_label"]["sources"]["r_num"] == 1
    wrong = Document(id="d", text=None, spans=pred.spans, relations=[Relation("attributed_to", "c", "a"), Relation("attributed_to", "b", "d")])
    # both claims still find a speaker mention of the right entity: relations are about referents
    assert score_([gold], [wrong], SCHEMA, options=FAST).to_dict()["scores"]["relations"]["per_label"]["attributed_to"]["p_num"] == 2
    other = Document(id="d", text=None, spans=[*pred.spans, Span("e", "SPEAKER", *at("said", 2), attrs={"entity": "UN"})],
                     relations=[Relation("attributed_to", "b", "e")])
    assert score_([gold], [other], SCHEMA, options=FAST).to_dict()["scores"]["relations"]["per_label"]["attributed_to"]["p_num"] == 0


def test_bootstrap_is_seeded_and_compare_gives_p_values() -> None:
    rng = random.Random(1)
    gold = [next(iter([d])) for d in []]
    gold = [_gold_doc(i, rng) for i in range(12)]
    good = _perturbed(gold, 1)
    bad = [Document(id=d.id, text=None, spans=d.spans[:1]) for d in good]
    options = ScoreOptions(samples=300, seed=7)
    a, a2, b = (score_(gold, p, SCHEMA, options=options) for p in (good, good, bad))
    assert a.to_dict()["scores"] == a2.to_dict()["scores"]  # same seed, same intervals
    ci = a.to_dict()["scores"]["strict"]["micro"]["f1_ci"]
    assert ci[0] <= a.to_dict()["scores"]["strict"]["micro"]["f1"] <= ci[1]
    result = compare(a, b)
    micro = result["tests"]["strict"]["micro"]
    assert micro["difference"] > 0 and micro["p_value_randomization"] < 0.05
    same = compare(a, a2)["tests"]["strict"]["micro"]
    assert same["difference"] == 0 and same["p_value_randomization"] == 1.0


def _gold_doc(index: int, rng: random.Random) -> Document:
    words = [rng.choice(WORDS) for _ in range(25)]
    text = " ".join(words)
    spans, position = [], 0
    for i, word in enumerate(words):
        if i % 3 == 0:
            label = SCHEMA.label_names[i % 4]
            spans.append(Span(f"T{i}", label, position, position + len(word), attrs=attrs_for(label, rng)))
        position += len(word) + 1
    return Document(id=f"doc{index:02d}", text=text, spans=spans)


def test_parallel_scoring_gives_the_same_numbers() -> None:
    rng = random.Random(4)
    gold = [_gold_doc(i, rng) for i in range(30)]
    predictions = _perturbed(gold, 9)
    options = ScoreOptions(samples=50, seed=2)
    single = score(gold, predictions, SCHEMA, options=replace(options, workers=1)).to_dict()
    parallel = score(gold, predictions, SCHEMA, options=replace(options, workers=2)).to_dict()
    for key in ("scores", "attributes", "per_document", "errors"):
        assert parallel[key] == single[key], key


SUMS = st.lists(
    st.tuples(*[st.sampled_from([0.0, 1.0, 2.0, 3.0, 7.0, 0.5, 1 / 3, 2.75]) for _ in range(4)]), min_size=1, max_size=20
)


@given(SUMS)
def test_vectorised_prf_gives_the_same_floats_as_prf(rows: list[tuple[float, float, float, float]]) -> None:
    # per-document scores are computed for all documents at once; they must equal prf exactly
    assert prf_rows(np.array(rows, dtype=np.float64)) == [prf(*row) for row in rows]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents(), st.integers(0, 10**6))
def test_relation_matching_equals_trying_every_pair(gold: Document, seed: int) -> None:
    from newsgold.evaluate.relations import DocumentRelations
    from newsgold.spans.matching import overlap_pairs

    rng = random.Random(seed)
    spans = [replace(s, id=f"p{s.id}") for s in gold.spans if rng.random() < 0.8]
    ids = {s.id for s in spans}
    relations = [Relation(r.label, f"p{r.head}", f"p{rng.choice(sorted(ids)) if ids and rng.random() < 0.3 else r.tail}")
                 for r in gold.relations]
    relations = [r for r in relations if r.head in ids and r.tail in ids and r.head != r.tail]
    pred = Document(id=gold.id, text=gold.text, spans=spans, relations=relations)
    alignment: set[tuple[str, str]] = set()
    for label in SCHEMA.label_names:
        g = [s for s in gold.spans if s.label == label]
        p = [s for s in pred.spans if s.label == label]
        alignment |= {(g[a].id, p[b].id) for a, b in overlap_pairs([(s.start, s.end) for s in g], [(s.start, s.end) for s in p])}
    scored = DocumentRelations(gold, pred, SCHEMA)
    for relation in SCHEMA.relation_names:
        cell, _, _ = scored.cell(relation, alignment)
        assert cell.p_num == relation_matches(gold, pred, relation, alignment, SCHEMA)


@settings(max_examples=300, deadline=None)
@given(labelled_spans, labelled_spans)
def test_overlap_matching_of_all_labels_at_once_equals_one_label_at_a_time(gold, pred) -> None:  # type: ignore[no-untyped-def]
    """The one-sweep matcher against the definition in tests/reference.py (a global assignment per label)."""
    from newsgold.spans.matching import labelled_overlap_pairs

    gold, pred = sorted(gold), sorted(pred)  # the scorer passes spans in canonical order
    pairs = labelled_overlap_pairs(gold, pred)
    assert len({g for g, _ in pairs}) == len({p for _, p in pairs}) == len(pairs)  # one-to-one
    assert all(gold[g][2] == pred[p][2] and overlap(gold[g][:2], pred[p][:2]) > 0 for g, p in pairs)
    found = {label: (0, 0) for label in {s[2] for s in gold} | {s[2] for s in pred}}
    for g, p in pairs:
        count, shared = found[gold[g][2]]
        found[gold[g][2]] = (count + 1, shared + overlap(gold[g][:2], pred[p][:2]))
    assert found == overlap_matching_per_label(gold, pred)


@settings(max_examples=300, deadline=None)
@given(labelled_spans, labelled_spans)
def test_overlap_matching_by_components_is_as_good_as_one_global_assignment(gold, pred) -> None:  # type: ignore[no-untyped-def]
    from scipy.optimize import linear_sum_assignment

    from newsgold.spans.matching import overlap_pairs

    gold, pred = [s[:2] for s in gold], [s[:2] for s in pred]

    def overlap(g: tuple[int, int], p: tuple[int, int]) -> int:
        return max(0, min(g[1], p[1]) - max(g[0], p[0]))

    pairs = overlap_pairs(gold, pred)
    assert len({g for g, _ in pairs}) == len({p for _, p in pairs}) == len(pairs)  # one-to-one
    assert all(overlap(gold[g], pred[p]) > 0 for g, p in pairs)
    if not gold or not pred:
        assert pairs == []
        return
    # the definition: most pairs, then most overlapping characters, over the whole document at once
    weights = np.array([[(1 << 32) + overlap(g, p) if overlap(g, p) else 0 for p in pred] for g in gold], dtype=np.int64)
    rows, cols = linear_sum_assignment(weights, maximize=True)
    best = [(r, c) for r, c in zip(rows, cols) if weights[r, c]]
    assert (len(pairs), sum(overlap(gold[g], pred[p]) for g, p in pairs)) == (len(best), sum(overlap(gold[r], pred[c]) for r, c in best))


def test_a_registered_mode_is_scored_and_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    """Modes are a registry: a new one is one function and one registration, and it shows up in every block."""
    from newsgold.evaluate import modes

    def same_start(doc):  # type: ignore[no-untyped-def]
        for label in doc.labels:
            starts = {doc.gold[i][0] for i in doc.gold_by[label]}
            tp = sum(doc.pred[i][0] in starts for i in doc.pred_by[label])
            yield label, (tp, doc.predicted(label), tp, len(doc.gold_by[label]))

    monkeypatch.setitem(modes.SPAN_MODE_REGISTRY, "start", modes.SpanMode("start", "same start and label", same_start))
    text = "Russia said the truce held."
    gold = Document(id="g", text=text, spans=[Span("S", "SPEAKER", 0, 6, attrs={"mention": "name", "entity": "Russia"})])
    pred = Document(id="g", text=None, spans=[Span("s", "SPEAKER", 0, 4)])
    report = score_([gold], [pred], SCHEMA, options=ScoreOptions(samples=20)).to_dict()
    assert report["scores"]["start"]["per_label"]["SPEAKER"]["f1"] == 1.0
    assert report["scores"]["strict"]["per_label"]["SPEAKER"]["f1"] == 0.0
    assert "f1_ci" in report["scores"]["start"]["micro"]


def test_grounding_prefers_whole_words_over_parts_of_words() -> None:
    """"he" grounds on the pronoun, not inside "the" or "then"; a text found only inside words still grounds."""
    text = "Then the minister spoke; he said the shelter was full."
    gold = [Document(id="d", text=text)]
    pred = Document(id="d", text=None, spans=[Span("P1", "SPEAKER", None, None, text="he"),
                                              Span("P2", "EVENT", None, None, text="elte")])
    report = score_(gold, [pred], SCHEMA, options=ScoreOptions(samples=0, allow_ungrounded=True)).to_dict()
    spurious = {e["pred"]["id"]: e["pred"] for e in report["errors"] if e["kind"] == "spurious"}
    assert spurious["P1"]["start"] == text.index(" he ") + 1
    assert text[spurious["P2"]["start"]:spurious["P2"]["end"]] == "elte"  # only inside "shelter": used
