#!/usr/bin/env bash
# Installs everything and runs the whole test suite. Extra arguments go to pytest
# (e.g. `bash scripts/test.sh -k calendar`). DATABASE_URL chooses the database (SQLite by default).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/bootstrap.sh
# PDF documents (WeasyPrint) need Pango and fonts with every Vietnamese letter.
bash scripts/system-packages.sh

# Browser tests drive Debian's Chromium; nothing is downloaded by Playwright itself.
if [ ! -x /usr/bin/chromium ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    echo "==> Installing Debian's chromium and chromium-driver for the browser tests (apt-get)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-dejavu-core >/dev/null
  else
    echo "!! /usr/bin/chromium is missing and cannot be installed here (needs root and apt-get):" >&2
    echo "!! install Debian's 'chromium' package, or the browser tests will fail." >&2
  fi
fi

export PYTHONDONTWRITEBYTECODE=1
echo "==> Running the tests on ${DATABASE_URL:-SQLite (embedded default)}"
exec .venv/bin/python -m pytest "$@"
