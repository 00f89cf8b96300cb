#!/usr/bin/env bash
# Install, index the default corpus, and open the chat page at http://localhost:8501
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh requirements.txt
.venv/bin/assistant ingest corpus/seeds
exec .venv/bin/streamlit run ui/app.py --server.headless true --browser.gatherUsageStats false "$@"
