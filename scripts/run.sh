#!/usr/bin/env bash
# Installs everything, prepares the embedded database with the demo data and starts the portal on
# http://127.0.0.1:8000 together with the background worker. Safe to run again.
# SERVER=gunicorn (what scripts/serve.sh sets) serves it with gunicorn, WORKERS processes (default 2),
# instead of Django's development server.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/bootstrap.sh
# PDF documents (WeasyPrint) need Pango and fonts with every Vietnamese letter.
bash scripts/system-packages.sh

if [ ! -f .env ]; then
  echo "==> Writing .env for local development (DEBUG=1; edit it or use real environment variables)"
  cp .env.example .env
fi

py=.venv/bin/python
echo "==> Migrating the database"
$py manage.py migrate --no-input -v 0
$py manage.py createcachetable
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
# The sandbox identity provider's issuer and the redirect URIs the demo registers follow the address
# served, unless PORTAL_BASE_URL is set (environment or .env).
if [ -z "${PORTAL_BASE_URL:-}" ] && ! grep -q '^PORTAL_BASE_URL=' .env && [ "$HOST" != "0.0.0.0" ]; then
  export PORTAL_BASE_URL="http://$HOST:$PORT"
fi
echo "==> Loading the demo data"
$py manage.py demo
echo "==> Starting the background worker (huey)"
$py manage.py run_huey --quiet &
worker=$!
trap 'kill "$worker" 2>/dev/null || true' EXIT INT TERM

echo "==> Portal: http://$HOST:$PORT/   administration: http://$HOST:$PORT/admin/   health: http://$HOST:$PORT/healthz"
if [ "${SERVER:-runserver}" = "gunicorn" ]; then
  # WhiteNoise serves the collected files; the processes share the SQLite file (WAL) or DATABASE_URL.
  $py manage.py collectstatic --no-input -v 0
  $py -m gunicorn config.wsgi:application --workers "${WORKERS:-2}" --bind "$HOST:$PORT" \
    --timeout 60 --access-logfile - --error-logfile - --no-control-socket
else
  $py manage.py runserver "$HOST:$PORT"
fi
