"""The backup and restore drill (scripts/backup.sh, scripts/restore.sh) on PostgreSQL: dossiers with a
history and attachments are backed up while committed, restored into a new database and a new files
folder, and scripts/integrity.py finds every dossier, every history chain and every file hash intact.
An altered file after the restore is caught. SQLite's copy is the same scripts' other branch (README)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from dichvucong.dossiers.constants import DossierAction
from dichvucong.dossiers.models import Dossier, DossierFile
from dichvucong.dossiers.services import dossier_transition
from dichvucong.dossiers.tests.test_form import draft_with_files

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db(transaction=True)


def _run(script: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own scripts
        ["bash", str(ROOT / "scripts" / script), *args],  # noqa: S607
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def restore_database():
    import psycopg

    name = f"{connection.settings_dict['NAME']}_restore"
    admin = "postgresql://postgres@127.0.0.1:5432/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="pg_dump drill")
def test_backup_then_restore_into_a_fresh_database_keeps_dossiers_chains_and_files(
    personas, birth_procedure, tmp_path, restore_database
):
    sent = draft_with_files(personas, birth_procedure)
    dossier_transition(dossier_id=sent.pk, action=DossierAction.SUBMIT, actor=personas.citizen)
    draft_with_files(personas, birth_procedure)  # a draft: no history yet, its files count as much
    code = Dossier.objects.get(pk=sent.pk).code
    hashes = set(DossierFile.objects.values_list("sha256", flat=True))

    source = dict(settings.DATABASES["default"])
    base = {**os.environ, "READ_DOTENV": "0", "DEBUG": "1", "PYTHON": sys.executable}
    user, host, port = source.get("USER") or "postgres", source.get("HOST") or "127.0.0.1", source.get("PORT") or 5432
    url = f"postgres://{user}@{host}:{port}"
    backup = _run(
        "backup.sh",
        {**base, "DATABASE_URL": f"{url}/{source['NAME']}", "MEDIA_ROOT": settings.MEDIA_ROOT},
        str(tmp_path / "backup"),
    )
    assert backup.returncode == 0, backup.stderr
    assert {p.name for p in (tmp_path / "backup").iterdir()} == {"database.dump", "media.tar.gz", "SHA256SUMS"}

    restored_media = tmp_path / "restored-media"
    target = {**base, "DATABASE_URL": f"{url}/{restore_database}", "MEDIA_ROOT": str(restored_media)}
    restore = _run("restore.sh", target, str(tmp_path / "backup"))
    assert restore.returncode == 0, restore.stdout + restore.stderr
    assert "dossiers: 2, history chains broken: 0" in restore.stdout
    assert "files: 4, missing or altered: 0" in restore.stdout

    import psycopg

    with psycopg.connect(f"{url.replace('postgres://', 'postgresql://')}/{restore_database}") as conn:
        assert conn.execute("select code from dossiers_dossier where code <> ''").fetchall() == [(code,)]
        assert {row[0] for row in conn.execute("select sha256 from dossiers_dossierfile")} == hashes

    # Restoring twice over the same database is refused, and a file changed behind the portal's back shows.
    again = _run("restore.sh", target, str(tmp_path / "backup"))
    assert again.returncode == 2
    assert "not empty" in again.stderr
    altered = next(path for path in restored_media.rglob("*") if path.is_file())
    altered.write_bytes(altered.read_bytes() + b"x")
    check = subprocess.run(  # noqa: S603
        [base["PYTHON"], str(ROOT / "scripts" / "integrity.py")],
        env=target, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert check.returncode == 1
    assert "files: 4, missing or altered: 1" in check.stdout
