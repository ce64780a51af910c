"""Logs: one line per event, structured in production, a request id on each line,
and no traceback for an expected 403 or 404."""

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from phocap.common.logs import JsonFormatter, KeyValueFormatter, RequestIdFilter

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def lines():
    """Every line the production handler writes during the test, as parsed JSON."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


@pytest.mark.django_db
def test_one_request_line_with_the_request_id(client, users, lines):
    client.force_login(users.province)
    response = client.get(reverse("home"), HTTP_X_REQUEST_ID="proxy-abc123")
    assert response["X-Request-ID"] == "proxy-abc123"
    requests = [entry for entry in lines() if entry["logger"] == "phocap.request"]
    assert len(requests) == 1
    assert requests[0] | {"duration_ms": 0} == requests[0] | {
        "request_id": "proxy-abc123", "msg": "request", "method": "GET", "path": "/", "status": 200,
        "user_id": users.province.pk, "duration_ms": 0, "level": "INFO"}


@pytest.mark.django_db
def test_a_made_up_request_id_when_none_or_a_hostile_one_is_sent(client, lines):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nforged=1")
    assert response["X-Request-ID"] != "bad id\nforged=1" and len(response["X-Request-ID"]) == 16
    assert lines()[-1]["request_id"] == response["X-Request-ID"]


@pytest.mark.django_db
@pytest.mark.parametrize("status", [403, 404])
def test_expected_403_and_404_log_one_line_without_traceback(client, users, lines, caplog, status):
    client.force_login(users.auditor)  # auditors never import: 403
    url = reverse("beneficiaries:import_upload") if status == 403 else "/khong-co-trang-nay/"
    assert client.get(url).status_code == status
    written = lines()
    assert all("exc" not in entry for entry in written), written
    assert not [r for r in caplog.records if r.exc_info]
    assert [e["status"] for e in written if e["logger"] == "phocap.request"] == [status]
    assert not [e for e in written if e["logger"] == "django.request"]


@pytest.mark.django_db
def test_a_503_is_one_request_line(client, lines, monkeypatch):
    from phocap.common import health

    monkeypatch.setattr(health, "_database", lambda: (_ for _ in ()).throw(ConnectionError("db down")))
    assert client.get("/healthz").status_code == 503
    written = lines()
    assert [e["status"] for e in written if e["logger"] == "phocap.request"] == [503]
    assert not [e for e in written if e["logger"] == "django.request"]


def test_json_keeps_a_traceback_inside_its_one_line():
    record = logging.LogRecord("phocap", logging.ERROR, __file__, 1, "boom %s", ("x",), None)
    try:
        raise ValueError("bad")
    except ValueError:
        record.exc_info = sys.exc_info()
    RequestIdFilter().filter(record)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["msg"] == "boom x" and "ValueError: bad" in entry["exc"] and entry["request_id"] == "-"


def test_key_value_format_quotes_values_with_spaces():
    record = logging.LogRecord("phocap", logging.INFO, __file__, 1, "two words", (), None)
    record.path = "/a b"
    line = KeyValueFormatter().format(record)
    assert 'msg="two words"' in line and 'path="/a b"' in line and "request_id=-" in line


@pytest.mark.parametrize("debug", ["0", "1"])
def test_no_line_is_written_twice(debug):
    # Django's own console handler used to write every django.* line a second time.
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL"}}
    env.update(DEBUG=debug, SECRET_KEY="x" * 50, ALLOWED_HOSTS="testserver")
    code = ("import logging; logging.getLogger('django.request').error('once-a', extra={'status_code': 500}, exc_info=ValueError('x')); "
            "logging.getLogger('django.security.csrf').warning('once-b'); "
            "logging.getLogger('phocap.x').warning('once-c')")
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    for marker in ("once-a", "once-b", "once-c"):
        assert result.stderr.count(marker) == 1, result.stderr
    if debug == "0":
        for line in result.stderr.splitlines():
            json.loads(line)
