"""Checks a portal's data after a restore (or at any time): every dossier's history chain, every
attachment's and issued document's SHA-256 against its stored bytes (local folder or S3 alike).

    .venv/bin/python scripts/integrity.py      # prints the counts; exits 1 if anything does not match
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from dichvucong.dossiers.models import Dossier, DossierDocument, DossierFile  # noqa: E402
from dichvucong.dossiers.services import dossier_events_verify  # noqa: E402


def file_sha256(field) -> str | None:
    try:
        with field.open("rb") as handle:
            digest = hashlib.sha256()
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
            return digest.hexdigest()
    except OSError:
        return None


def main() -> int:
    broken_chains = [
        d.code or str(d.pk)
        for d in Dossier.objects.only("pk", "code", "status").iterator()
        if not dossier_events_verify(dossier=d)
    ]
    bad_files = []
    files = 0
    for model in (DossierFile, DossierDocument):
        for row in model.objects.only("pk", "file", "sha256").iterator():
            files += 1
            if file_sha256(row.file) != row.sha256:
                bad_files.append(f"{model.__name__} {row.pk} ({row.file.name})")
    dossiers = Dossier.objects.count()
    print(f"dossiers: {dossiers}, history chains broken: {len(broken_chains)}")  # noqa: T201
    print(f"files: {files}, missing or altered: {len(bad_files)}")  # noqa: T201
    for item in [*broken_chains, *bad_files][:20]:
        print("  ", item)  # noqa: T201
    return 1 if broken_chains or bad_files else 0


if __name__ == "__main__":
    raise SystemExit(main())
