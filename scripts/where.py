"""Prints, as shell assignments, where the portal's data is (for backup.sh and restore.sh)."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()
from django.conf import settings  # noqa: E402

database = settings.DATABASES["default"]
engine = database["ENGINE"].rsplit(".", 1)[-1]
url = ""
if engine == "postgresql":
    # libpq's URI form, for pg_dump/pg_restore/psql (password included only if the settings have one).
    auth = database.get("USER") or "postgres"
    if database.get("PASSWORD"):
        auth += ":" + database["PASSWORD"]
    url = f"postgresql://{auth}@{database.get('HOST') or '127.0.0.1'}:{database.get('PORT') or 5432}/{database['NAME']}"
values = {
    "engine": engine,
    "database_name": str(database["NAME"]),
    "database_url": url,
    "media_root": str(settings.MEDIA_ROOT),
    "s3": "1" if getattr(settings, "S3_BUCKET", "") else "0",
}
for key, value in values.items():
    print(f"{key}={shlex.quote(value)}")  # noqa: T201
