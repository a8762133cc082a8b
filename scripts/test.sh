#!/usr/bin/env bash
# Set up .venv with the test and server extras and run the whole test suite (extra arguments go to pytest).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh "test,server"
exec .venv/bin/python -m pytest "$@"
