#!/usr/bin/env bash
# The run command with gunicorn instead of Django's development server: the embedded default (SQLite,
# local files, the SQLite task queue) served by WORKERS processes (default 2) on HOST:PORT.
set -euo pipefail
cd "$(dirname "$0")/.."
SERVER=gunicorn exec bash scripts/run.sh "$@"
