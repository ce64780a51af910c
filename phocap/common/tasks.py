from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from . import heartbeat

HEARTBEAT_KEY = "phocap:worker:heartbeat"


@shared_task
def worker_heartbeat_task(token: str = "") -> str:
    """Record that a worker ran a task from the queue; CI proves the worker with it."""
    stamp = timezone.now().isoformat()
    cache.set(HEARTBEAT_KEY, {"at": stamp, "token": token}, timeout=None)
    heartbeat.record("worker")
    return stamp


@shared_task
def backup_task() -> str:
    """Nightly backup (beat): the database and the uploads into BACKUP_ROOT."""
    from django.conf import settings

    from .backup import backup

    return str(backup(keep=settings.BACKUP_KEEP))
