"""/healthz: every part production needs answers, or 503 names the one that does not."""

from datetime import timedelta

import pytest
from celery.signals import beat_init, worker_ready
from django.core.cache import cache
from django.utils import timezone

from phocap.common import health, heartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_mode(settings, monkeypatch):
    """Configured mode with a broker that answers (the probe itself is tested in CI's worker pass)."""
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    monkeypatch.setattr(health, "_broker", lambda: "ok")


def _age(kind, seconds):
    stamp = (timezone.now() - timedelta(seconds=seconds)).isoformat()
    cache.set(heartbeat.key(kind), {"at": stamp}, timeout=None)


def test_embedded_mode_is_healthy_without_worker_or_beat(client):
    data = client.get("/healthz").json()
    assert data["worker"] == data["beat"] == data["broker"] == "eager"
    assert data["migrations"] == "ok" and data["status"] == "ok"


def test_fresh_worker_and_beat_are_healthy(client, broker_mode):
    _age("worker", 5)
    _age("beat", 5)
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json()["worker"] == "ok" and response.json()["beat"] == "ok"


@pytest.mark.parametrize("kind", ["worker", "beat"], ids=["worker-process", "beat-process"])
def test_a_stale_or_missing_process_gives_503(client, broker_mode, kind):
    other = "beat" if kind == "worker" else "worker"
    _age(other, 5)
    cache.delete(heartbeat.key(kind))
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()[kind] == "error: never seen"
    _age(kind, 600)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()[kind] == "error: stale"


def test_unreachable_broker_gives_503(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    from phocap.celery import app

    previous = app.conf.broker_url
    app.conf.broker_url = settings.CELERY_BROKER_URL
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = previous
    assert response.status_code == 503 and response.json()["broker"].startswith("error")


def test_unapplied_migrations_give_503(client, monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(health, "_migrations_done", False)
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("x", False)])
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["migrations"] == "error: 1 unapplied"


def test_database_failure_gives_503(client, monkeypatch):
    def down():
        raise ConnectionError("db down")

    monkeypatch.setattr(health, "_database", down)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["database"] == "error: ConnectionError"


@pytest.mark.parametrize(("signal", "kind"), [(worker_ready, "worker"), (beat_init, "beat")])
def test_a_starting_worker_or_beat_beats_at_once(signal, kind, monkeypatch):
    started = []
    monkeypatch.setattr(heartbeat, "start", lambda k, *a, **kw: started.append(k) or heartbeat.record(k))
    cache.delete(heartbeat.key(kind))
    signal.send(sender=None)
    assert started == [kind] and heartbeat.last_seen(kind) is not None


def test_heartbeat_thread_records_and_survives_a_cache_outage(monkeypatch):
    calls = []

    def flaky(kind):
        calls.append(kind)
        if len(calls) == 1:
            raise ConnectionError("redis down")
        raise SystemExit  # stop the loop after the second beat

    monkeypatch.setattr(heartbeat, "record", flaky)
    with pytest.raises(SystemExit):
        heartbeat._loop("worker", 0)
    assert calls == ["worker", "worker"]


def test_health_command_exits_1_naming_the_failed_part(broker_mode, capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    cache.delete(heartbeat.key("beat"))
    with pytest.raises(CommandError):
        call_command("health", "beat")
    assert '"beat": "error: never seen"' in capsys.readouterr().out
    _age("beat", 1)
    call_command("health", "beat")
