#!/usr/bin/env bash
# Backs up the database and the uploaded files into a new folder: scripts/backup.sh [FOLDER]
# (default backups/YYYYmmdd-HHMMSS). Uses the same settings as the portal (environment, then .env):
#   PostgreSQL → database.dump (pg_dump, custom format, consistent snapshot, no owners);
#   SQLite     → database.sqlite3 (SQLite's online backup: consistent while the portal runs, WAL included);
#   files      → media.tar.gz of MEDIA_ROOT (with S3_BUCKET set the bucket is the copy to protect:
#                use the provider's versioning/replication or `aws s3 sync`; see docs/operations.md).
# SHA256SUMS lists what was written. Restore with scripts/restore.sh FOLDER.
set -euo pipefail
cd "$(dirname "$0")/.."
py=${PYTHON:-.venv/bin/python}
target=${1:-backups/$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$target"
target=$(cd "$target" && pwd)

# engine, database name or URL, media folder and whether files are in S3, from Django's own settings.
eval "$($py scripts/where.py)"

if [ "$engine" = "postgresql" ]; then
  pg_dump --format=custom --no-owner --no-privileges --file="$target/database.dump" "$database_url"
else
  $py - "$database_name" "$target/database.sqlite3" <<'PY'
import sqlite3, sys
source, copy = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2])
with copy:
    source.backup(copy)
copy.close(); source.close()
PY
fi
if [ "$s3" = "1" ]; then
  echo "files are in the S3 bucket: not copied here (see docs/operations.md)" >"$target/FILES-IN-S3"
else
  mkdir -p "$media_root"
  tar -C "$media_root" -czf "$target/media.tar.gz" .
fi
(cd "$target" && sha256sum -- * >SHA256SUMS)
echo "$target"
