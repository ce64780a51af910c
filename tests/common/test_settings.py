"""Start-up configuration: production refuses to start half-configured."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(args, **env):
    clean = {k: v for k, v in os.environ.items()
             if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DATABASE_URL", "SECURE_SSL_REDIRECT",
                          "DJANGO_ALLOW_ASYNC_UNSAFE", "CELERY_BROKER_URL", "CACHE_URL"}}
    clean.update(env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=clean,
                          capture_output=True, text=True, timeout=120)


def test_missing_secret_key_stops_start_up_with_debug_off():
    result = _run(["check"], DEBUG="0", ALLOWED_HOSTS="phocap.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_missing_allowed_hosts_stops_start_up_with_debug_off():
    result = _run(["check"], DEBUG="0", SECRET_KEY="x" * 60)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is not set" in result.stderr


def test_deploy_check_is_clean_with_production_defaults():
    result = _run(["check", "--deploy", "--fail-level", "WARNING"], DEBUG="0",
                  SECRET_KEY="k3y-" + "a9F" * 20, ALLOWED_HOSTS="phocap.example.org")
    assert result.returncode == 0, result.stderr + result.stdout


def test_debug_mode_runs_without_configuration():
    result = _run(["check"], DEBUG="1")
    assert result.returncode == 0, result.stderr


def test_offline_commands_need_no_configuration():
    # CI and new checkouts run `makemigrations --check` with nothing configured.
    result = _run(["makemigrations", "--check", "--dry-run"], DEBUG="0")
    assert result.returncode == 0, result.stderr


def test_serving_commands_still_refuse_without_secret_key():
    result = _run(["migrate", "--plan"], DEBUG="0", ALLOWED_HOSTS="phocap.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_malformed_value_is_refused_naming_the_variable():
    # django-environ kept the inline comment of the old .env.example as part of the value.
    result = _run(["check"], DEBUG="0", SECRET_KEY="x" * 60, ALLOWED_HOSTS="phocap.example.org",
                  COVERAGE_REBUILD_DELAY_S="10          # debounce")
    assert result.returncode != 0
    assert "COVERAGE_REBUILD_DELAY_S='10          # debounce' is not valid" in result.stderr
    assert "inline comments" in result.stderr


def test_malformed_boolean_is_refused_not_read_as_false():
    result = _run(["check"], DEBUG="0", SECRET_KEY="x" * 60, ALLOWED_HOSTS="phocap.example.org",
                  SESSION_COOKIE_SECURE="yes please")
    assert result.returncode != 0 and "SESSION_COOKIE_SECURE='yes please' is not valid" in result.stderr


def test_env_example_as_shipped_passes_the_deploy_check():
    values = dict(line.split("=", 1) for line in (ROOT / ".env.example").read_text().splitlines()
                  if line and not line.startswith("#"))
    values["SECRET_KEY"] = "k3y-" + "a9F" * 20
    result = _run(["check", "--deploy", "--fail-level", "WARNING"], **values)
    assert result.returncode == 0, result.stderr + result.stdout


def test_collectstatic_needs_no_secret():
    # The image builds its static manifest without .env or SECRET_KEY (dry run: no files written).
    result = _run(["collectstatic", "--noinput", "--dry-run"], DEBUG="0", STATIC_MANIFEST="1")
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
def test_healthz_is_exempt_from_the_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code in (200, 503)
    assert client.get("/tai-khoan/dang-nhap/").status_code == 301
