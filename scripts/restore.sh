#!/usr/bin/env bash
# Restores a folder written by scripts/backup.sh into the database and MEDIA_ROOT the settings point
# to (environment, then .env): scripts/restore.sh FOLDER. The target database must be new and empty
# (createdb; for SQLite, no file yet): restoring over a live portal is refused, never merged.
# Then it checks every dossier's history chain and every stored file's SHA-256 (scripts/integrity.py).
set -euo pipefail
cd "$(dirname "$0")/.."
py=${PYTHON:-.venv/bin/python}
source_dir=${1:?usage: scripts/restore.sh FOLDER}
source_dir=$(cd "$source_dir" && pwd)
(cd "$source_dir" && sha256sum --quiet --check SHA256SUMS)

eval "$($py scripts/where.py)"

if [ -f "$source_dir/database.dump" ]; then
  [ "$engine" = "postgresql" ] || { echo "a PostgreSQL dump needs DATABASE_URL=postgres://…" >&2; exit 2; }
  tables=$(psql --no-psqlrc -tA -d "$database_url" -c "select count(*) from pg_tables where schemaname='public'")
  [ "$tables" = "0" ] || { echo "the target database is not empty: create a new one" >&2; exit 2; }
  pg_restore --no-owner --no-privileges --exit-on-error -d "$database_url" "$source_dir/database.dump"
else
  [ "$engine" = "sqlite3" ] || { echo "a SQLite copy needs a sqlite:/// DATABASE_URL" >&2; exit 2; }
  [ ! -e "$database_name" ] || { echo "$database_name exists: restore into a new file" >&2; exit 2; }
  mkdir -p "$(dirname "$database_name")"
  cp "$source_dir/database.sqlite3" "$database_name"
fi
if [ -f "$source_dir/media.tar.gz" ]; then
  mkdir -p "$media_root"
  tar -C "$media_root" -xzf "$source_dir/media.tar.gz"
fi
$py scripts/integrity.py
