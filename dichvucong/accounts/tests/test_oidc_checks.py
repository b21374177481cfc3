"""The deploy checks of single sign-on: production stays clean, a sandbox or a plain-http issuer does not."""

from __future__ import annotations

from dichvucong.core.tests.test_settings import PRODUCTION_ENV, _manage


def test_production_settings_have_no_provider_and_no_sandbox(tmp_path):
    result = _manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_sandbox_in_production_is_reported(tmp_path):
    result = _manage(
        tmp_path, "check", "--deploy", "--fail-level", "WARNING", env={**PRODUCTION_ENV, "OIDC_SANDBOX_ENABLED": "1"}
    )
    assert result.returncode != 0
    assert "accounts.W001" in result.stdout + result.stderr


def test_a_real_provider_needs_an_https_issuer_and_a_secret(tmp_path):
    env = {**PRODUCTION_ENV, "OIDC_VNEID_CLIENT_ID": "dvc-hue", "OIDC_VNEID_ISSUER": "http://vneid.example.vn"}
    result = _manage(tmp_path, "check", "--deploy", env=env)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "accounts.E001" in output
    assert "accounts.E002" in output

    env = {**env, "OIDC_VNEID_ISSUER": "https://vneid.example.vn", "OIDC_VNEID_CLIENT_SECRET": "issued-secret"}
    assert _manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", env=env).returncode == 0
