"""Background jobs: a file (or any result) built by a Celery task, with progress, a lease
and a recovery sweep. One base for every job of that shape, and the lease helpers that
jobs of another shape (the household import's two phases) use too.

A job kind is a model and a task:

    class ThingJob(BackgroundJob):
        UPLOAD_TO = "things/%Y/%m/"                    # where its files go
        BUILD_TASK = "myapp.tasks.thing_job_build_task"  # queued again by the sweep
        requested_by = models.ForeignKey(...)          # whatever the job is about
        class Meta(BackgroundJob.Meta):
            verbose_name = ...

    @shared_task(acks_late=True)
    def thing_job_build_task(job_id):
        run_job(ThingJob, job_id, build)   # build(job, progress) -> (filename, bytes)

and `ThingJob.objects.create(...)` + `enqueue_on_commit(thing_job_build_task, job.pk)` in
its create service. The sweep (`background_jobs_recover_task`, beat every 2 minutes)
finds every concrete subclass by itself: a job still queued after QUEUE_GRACE (the
broker was down when asked) is queued again; a running job whose lease (`heartbeat_at`,
renewed by `progress`) is older than LEASE is queued again once, then failed with a
message. The task claims the job with a conditional UPDATE (queued → running), so a
second delivery, or a job queued twice, is built once.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable

from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .tasks import enqueue
from .transitions import StatusTransitionsMixin

logger = logging.getLogger(__name__)

LEASE = datetime.timedelta(minutes=10)
QUEUE_GRACE = datetime.timedelta(minutes=2)
MAX_ATTEMPTS = 2


def job_file_path(instance, filename: str) -> str:
    """`upload_to` of every job's file: the kind's UPLOAD_TO (strftime pattern) + the name."""
    return timezone.now().strftime(instance.UPLOAD_TO) + filename


class JobStatus(models.TextChoices):
    QUEUED = "queued", gettext_lazy("Đang chờ")
    RUNNING = "running", gettext_lazy("Đang tạo")
    DONE = "done", gettext_lazy("Hoàn thành")
    FAILED = "failed", gettext_lazy("Lỗi")


class BackgroundJob(StatusTransitionsMixin, models.Model):
    """Abstract: status, progress, file, error, the requester's language and the lease."""

    Status = JobStatus
    ALLOWED_TRANSITIONS = {
        JobStatus.QUEUED: {JobStatus.RUNNING, JobStatus.FAILED},
        JobStatus.RUNNING: {JobStatus.DONE, JobStatus.FAILED, JobStatus.QUEUED},  # QUEUED: its worker died
        JobStatus.DONE: set(),
        JobStatus.FAILED: set(),
    }
    UPLOAD_TO = "jobs/%Y/%m/"
    BUILD_TASK = ""  # dotted path of the task that builds a job from its id
    STOPPED_MESSAGE = gettext_lazy("Việc tạo tệp bị dừng giữa chừng %(n)d lần; hãy tạo lại.")

    status = models.CharField(gettext_lazy("trạng thái"), max_length=8, choices=JobStatus.choices,
                              default=JobStatus.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    file = models.FileField(gettext_lazy("tệp"), upload_to=job_file_path, blank=True)
    error = models.TextField(gettext_lazy("lỗi"), blank=True)
    # The requester's language: the file is written in it, also when the sweep queues it again.
    language = models.CharField(max_length=8, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Lease of a running build, renewed by its progress.
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(condition=Q(rows_done__lte=F("rows_total")), name="%(class)s_progress_bounded"),
            models.CheckConstraint(condition=~Q(status="done") | ~Q(file=""), name="%(class)s_done_has_file"),
        ]

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return int(self.rows_done * 100 / self.rows_total) if self.rows_total else 0

    @classmethod
    def build_task(cls):
        return import_string(cls.BUILD_TASK)

    @classmethod
    def recover(cls, *, now: datetime.datetime | None = None) -> dict[str, int]:
        """This kind's part of the sweep (see the module's docstring)."""
        now = now or timezone.now()
        S = JobStatus
        counts = {"requeued": 0, "failed": 0}
        with translation.override(settings.LANGUAGE_CODE):  # the sweep has no reader
            message = str(cls.STOPPED_MESSAGE) % {"n": MAX_ATTEMPTS}
        retried, counts["failed"] = take_back_stale(
            cls, phases={S.RUNNING: S.QUEUED}, now=now, reset={"rows_done": 0},
            failed={"status": S.FAILED, "finished_at": now, "error": message})
        counts["requeued"] += len(retried)
        # Taken back, or still waiting since it was asked for: queue (again). Requeued
        # stale jobs count once even when both apply.
        waiting = set(cls.objects.filter(status=S.QUEUED, created_at__lt=now - QUEUE_GRACE)
                      .values_list("pk", flat=True)) - set(retried)
        task = cls.build_task()
        for job_id in [*retried, *sorted(waiting)]:
            queued = enqueue(task, job_id)
            if job_id in waiting:
                counts["requeued"] += queued
        return counts


def job_kinds() -> list[type[BackgroundJob]]:
    """Every concrete BackgroundJob model: what the sweep looks after."""
    return [m for m in apps.get_models() if issubclass(m, BackgroundJob) and not m._meta.abstract]


def background_jobs_recover(*, now: datetime.datetime | None = None) -> dict[str, dict[str, int]]:
    return {model._meta.label: model.recover(now=now) for model in job_kinds()}


# --- lease helpers (also used by jobs of another shape) -----------------------------------

def claim(model, job_id: int, from_status: str, to_status: str, **updates) -> bool:
    """Move a job from one status to the next with a conditional UPDATE: only the first of
    two deliveries gets True. The phase starts its lease and counts an attempt."""
    now = timezone.now()
    return model.objects.filter(pk=job_id, status=from_status).update(
        status=to_status, heartbeat_at=now, attempts=F("attempts") + 1, **updates) == 1


def take_back_stale(model, *, phases: dict[str, str], now: datetime.datetime, failed: dict,
                    reset: dict | None = None, lease: datetime.timedelta = LEASE,
                    max_attempts: int = MAX_ATTEMPTS) -> tuple[list[int], int]:
    """Jobs in a running phase (a key of `phases`) whose lease expired: put back to the
    phase's value (with `reset`) if they have attempts left, else updated with `failed`.
    Returns (ids put back, how many failed). Each update re-checks its condition, so a
    worker that renews its lease meanwhile keeps its job."""
    stale = now - lease
    back_ids, failed_n = [], 0
    for job_id, phase in model.objects.filter(status__in=list(phases), heartbeat_at__lt=stale).values_list(
            "pk", "status"):
        still = model.objects.filter(pk=job_id, status=phase, heartbeat_at__lt=stale)
        if still.filter(attempts__lt=max_attempts).update(status=phases[phase], **(reset or {})):
            back_ids.append(job_id)
        else:
            failed_n += still.update(**failed)
        logger.warning("job_stale", extra={"job": model._meta.label, "job_id": job_id, "phase": phase,
                                           "retried": job_id in back_ids})
    return back_ids, failed_n


def progress_updater(model, job_id: int) -> Callable[[int, int], None]:
    """progress(done, total): stores the progress and renews the lease."""
    def progress(done: int, total: int) -> None:
        model.objects.filter(pk=job_id).update(rows_done=min(done, total), rows_total=total,
                                               heartbeat_at=timezone.now())
    return progress


def run_job(model, job_id: int, build: Callable, *, language: str | None = None):
    """Claim the job (queued → running), call `build(job, progress)` → (filename, bytes) in
    the requester's language, save the file and mark it done; an exception marks it failed
    with its message. Returns the job, or None when another delivery had claimed it."""
    if not claim(model, job_id, JobStatus.QUEUED, JobStatus.RUNNING, started_at=timezone.now()):
        return None
    job = model.objects.get(pk=job_id)
    with translation.override(job.language or language or settings.LANGUAGE_CODE):
        try:
            name, data = build(job, progress_updater(model, job_id))
            job.refresh_from_db(fields=["rows_done", "rows_total"])
            job.file.save(name, ContentFile(data), save=False)
            job.status, job.finished_at = JobStatus.DONE, timezone.now()
            job.rows_done = job.rows_total
            job.save(update_fields=["file", "status", "finished_at", "rows_done"])
        except Exception as exc:
            logger.exception("%s %s failed", model._meta.label, job_id)
            model.objects.filter(pk=job_id).update(status=JobStatus.FAILED, error=str(exc)[:2000] or _("Lỗi"),
                                                   finished_at=timezone.now())
            job.refresh_from_db()
    return job


def requester_language() -> str:
    """The language of the page that asks for a job (stored on the job)."""
    return translation.get_language() or settings.LANGUAGE_CODE
