"""Shared fixtures: the shipped schema and a small valid gold document."""

from __future__ import annotations

import atexit
import copy
import os
import shutil
import tempfile

# No test talks to the Hub or reads/writes the user's caches: a private HF_HOME and offline mode,
# set before any test module imports `datasets` (which reads these at import time).
_HF_HOME = tempfile.mkdtemp(prefix="newsgold-test-hf-")
os.environ["HF_HOME"] = _HF_HOME
os.environ["HF_DATASETS_CACHE"] = os.path.join(_HF_HOME, "datasets")
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.pop("HF_TOKEN", None)
atexit.register(shutil.rmtree, _HF_HOME, True)
from typing import Any

import pytest

from newsgold.io.config import load_schema
from newsgold.model.document import text_sha256
from newsgold.model.schema import Schema

TEXT = "Russia said the UN request would help “terrorists”. He left."


def base_document() -> dict[str, Any]:
    """A valid gold document covering every label and both relations."""
    return copy.deepcopy(
        {
            "id": "doc-1",
            "text": TEXT,
            "meta": {"sha256": text_sha256(TEXT)},
            "spans": [
                {"id": "T1", "label": "SPEAKER", "start": 0, "end": 6, "text": "Russia",
                 "attrs": {"mention": "name", "entity": "Russia"}},
                {"id": "T2", "label": "CLAIM", "start": 12, "end": 50, "text": TEXT[12:50],
                 "attrs": {"voice": "attributed", "quote": "mixed", "checkworthy": "no"}},
                {"id": "T3", "label": "EVENT", "start": 19, "end": 26, "text": "request",
                 "attrs": {"type": "REQUEST", "factuality": "asserted"}},
                {"id": "T4", "label": "FRAMING", "start": 39, "end": 49, "text": "terrorists",
                 "attrs": {"device": "labeling", "target": "armed_opposition", "valence": "negative",
                           "voice": "quoted"}},
            ],
            "relations": [
                {"label": "attributed_to", "head": "T2", "tail": "T1"},
                {"label": "about", "head": "T2", "tail": "T3"},
            ],
        }
    )


@pytest.fixture(scope="session")
def schema() -> Schema:
    return load_schema()


@pytest.fixture
def doc_dict() -> dict[str, Any]:
    return base_document()

