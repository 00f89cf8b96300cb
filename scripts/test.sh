#!/usr/bin/env bash
# Install everything (and Debian's chromium for the browser test, where we may), lint, run the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh requirements-test.txt
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "test: could not install chromium; the browser test will be skipped" >&2
fi
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
