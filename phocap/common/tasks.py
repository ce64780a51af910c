import logging

from celery import shared_task
from django.core.cache import cache
from django.db import transaction
from kombu.exceptions import OperationalError as KombuOperationalError

from . import heartbeat

HEARTBEAT_KEY = "phocap:worker:heartbeat"
log = logging.getLogger(__name__)


@shared_task
def worker_heartbeat_task(token: str = "") -> str:
    """Record that a worker ran a task from the queue; CI proves the worker with it."""
    stamp = heartbeat.record("worker")
    cache.set(HEARTBEAT_KEY, {"at": stamp, "token": token}, timeout=None)
    return stamp


@shared_task
def backup_task() -> str:
    """Nightly backup (beat): the database and the uploads into BACKUP_ROOT."""
    from django.conf import settings

    from .backup import backup

    return str(backup(keep=settings.BACKUP_KEEP))


@shared_task
def background_jobs_recover_task() -> dict:
    """Beat, every 2 minutes: jobs of every BackgroundJob kind never queued or whose worker
    died (phocap.common.jobs)."""
    from .jobs import background_jobs_recover

    return background_jobs_recover()


# Raised by apply_async when the broker cannot be reached (Redis down, network).
BROKER_DOWN = (KombuOperationalError, ConnectionError, OSError)


def enqueue(task, *args, countdown: float | None = None) -> bool:
    """Queue `task`; False (logged, no exception) when the broker is down.

    Callers run after their write committed: a queue outage must never turn a committed
    write into a 500. Jobs that were not queued are found and queued again by the
    recovery sweeps beat runs (`import_jobs_recover_task`, `background_jobs_recover_task`)."""
    try:
        task.apply_async(args=args, countdown=countdown)
    except BROKER_DOWN as exc:
        log.warning("enqueue_failed", extra={"task": task.name, "task_args": repr(args)[:200],
                                             "error": exc.__class__.__name__})
        return False
    return True


def enqueue_on_commit(task, *args, countdown: float | None = None) -> None:
    transaction.on_commit(lambda: enqueue(task, *args, countdown=countdown))
