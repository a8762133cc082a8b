#!/usr/bin/env bash
# Create .venv (if missing) with Python >= 3.10 and install newsgold into it with the given extras.
# Usage: source scripts/bootstrap.sh "test,server"
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON="${PYTHON:-python3}"
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "newsgold needs Python >= 3.10")'
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
extras="${1:-}"
target="."
if [ -n "$extras" ]; then target=".[${extras}]"; fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e "$target"
