"""The production recipe's walk (scripts/production_drill.py) inside the suite: two gunicorn processes on the
test database behind the TLS reverse proxy, Redis for the cache and the huey worker, moto's S3 server for
the files, a local SMTP server for the e-mails. A citizen submits through process A, reads and downloads
through process B; the officer receives on B; the worker's two e-mails arrive; the files are in the
bucket and not on disk. The script itself also migrates a fresh database, collects the static files
and loads the demo (README "Production"); this test seeds only what the walk needs.

PostgreSQL only (the recipe's database; SQLite is the single-machine default) and skipped when Redis or
the S3 packages are missing."""

from __future__ import annotations

import importlib.util
import os
import socket
import sys
from pathlib import Path

import pytest
from django.db import connection

from dichvucong.accounts.constants import OfficerRole
from dichvucong.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from dichvucong.core.testing.personas import make_officer
from dichvucong.dossiers.constants import DossierStatus
from dichvucong.dossiers.models import Dossier

ROOT = Path(__file__).resolve().parent.parent


def _redis_up() -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", 6379)) == 0


def _installed(*modules: str) -> bool:
    return all(importlib.util.find_spec(m) is not None for m in modules)


pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="PostgreSQL recipe"),
    pytest.mark.skipif(not _redis_up(), reason="Redis is not running on 127.0.0.1:6379"),
    pytest.mark.skipif(not _installed("moto", "storages", "boto3"), reason="moto[server], django-storages[s3]"),
    pytest.mark.timeout(180),
]


@pytest.fixture
def drill():
    spec = importlib.util.spec_from_file_location("production_drill", ROOT / "scripts" / "production_drill.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["production_drill"] = module
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop("production_drill", None)


def test_submitted_on_one_process_is_read_received_and_mailed_through_the_other(
    drill, personas, birth_procedure, tmp_path
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    officer = make_officer(UserFactory(username="motcua.a", officer=True), personas.agency_a, OfficerRole.ONE_STOP)
    TOTPDevice.objects.create(user=officer, name="drill", confirmed=True)
    cast = drill.Cast(
        citizen=personas.citizen.username,
        officer=officer.username,
        password=DEFAULT_PASSWORD,
        procedure=birth_procedure.code,
        agency_hint=personas.agency_a.name,
    )
    ports = drill.Ports.from_base(8345)
    database = connection.settings_dict
    user, host, port = (
        database.get("USER") or "postgres",
        database.get("HOST") or "127.0.0.1",
        database.get("PORT") or 5432,
    )
    url = f"postgres://{user}@{host}:{port}"
    redis_url = "redis://127.0.0.1:6379/9"
    env = drill.recipe_environment(
        database_url=f"{url}/{database['NAME']}", redis_url=redis_url, ports=ports, work=tmp_path, static_manifest=False
    )
    drill.flush_redis(redis_url)
    services = drill.Services(tmp_path)
    steps = drill.Steps()
    try:
        with steps.step("S3, gunicorn A and B, proxy, huey: started and listening"):
            drill.start_s3(services, ports, env)
            certificate = drill.start_portal(services, ports, env, workers=1, work=tmp_path, static=None)
            files = drill.sample_files()  # made while the processes boot
            services.ready()
            s3 = drill.create_bucket(ports)
        with drill.Mailbox(ports.smtp) as mailbox:
            result = drill.walk(
                base=f"https://127.0.0.1:{ports.proxy}",
                certificate=certificate,
                cast=cast,
                mailbox=mailbox,
                s3=s3,
                media_root=tmp_path / "media",
                steps=steps,
                files=files,
                app_ports=(ports.a, ports.b),
            )
    finally:
        services.stop()

    dossier = Dossier.objects.get(code=result["code"])
    assert dossier.status == DossierStatus.PROCESSING
    assert dossier.files.count() == 2
    assert result["server_errors"] == []
    assert drill.server_log_problems(services) == []
    assert [label for label, _seconds in steps.rows][-1] == "the worker e-mails the citizen: dossier received"
