#!/usr/bin/env bash
# Set up .venv/ with everything Empathy Coach needs, offline-safe and CPU-only.
#   bash scripts/setup.sh          # the app and the CLI
#   bash scripts/setup.sh --dev    # plus the test tools and, when run as root, Debian's chromium
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
# torch first, pinned: an unpinned torch (directly or through another package) pulls a multi-GB CUDA build.
.venv/bin/python -m pip install --quiet "torch==2.13.0"
if [ "${1:-}" = "--dev" ]; then
  .venv/bin/python -m pip install --quiet -c constraints.txt -e ".[dev]"
  if [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get update -qq && apt-get install -y -qq chromium >/dev/null
    else
      echo "note: the browser test needs Debian's chromium (apt-get install chromium); it is skipped without it" >&2
    fi
  fi
else
  .venv/bin/python -m pip install --quiet -c constraints.txt -e .
fi
