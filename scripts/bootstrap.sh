#!/usr/bin/env bash
# Create .venv (if missing) with Python >= 3.10 and install newsgold into it with the given extras.
# Skips the install when pyproject.toml and the extras are unchanged since the last one.
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
stamp=".venv/.newsgold-installed-$(cat pyproject.toml | .venv/bin/python -c 'import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest()[:16])')-${extras//,/_}"
if [ ! -f "$stamp" ]; then
  echo "installing newsgold${extras:+ with [$extras]} into .venv (first run takes a few minutes)" >&2
  status=0
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e "$target" > .venv/pip-install.log 2>&1 || status=$?
  # pip/setuptools print long deprecation banners even with --quiet; show everything else
  grep -v -e "BuildBackendWarning" -e "^ *!!" -e "^ *\*\*\*" -e "^ *$" -e "Please be careful" \
          -e "name as your package" -e "may take precedence" -e "WheelFile(" .venv/pip-install.log >&2 || true
  if [ "$status" -ne 0 ]; then echo "pip install failed (exit $status); full log: .venv/pip-install.log" >&2; exit "$status"; fi
  .venv/bin/python -c "import newsgold" # fail here if the install did not work
  touch "$stamp"
fi
