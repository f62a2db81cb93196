import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from dealership.settings import env_bool

ROOT = Path(__file__).resolve().parents[2]


def _check(*args, **env):
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG"}}
    return subprocess.run(  # noqa: S603 — manage.py check with the tests' own arguments
        [sys.executable, "manage.py", "check", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _check(DEBUG="false", ALLOWED_HOSTS="crm.example.com")
    assert result.returncode != 0
    assert "needs SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = _check(DEBUG="false", SECRET_KEY="x" * 60)
    assert result.returncode != 0
    assert "needs ALLOWED_HOSTS" in result.stderr


def test_production_starts_with_a_secret_key_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("k" * 64)
    result = _check(DEBUG="false", SECRET_KEY_FILE=str(secret), ALLOWED_HOSTS="crm.example.com")
    assert result.returncode == 0, result.stderr


def test_production_settings_pass_the_deploy_checks():
    """Django's and the apps' (django-axes, django-csp) deployment checks, warnings included."""
    result = _check(
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="crm.example.com",
        SECURE_SSL_REDIRECT="",  # the defaults, whatever this machine's environment says
        SECURE_HSTS_SECONDS="",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("raw", ["maybe", "tru", "2"])
def test_booleans_are_parsed_strictly(monkeypatch, raw):
    monkeypatch.setenv("SOME_FLAG", raw)
    with pytest.raises(ImproperlyConfigured):
        env_bool("SOME_FLAG", False)


@pytest.mark.parametrize(("raw", "expected"), [("TRUE", True), ("0", False), ("off", False), ("", True)])
def test_boolean_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env_bool("SOME_FLAG", True) is expected


def test_postgresql_connections_run_without_jit_compilation():
    """JIT costs the short queries of web pages more than it saves (see settings)."""
    result = subprocess.run(  # noqa: S603 — the settings module with a PostgreSQL URL
        [sys.executable, "-c", "from dealership import settings; print(settings.DATABASES['default']['OPTIONS'])"],
        cwd=ROOT, env={**os.environ, "DATABASE_URL": "postgres://crm@db.example.com:5432/crm"},
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "-c jit=off" in result.stdout
