"""Settings come only from the environment; production settings pass Django's deploy checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[3]
PRODUCTION_ENV = {
    "READ_DOTENV": "0",
    "DEBUG": "0",
    "SECRET_KEY": "k3V9-prod-like-8QzT1mWc4rYb7NfH2sLd6PgJ0xAe5UoKi-r2D8vN4tHs",
    "ALLOWED_HOSTS": "dichvucong.hue.gov.vn",
    "CSRF_TRUSTED_ORIGINS": "https://dichvucong.hue.gov.vn",
}


def _manage(tmp_path: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "DATABASE_URL", "PYTHONPATH"}}
    return subprocess.run(  # noqa: S603 - fixed arguments, our own manage.py
        [sys.executable, str(BASE_DIR / "manage.py"), *args],
        env={**base, "DATA_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=BASE_DIR,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = _manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_refuses_the_captcha_test_mode(tmp_path):
    result = _manage(tmp_path, "check", "--deploy", env={**PRODUCTION_ENV, "CAPTCHA_TEST_MODE": "1"})

    assert result.returncode != 0
    assert "dichvucong.E001" in result.stderr + result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}

    result = _manage(tmp_path, "check", env=env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_a_malformed_boolean_is_reported_by_name(tmp_path):
    result = _manage(tmp_path, "check", env={**PRODUCTION_ENV, "SECURE_SSL_REDIRECT": "maybe"})

    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT must be one of" in result.stderr


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, ("SqliteHuey", "DatabaseCache", "db")),
        ({"REDIS_URL": "redis://127.0.0.1:6379/0"}, ("RedisHuey", "RedisCache", "sessions")),
    ],
)
def test_redis_url_switches_the_queue_the_cache_and_the_sessions(tmp_path, env, expected):
    code = (
        "from django.conf import settings; "
        "print(settings.HUEY['huey_class'].rsplit('.', 1)[-1], "
        "settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1], "
        "settings.SESSION_ENGINE.rsplit('.', 1)[-1])"
    )
    result = _manage(tmp_path, "shell", "--no-imports", "-c", code, env={**PRODUCTION_ENV, **env})

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == list(expected)


def test_language_and_time_zone(settings):
    assert settings.LANGUAGE_CODE == "vi"
    assert [code for code, _name in settings.LANGUAGES] == ["vi", "en"]
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    assert settings.USE_TZ is True
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert settings.AUTH_USER_MODEL == "accounts.User"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"DATABASE_URL": "postgres://u@db.internal:5432/dvc"},
            "{'server_side_binding': True, 'prepare_threshold': 5}",
        ),
        (
            {"DATABASE_URL": "postgres://u@db.internal:5432/dvc?sslmode=require"},
            "{'sslmode': 'require', 'server_side_binding': True, 'prepare_threshold': 5}",
        ),
        ({"DATABASE_URL": "postgres://u@db.internal:5432/dvc", "DATABASE_PREPARED_STATEMENTS": "0"}, "{}"),
    ],
)
def test_postgresql_binds_on_the_server_and_prepares_unless_turned_off(tmp_path, env, expected):
    # Behind a transaction-mode pooler older than PgBouncer 1.21 a prepared statement may be missing
    # on the next server connection: the switch turns both off; the URL's own options are kept.
    code = "from django.conf import settings; print(settings.DATABASES['default'].get('OPTIONS', {}))"
    result = _manage(tmp_path, "shell", "--no-imports", "-c", code, env={**PRODUCTION_ENV, **env})

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected
