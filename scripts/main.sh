#!/usr/bin/env bash
# The main job on the bundled seed corpus: set up .venv, ingest the seeds, validate, print stats.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh ""
.venv/bin/newsgold schema validate
.venv/bin/newsgold corpus ingest --seeds seeds --out build/documents.jsonl
.venv/bin/newsgold validate build/documents.jsonl
.venv/bin/newsgold corpus stats build/documents.jsonl
