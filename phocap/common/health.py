"""Readiness of every part production needs; /healthz and `manage.py health` report it."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from . import heartbeat

# A heartbeat older than this means the process is gone (it writes every 30 s).
STALE_AFTER = timedelta(seconds=120)
COMPONENTS = ("database", "migrations", "cache", "broker", "worker", "beat")

# Migrations never become unapplied while a process runs: once all are applied, stop asking.
_migrations_done = False


def _error(exc: Exception) -> str:
    return f"error: {exc.__class__.__name__}"


def _database() -> str:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _migrations() -> str:
    global _migrations_done
    if _migrations_done:
        return "ok"
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        return f"error: {len(pending)} unapplied"
    _migrations_done = True
    return "ok"


def _cache() -> str:
    cache.set("phocap:healthz", 1, timeout=10)
    if cache.get("phocap:healthz") != 1:
        raise RuntimeError("cache did not keep a value")
    return "ok"


def _broker() -> str:
    from phocap.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


def _fresh(stamp: str | None, now: datetime) -> str:
    if stamp is None:
        return "error: never seen"
    if now - datetime.fromisoformat(stamp) > STALE_AFTER:
        return "error: stale"
    return "ok"


def check(only: tuple[str, ...] = COMPONENTS) -> tuple[dict, bool]:
    """Return ({component: "ok" | "eager" | "error: …", …, "worker_last_seen", …}, all_ok)."""
    status: dict = {}
    eager = not settings.CELERY_BROKER_URL
    probes = {"database": _database, "migrations": _migrations, "cache": _cache, "broker": _broker}
    for name, probe in probes.items():
        if name not in only:
            continue
        if name == "broker" and eager:
            status[name] = "eager"
            continue
        try:
            status[name] = probe()
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
            status[name] = _error(exc)
    now = timezone.now()
    for kind in heartbeat.KINDS:
        if kind not in only:
            continue
        if eager:
            status[kind] = "eager"
            continue
        try:
            seen = heartbeat.last_seen(kind)
        except Exception as exc:  # noqa: BLE001
            status[kind] = _error(exc)
            continue
        status[f"{kind}_last_seen"] = seen
        status[kind] = _fresh(seen, now)
    ok = all(not str(status[name]).startswith("error") for name in COMPONENTS if name in status)
    status["status"] = "ok" if ok else "error"
    return status, ok
