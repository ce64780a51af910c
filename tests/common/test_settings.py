"""Start-up configuration: production refuses to start half-configured."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(args, **env):
    clean = {k: v for k, v in os.environ.items()
             if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DATABASE_URL", "SECURE_SSL_REDIRECT",
                          "DJANGO_ALLOW_ASYNC_UNSAFE"}}
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
