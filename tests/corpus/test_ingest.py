"""Seed ingestion: exact text, provenance, and token/sentence offsets on awkward input."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.attrs import IS_PUNCT, IS_SPACE
from typer.testing import CliRunner

from newsgold.cli import app
from newsgold.corpus.ingest import ingest_seeds, newline_style, seed_document
from newsgold.model.document import text_sha256
from newsgold.model.errors import IngestError
from newsgold.model.schema import Schema
from newsgold.model.validation import validate
from newsgold.text.segment import Segmenter, blank_english, whitespace_table

REPO = Path(__file__).parents[2]
SEGMENTER = Segmenter()
REFERENCE_NLP = blank_english()


def _seed(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _assert_tokens_match_spacy(text: str, tokens: list[tuple[int, int]]) -> None:
    expected = [t.text.strip() for t in REFERENCE_NLP.tokenizer(text) if not t.is_space]
    assert [text[s:e] for s, e in tokens] == expected


def test_the_shipped_seed(schema: Schema) -> None:
    documents = list(ingest_seeds(REPO / "seeds"))
    assert len(documents) == 17
    [document] = [d for d in documents if d.id == "000_1c4f7a9ed72f78a1"]
    raw = (REPO / "seeds" / "000_1c4f7a9ed72f78a1.txt").read_bytes()
    assert document.id == "000_1c4f7a9ed72f78a1"
    assert document.text == raw.decode("utf-8")
    assert document.meta["sha256"] == text_sha256(document.text)
    assert document.meta["source"] == "seeds/000_1c4f7a9ed72f78a1.txt"
    assert validate(document, schema) == []
    _assert_tokens_match_spacy(document.text, document.tokens)
    assert len(document.sentences) == 14  # 13 lines; one line holds two quoted sentences
    sentences = [document.text[s:e] for s, e in document.sentences]
    assert sentences[0].startswith("Russia has rejected") and sentences[0].endswith("regain strength.")
    assert sentences[-1].endswith("regional allies.")


def test_bom_is_stripped_and_recorded(tmp_path: Path) -> None:
    path = _seed(tmp_path, "bom.txt", "\ufeffHe said “no”.".encode("utf-8"))
    document = seed_document(path, segmenter=SEGMENTER)
    assert document.text == "He said “no”."
    assert document.meta["bom"] is True
    assert document.meta["sha256"] == text_sha256("He said “no”.")


def test_crlf_is_kept_and_offsets_stay_exact(tmp_path: Path) -> None:
    text = "First line 🙂 here.\r\nSecond “quoted” line, it’s fine.\r\n\r\nThird."
    document = seed_document(_seed(tmp_path, "crlf.txt", text.encode("utf-8")), segmenter=SEGMENTER)
    assert document.text == text
    assert document.meta["newline"] == "crlf"
    _assert_tokens_match_spacy(text, document.tokens)
    assert [text[s:e] for s, e in document.sentences] == [
        "First line 🙂 here.",
        "Second “quoted” line, it’s fine.",
        "Third.",
    ]
    assert "🙂" in [text[s:e] for s, e in document.tokens]


def test_line_break_ends_a_sentence_without_punctuation(tmp_path: Path) -> None:
    document = seed_document(_seed(tmp_path, "head.txt", b"A headline\nThe body starts here."), segmenter=SEGMENTER)
    assert [document.text[s:e] for s, e in document.sentences] == ["A headline", "The body starts here."]


def test_non_utf8_seed_is_an_error_naming_file_and_line(tmp_path: Path) -> None:
    path = _seed(tmp_path, "latin.txt", b"fine line\ncaf\xe9\n")
    with pytest.raises(IngestError) as info:
        seed_document(path)
    assert info.value.path == str(path) and info.value.line == 2 and "UTF-8" in str(info.value)


def test_sidecar_metadata(tmp_path: Path) -> None:
    path = _seed(tmp_path, "a.txt", b"Text.")
    (tmp_path / "a.meta.yaml").write_text("title: A title\nlicense: unknown\n")
    assert seed_document(path).meta["title"] == "A title"
    (tmp_path / "a.meta.yaml").write_text("sha256: abc\n")
    with pytest.raises(IngestError, match="computed by newsgold") as info:
        seed_document(path)
    assert info.value.field == "sha256"


def test_sidecar_dates_become_iso_strings_and_odd_values_are_errors(tmp_path: Path) -> None:
    path = _seed(tmp_path, "a.txt", b"Text.")
    (tmp_path / "a.meta.yaml").write_text("published: 2026-03-01\nseen: 2026-03-01 10:30:00\ntags: [x, 2017-07-18]\n")
    meta = seed_document(path).meta
    assert meta["published"] == "2026-03-01" and meta["seen"] == "2026-03-01T10:30:00" and meta["tags"] == ["x", "2017-07-18"]
    json.dumps(meta)  # what ingest writes must serialise
    result = CliRunner().invoke(app, ["corpus", "ingest", "--seeds", str(tmp_path), "--out", str(tmp_path / "d.jsonl")])
    assert result.exit_code == 0, result.output
    (tmp_path / "a.meta.yaml").write_text("blob: !!binary aGVsbG8=\n")
    with pytest.raises(IngestError, match="bytes cannot be stored") as info:
        seed_document(path)
    assert info.value.field == "blob" and str(info.value.path).endswith("a.meta.yaml")


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [("bad name!.txt", b"x", "cannot derive a document id"), ("empty.txt", b"  \n", "empty")],
)
def test_bad_seeds(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    with pytest.raises(IngestError, match=message):
        seed_document(_seed(tmp_path, name, data))


def test_missing_or_empty_seed_folder(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="not found"):
        list(ingest_seeds(tmp_path / "absent"))
    with pytest.raises(IngestError, match="no .txt articles"):
        list(ingest_seeds(tmp_path))


@pytest.mark.parametrize(
    ("text", "style"), [("a\nb", "lf"), ("a\r\nb", "crlf"), ("a\rb", "cr"), ("a\r\nb\nc", "mixed"), ("ab", "none")]
)
def test_newline_style(text: str, style: str) -> None:
    assert newline_style(text) == style


TEXT_ALPHABET = st.sampled_from(list("ab .,;:!?-'\"“”‘’«»\n\r\t\u00a0🙂é()0123456789"))


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=TEXT_ALPHABET, min_size=1, max_size=80))
def test_segmentation_invariants(text: str) -> None:
    segmentation = SEGMENTER.segment(text)
    previous = 0
    for start, end in segmentation.tokens:
        assert previous <= start < end <= len(text)
        assert not text[start].isspace() and not text[end - 1].isspace()
        previous = end
    # tokens cover every non-whitespace character and nothing else
    covered = {i for s, e in segmentation.tokens for i in range(s, e)}
    assert covered == {i for i, char in enumerate(text) if not char.isspace()}
    # every token lies inside exactly one sentence, sentences are ordered and trimmed
    for start, end in segmentation.tokens:
        assert sum(1 for s, e in segmentation.sentences if s <= start and end <= e) == 1
    for start, end in segmentation.sentences:
        assert not text[start].isspace() and not text[end - 1].isspace()



def _reference_sentences(text: str) -> list[tuple[int, int]]:
    """Sentences from spaCy's own sentencizer component, with newsgold's whitespace rules."""
    sentences, current, previous_end, pending = [], None, 0, False
    for token in REFERENCE_NLP(text):
        if token.is_space:
            pending = pending or token.is_sent_start or "\n" in token.text or "\r" in token.text
            continue
        raw = token.text
        start, end = token.idx + len(raw) - len(raw.lstrip()), token.idx + len(raw.rstrip())
        if current is not None and (token.is_sent_start or pending):
            sentences.append((current, previous_end))
            current = None
        if current is None:
            current = start
        pending, previous_end = False, end
    if current is not None:
        sentences.append((current, previous_end))
    return sentences


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=TEXT_ALPHABET, min_size=1, max_size=120))
def test_sentences_equal_spacys_sentencizer(text: str) -> None:
    assert SEGMENTER.segment(text).sentences == _reference_sentences(text)


def test_double_space_after_a_full_stop_still_ends_the_sentence() -> None:
    text = "Para two?  Yes it is."
    assert [text[s:e] for s, e in SEGMENTER.segment(text).sentences] == ["Para two?", "Yes it is."]


WORDISH = st.sampled_from(
    ["Hello", "U.S.", "don't", "e-mail", "x@y.com", "http://a.b/c?d=1", "3.5%", "$40", "1,000", "'s", "—", "(", ")",
     "mid-2024", "O'Neil", ":)", "...", "\u00a0", "\n", "  ", "é", "🙂", "Dr.", "a/b", "#tag"]
)


@settings(max_examples=80, deadline=None)
@given(st.lists(WORDISH, min_size=1, max_size=30).map(" ".join))
def test_trimmed_lexical_attributes_do_not_change_tokens(text: str) -> None:
    # the Segmenter keeps only the lexical getters it reads; tokens must equal stock spaCy's
    _assert_tokens_match_spacy(text, SEGMENTER.segment(text).tokens)
    assert SEGMENTER.segment(text).sentences == _reference_sentences(text)


def test_whitespace_table_is_str_isspace() -> None:
    # the table is built with re's \s; it must flag exactly the code points str.isspace() does
    table = whitespace_table()
    expected = [code for code in range(sys.maxunicode + 1) if chr(code).isspace()]
    assert table.nonzero()[0].tolist() == expected


def test_trimmed_vocabulary_keeps_only_the_flags_it_reads() -> None:
    getters = SEGMENTER.nlp.vocab.lex_attr_getters
    assert set(getters) == {IS_SPACE, IS_PUNCT}
    assert len(REFERENCE_NLP.vocab.lex_attr_getters) > 2  # the reference pipeline is stock spaCy


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(alphabet=TEXT_ALPHABET, max_size=60), min_size=1, max_size=6))
def test_segmenting_texts_together_equals_segmenting_each(texts: list[str]) -> None:
    # segment_many lays the texts end to end: no token, sentence rule or line break may leak
    # from one text into the next (e.g. a text ending in "." before one starting with a word)
    together = SEGMENTER.segment_many(texts)
    assert len(together) == len(texts)
    for text, segmentation in zip(texts, together):
        assert segmentation.sentences == _reference_sentences(text)
        _assert_tokens_match_spacy(text, segmentation.tokens)
        assert segmentation.starts.dtype == segmentation.ends.dtype == np.int64


def test_segmenting_texts_together_with_empty_and_blank_texts() -> None:
    texts = ["He left.", "", "  \n ", "“Yes.” she said", "ends with a stop.", "starts lower"]
    together = SEGMENTER.segment_many(texts)
    assert [[t[s:e] for s, e in seg.sentences] for t, seg in zip(texts, together)] == [
        ["He left."], [], [], ["“Yes.”", "she said"], ["ends with a stop."], ["starts lower"]
    ]
    piped = list(SEGMENTER.pipe(texts, batch_size=4))
    assert [(p.tokens, p.sentences) for p in piped] == [(t.tokens, t.sentences) for t in together]
