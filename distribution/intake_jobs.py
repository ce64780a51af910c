"""IMEI sheets at intake, as background jobs (the web process never parses an upload).

  intake_job_create    the official uploads a sheet for one source: checked against the
                       source (scope, programme), stored with its hash, validation queued
  intake_job_validate  the worker reads the sheet under the hostile-file checks, checks
                       every IMEI (format, Luhn, repeats, already registered), stores what it
                       found and a CSV of every problem; writes no device
  intake_job_confirm   the official reviewed the counts and confirms: the intake service
                       (`services.devices_register`) registers the phones, all or nothing
  intake_jobs_recover  beat's sweep: jobs never queued, or whose worker died, queued again
                       or failed with a message

Same status and lease fields as the household import (`beneficiaries.ImportJob`) and the
same lease helpers (`phocap.common.jobs.claim`, `take_back_stale`): a phase is claimed by a
conditional UPDATE that starts its lease (`heartbeat_at`) and counts an attempt, so a
redelivered task does nothing.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phocap.accounts.models import User
from phocap.accounts.scoping import can_write_unit
from phocap.common import jobs, messages
from phocap.common.errors import DomainError
from phocap.common.locking import locked
from phocap.common.spreadsheets import UnsafeFileError
from phocap.common.tasks import enqueue, enqueue_on_commit
from phocap.programmes.models import Programme

from . import imeis as imei_rules
from . import services
from .errors import Code
from .models import Device, IntakeJob

ERRORS_KEPT_ON_JOB = 200
REGISTERED_KEPT_ON_JOB = 200
# Reading a sheet is bounded to seconds (imeis.SHEET_LIMITS); a lease this long means the
# worker died.
JOB_LEASE = datetime.timedelta(minutes=5)
QUEUE_GRACE = datetime.timedelta(minutes=2)
MAX_ATTEMPTS = 2
EXTENSIONS = (".xlsx", ".xls", ".ods")


def _check_source(*, programme: Programme, donation, procurement, by: User):
    """The source's unit, refused as the intake service refuses it (before anything is stored)."""
    if (donation is None) == (procurement is None):
        raise DomainError(_("Chọn đúng một nguồn: một khoản ủng hộ hiện vật hoặc một đợt mua sắm."),
                          code=Code.SOURCE_NOT_ONE)
    source = donation or procurement
    if not can_write_unit(by, source.unit):
        raise services._user_unit_error(source.unit)
    services._check_in_programme(programme, source.unit)
    if source.programme_id != programme.pk:
        raise DomainError(_("Nguồn máy thuộc chương trình khác."), code=Code.SOURCE_OTHER_PROGRAMME)
    return source.unit


@transaction.atomic
def intake_job_create(*, programme: Programme, data: bytes, filename: str, by: User, donation=None,
                      procurement=None, model: str = "", condition: str = Device.Condition.NEW,
                      queue: bool = True) -> IntakeJob:
    """Store an uploaded IMEI sheet as a job and queue its reading. Only the name's
    extension and the size are looked at here."""
    unit = _check_source(programme=programme, donation=donation, procurement=procurement, by=by)
    if condition not in (Device.Condition.NEW, Device.Condition.USED):
        raise DomainError(_("Tình trạng máy khi nhập phải là mới hoặc đã qua sử dụng."),
                          code=Code.INTAKE_CONDITION_INVALID)
    if not (filename or "").lower().endswith(EXTENSIONS):
        raise DomainError(_("Tệp phải là Excel (.xlsx)."), code=Code.IMEI_SHEET_UNUSABLE)
    if len(data) > imei_rules.MAX_SHEET_BYTES:
        raise DomainError(_("Tệp IMEI quá lớn (tối đa %(mb)d MB).") % {"mb": imei_rules.MAX_SHEET_BYTES // 1_000_000},
                          code=Code.IMEI_SHEET_UNUSABLE)
    digest = hashlib.sha256(data).hexdigest()
    job = IntakeJob(programme=programme, unit=unit, source_donation=donation, source_procurement=procurement,
                    model=model or "", condition=condition, created_by=by,
                    original_name=(filename or "imei.xlsx")[:255], file_hash=digest)
    job.file.save(f"{digest[:16]}-{Path(filename or 'imei.xlsx').name[-80:]}", ContentFile(data), save=False)
    job.save()
    if queue:
        from .tasks import intake_job_validate_task

        enqueue_on_commit(intake_job_validate_task, job.pk)
    return job


def intake_job_validate(*, job_id: int) -> IntakeJob:
    """Read and check the sheet (worker only); write no device. Safe to run twice."""
    if not jobs.claim(IntakeJob, job_id, IntakeJob.Status.UPLOADED, IntakeJob.Status.VALIDATING):
        return IntakeJob.objects.get(pk=job_id)
    job = IntakeJob.objects.get(pk=job_id)
    try:
        with job.file.open("rb") as f:
            data = f.read(imei_rules.MAX_SHEET_BYTES + 1)
        lines = imei_rules.lines_from_sheet(data, job.original_name)
    except (UnsafeFileError, OSError) as e:
        if isinstance(e, UnsafeFileError):
            _fail(job_id, e.code, messages.stored(e))
        else:
            _fail(job_id, Code.IMEI_FILE_MISSING)
        return IntakeJob.objects.get(pk=job_id)
    del data
    imeis, problems = imei_rules.check_lines(lines)
    if not lines:
        _fail(job_id, Code.IMEI_NONE_FOUND)
        return IntakeJob.objects.get(pk=job_id)
    taken: list[str] = []
    for i in range(0, len(imeis), 5000):  # IN lists of a bounded size
        taken += Device.objects.filter(imei__in=imeis[i:i + 5000]).values_list("imei", flat=True)
    taken.sort()
    error_file = ""
    if problems:
        error_file = _write_error_file(job, problems)
    IntakeJob.objects.filter(pk=job_id, status=IntakeJob.Status.VALIDATING).update(
        status=IntakeJob.Status.VALIDATED, total_rows=len(lines), imeis=imeis,
        duplicate_count=sum(1 for p in problems if p["kind"] == "duplicate"),
        registered_before=taken[:REGISTERED_KEPT_ON_JOB], errors=problems[:ERRORS_KEPT_ON_JOB],
        error_total=len(problems), error_file=error_file, validated_at=timezone.now(), heartbeat_at=None,
        message=messages.encode(Code.IMEI_REGISTERED_BEFORE, n=len(taken)) if taken else "")
    return IntakeJob.objects.get(pk=job_id)


def _fail(job_id: int, code: str, stored: str = "", **params) -> None:
    """The job failed: its code, and the message stored as code + params (worded in the
    reader's language when shown)."""
    IntakeJob.objects.filter(pk=job_id, status=IntakeJob.Status.VALIDATING).update(
        status=IntakeJob.Status.FAILED, message=stored or messages.encode(code, **params), failure_code=code,
        validated_at=timezone.now(), heartbeat_at=None)


def _write_error_file(job: IntakeJob, problems: list[dict]) -> str:
    """Every problem ({"row", "kind", "code", "params"}) as JSON, written by the worker; the
    download words it as CSV in the reader's language without reading the upload."""
    stem = Path(job.original_name).stem[:60] or "imei"
    job.error_file.save(f"{job.file_hash[:16]}-{stem}-loi.json",
                        ContentFile(json.dumps(problems, ensure_ascii=False).encode()), save=False)
    return job.error_file.name


def error_rows(job: IntakeJob) -> list[dict]:
    """Every problem of the sheet (the job keeps only the first ones)."""
    if not job.error_file:
        return list(job.errors)
    with job.error_file.open("rb") as f:
        return json.load(f)


def intake_job_give_up(*, job_id: int) -> None:
    """A reading that ran out of time: the job fails with a message (nothing was written)."""
    _fail(job_id, Code.IMEI_READ_TOO_SLOW)


@transaction.atomic
def intake_job_confirm(*, job: IntakeJob, by: User) -> list[Device]:
    """The official confirms the reviewed sheet: the intake service registers its phones
    (every rule checked again there, all or nothing) and the job is done."""
    job = locked(IntakeJob).get(pk=job.pk)
    if job.status != IntakeJob.Status.VALIDATED:
        raise DomainError(_("Lượt nhập này không ở trạng thái chờ xác nhận (%(s)s).")
                          % {"s": job.get_status_display()}, code=Code.INTAKE_JOB_NOT_AWAITING)
    if job.error_total:
        raise DomainError(_("File còn %(n)s dòng lỗi; không máy nào được nhập. Hãy sửa file rồi tải lên lại.")
                          % {"n": job.error_total}, code=Code.IMEI_LIST_INVALID)
    devices = services.devices_register(
        programme=job.programme, unit=job.unit, imeis=list(job.imeis), by=by, donation=job.source_donation,
        procurement=job.source_procurement, model=job.model, condition=job.condition)
    job.status = IntakeJob.Status.REGISTERED
    job.registered_count = len(devices)
    job.registered_at = timezone.now()
    job.save(update_fields=["status", "registered_count", "registered_at"])
    return devices


def intake_jobs_recover(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Beat's sweep, as for the household import: a job still waiting for its task
    QUEUE_GRACE after upload (broker down) is queued again; a reading whose worker stopped
    (killed, out of memory) goes back to uploaded and is queued again, or fails with a
    message after MAX_ATTEMPTS."""
    from .tasks import intake_job_validate_task

    now = now or timezone.now()
    S = IntakeJob.Status
    counts = {"requeued": 0, "failed": 0}
    _back, counts["failed"] = jobs.take_back_stale(
        IntakeJob, phases={S.VALIDATING: S.UPLOADED}, now=now, lease=JOB_LEASE, max_attempts=MAX_ATTEMPTS,
        failed={"status": S.FAILED, "heartbeat_at": None, "validated_at": now,
                "failure_code": Code.IMEI_WORKER_STOPPED,
                "message": messages.encode(Code.IMEI_WORKER_STOPPED, n=MAX_ATTEMPTS)})
    # Retried jobs were created long ago, so they are queued here too.
    for job_id in IntakeJob.objects.filter(status=S.UPLOADED, created_at__lt=now - QUEUE_GRACE).values_list(
            "pk", flat=True):
        counts["requeued"] += enqueue(intake_job_validate_task, job_id)
    return counts
