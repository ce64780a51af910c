"""Heartbeats of the Celery worker and beat, kept in the cache for /healthz.

Each process writes its own heartbeat when it starts (celery's ``worker_ready`` and
``beat_init`` signals) and then every HEARTBEAT_INTERVAL_S from a daemon thread, so
/healthz knows about a fresh worker at once instead of after beat's first schedule.
"""

import logging
import os
import socket
import threading
import time

from django.core.cache import cache
from django.utils import timezone

log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL_S = 30
KINDS = ("worker", "beat")


def key(kind: str) -> str:
    return f"phocap:heartbeat:{kind}"


def record(kind: str) -> str:
    stamp = timezone.now().isoformat()
    cache.set(key(kind), {"at": stamp, "host": socket.gethostname(), "pid": os.getpid()}, timeout=None)
    return stamp


def last_seen(kind: str):
    beat = cache.get(key(kind))
    return beat["at"] if beat else None


def _loop(kind: str, interval: float) -> None:
    while True:
        try:
            record(kind)
        except Exception as exc:  # noqa: BLE001 - a cache outage must not kill the process
            log.warning("heartbeat_failed kind=%s error=%s", kind, exc.__class__.__name__)
        time.sleep(interval)


def start(kind: str, interval: float = HEARTBEAT_INTERVAL_S) -> threading.Thread:
    thread = threading.Thread(target=_loop, args=(kind, interval), name=f"phocap-{kind}-heartbeat",
                              daemon=True)
    thread.start()
    return thread
