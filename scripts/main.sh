#!/usr/bin/env bash
# The main job on the bundled seed corpus: set up .venv, check schema and gold, build the dataset.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh ""
.venv/bin/newsgold schema validate
.venv/bin/newsgold validate gold/
.venv/bin/newsgold corpus build            # -> build/dataset/hub (Parquet + card) and build/dataset/disk
.venv/bin/newsgold corpus stats gold/
