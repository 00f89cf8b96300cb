#!/usr/bin/env bash
# Install everything into .venv (idempotent). torch is pinned to the CPU build in requirements.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
extra=${1:-requirements.txt}
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r "$extra" 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/pip install --quiet --disable-pip-version-check --no-deps -e . 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -c "import assistant, faiss, sentence_transformers, streamlit" \
  || { echo "setup: the install did not complete (see pip's messages above)" >&2; exit 1; }
