#!/usr/bin/env bash
# Set up .venv with the test and server extras (and Debian's chromium for the browser test, when
# absent), then run the whole test suite (extra arguments go to pytest).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh "test,server"
if ! command -v chromium >/dev/null 2>&1; then
  # Playwright cannot download its own browsers here: tests/annotation/test_browser.py drives Debian's chromium.
  echo "installing Debian's chromium for tests/annotation/test_browser.py (first run only)" >&2
  sudo=""; if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
exec .venv/bin/python -m pytest "$@"
