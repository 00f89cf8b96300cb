#!/usr/bin/env bash
# Install, index the default corpus, and serve the chat page.
#
#   bash scripts/run.sh              http://127.0.0.1:8501, this machine only
#   bash scripts/run.sh --port 8600  another port
#   bash scripts/run.sh --network    listen on every network interface: the page has no login, so anyone
#                                    who can reach this machine can read the indexed articles, ask, add
#                                    articles (uploads, and URLs this machine then fetches) and download briefings
# Other arguments go to `streamlit run` as they are. $ASSISTANT_INDEX names another index folder.
set -euo pipefail
cd "$(dirname "$0")/.."

address=127.0.0.1
port=8501
extra=()
while [ $# -gt 0 ]; do
  case $1 in
    --network) address=0.0.0.0 ;;
    --port) [ $# -ge 2 ] || { echo "run: --port needs a number" >&2; exit 2; }; port=$2; shift ;;
    --port=*) port=${1#--port=} ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) extra+=("$1") ;;
  esac
  shift
done
case $port in ''|*[!0-9]*) echo "run: --port must be a number, not '$port'" >&2; exit 2 ;; esac

# 1. Install (quietly: pip's messages go to a log that is shown only if the install fails).
mkdir -p .venv
log=.venv/install.log
stamp=.venv/.installed-requirements
wanted=$(cat requirements.txt pyproject.toml | sha256sum | cut -c1-16)
if [ -x .venv/bin/python ] && [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ] \
   && .venv/bin/python -c "import assistant, streamlit" 2>/dev/null; then
  echo "Dependencies: already installed in .venv"
else
  echo "Installing the dependencies into .venv (a few minutes the first time; log: $log)"
  if ! bash scripts/setup.sh requirements.txt >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "run: the install failed; the whole log is in $log" >&2
    exit 1
  fi
  echo "$wanted" >"$stamp"
fi

# 2. Index the default corpus (new or changed articles only); no progress bar, no library warnings.
TQDM_DISABLE=1 PYTHONWARNINGS=ignore .venv/bin/python - <<'EOF'
import logging
import os
import sys
from pathlib import Path

from assistant import Assistant, AssistantError
from assistant.api import DEFAULT_INDEX
from corpus import DEFAULT_CORPUS
from corpus.sources import article_files
from index.library import current_version

logging.basicConfig(level=logging.ERROR, format="run: %(message)s")
root = Path.cwd()
folder = Path(os.environ.get("ASSISTANT_INDEX") or DEFAULT_INDEX).resolve()  # the page opens the same one
corpus = DEFAULT_CORPUS.resolve().relative_to(root)
print(f"Indexing {len(article_files(DEFAULT_CORPUS))} articles from {corpus} (new or changed ones are embedded)")
try:
    # A missing index is built here (so the report counts it); an old one is rebuilt by open().
    engine = Assistant(folder, load=False) if current_version(folder) is None \
        else Assistant.open(None if folder == DEFAULT_INDEX else folder, refresh=False)
    report = engine.ingest([str(DEFAULT_CORPUS)], progress=False)
except AssistantError as exc:
    sys.exit(f"run: the index could not be built: {exc}")
for line in report.rejected + report.duplicates:
    print(f"  skipped: {line}")
changed = len(report.added) + len(report.updated)
sources = engine.sources()
done = f"embedded {report.sentences_embedded} sentences of {changed} articles" if changed else "already up to date"
print(f"Index ready ({done}): {len(sources)} articles, {sum(s.sentences for s in sources)} sentences "
      f"in {folder.relative_to(root) if folder.is_relative_to(root) else folder}")
EOF

# 3. Serve the page.
if [ "$address" = 127.0.0.1 ]; then
  echo "Serving the chat page at http://127.0.0.1:$port (this machine only; Ctrl+C stops it)"
else
  echo "Serving the chat page on every network interface, port $port: http://$(hostname -I 2>/dev/null | cut -d' ' -f1 || echo this-machine):$port"
  echo "  warning: the page has no login; anyone who can reach this machine can read the indexed articles," \
       "ask questions, add articles and make this machine fetch URLs"
fi
exec .venv/bin/streamlit run ui/app.py --server.headless true --server.address "$address" --server.port "$port" \
  --browser.gatherUsageStats false --logger.level error "${extra[@]}" >/dev/null
