"""spaCy DocBin export: lossless read-back, spans as whole tokens in groups, and a real `spacy train` on it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from spacy.tokens import DocBin
from spacy.vocab import Vocab
from strategies import SCHEMA, documents

from newsgold.annotation.pull import same_annotation
from newsgold.io.carried import Carried
from newsgold.io.docbin import ALL_SPANS_KEY, read_docbin, write_docbin
from newsgold.io.documents import read_documents
from newsgold.model.document import Document
from newsgold.text.segment import Segmenter

REPO = Path(__file__).resolve().parents[2]
SEGMENTER = Segmenter()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(documents(separators=(" ", "\r\n", "  ", "\n")))
def test_docbin_round_trip_and_span_groups(tmp_path_factory: pytest.TempPathFactory, document: Document) -> None:
    path = tmp_path_factory.mktemp("docbin") / "docs.spacy"
    document.meta = {"license": "CC-BY-2.5"}
    write_docbin([document], path, SCHEMA, Carried(), SEGMENTER)
    [back] = read_docbin(path)
    assert back.id == document.id and back.text == document.text and back.meta == document.meta
    assert same_annotation(document, back)
    [doc] = DocBin(store_user_data=True).from_disk(path).get_docs(Vocab())
    assert doc.text == document.text  # whitespace other than one space kept as whitespace tokens
    for label in SCHEMA.label_names:
        expected = sorted((s.start, s.end) for s in document.spans if s.label == label)
        assert sorted((s.start_char, s.end_char) for s in doc.spans[label]) == expected if expected else label not in doc.spans
    assert len(doc.spans[ALL_SPANS_KEY]) == len(document.spans)


def test_a_real_spacy_train_run_on_the_export(tmp_path: Path) -> None:
    """The export is what `spacy train` takes: a spancat pipeline trains on it for a few steps and is saved."""
    gold = read_documents(REPO / "gold")
    write_docbin(gold[:3], tmp_path / "train.spacy", SCHEMA, Carried(), SEGMENTER)
    write_docbin(gold[3:5], tmp_path / "dev.spacy", SCHEMA, Carried(), SEGMENTER)
    spacy = [sys.executable, "-m", "spacy"]
    subprocess.run([*spacy, "init", "config", "config.cfg", "--lang", "en", "--pipeline", "spancat", "--optimize", "efficiency"],
                   cwd=tmp_path, check=True, capture_output=True)
    result = subprocess.run([*spacy, "train", "config.cfg", "--output", "out", "--paths.train", "train.spacy", "--paths.dev",
                             "dev.spacy", "--training.max_steps", "3", "--training.eval_frequency", "1"],
                            cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert (tmp_path / "out" / "model-last" / "spancat").is_dir()
    import spacy as spacy_lib

    nlp = spacy_lib.load(tmp_path / "out" / "model-last")
    labels = set(nlp.get_pipe("spancat").labels)
    assert labels == {s.label for d in gold[:3] for s in d.spans}  # it learned the schema's labels from the export
