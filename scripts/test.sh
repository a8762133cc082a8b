#!/usr/bin/env bash
# Set up .venv with the test extra and run the whole test suite (extra arguments go to pytest).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh "test"
exec .venv/bin/python -m pytest "$@"
