"""Every write to the registry.

Import pipeline (two phases, nothing written before the official confirms):
  import_job_create   store the file and its hash, queue validation
  import_job_validate read once, normalise, check against lookups loaded once, stage
                      the valid rows in a file under MEDIA_ROOT, store counts/errors
  import_job_confirm  the official confirms (optionally only the valid rows)
  import_job_merge    claim the job; `merge.merge_staged` re-resolves the staged rows against
                      the registry under the commune's row lock and writes them set-based (COPY / executemany,
                      UPDATE ... FROM a temp table), history rows included, in one transaction
Tasks claim a job with a conditional UPDATE (status X → Y returns 1) so a second
delivery of the same task does nothing.
"""

from __future__ import annotations

import datetime
import gc
import hashlib
import logging
import pickle  # noqa: S403 - staging files are written and read only by this module
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_update_with_history

from phocap.accounts.models import User
from phocap.areas.models import AdminUnit
from phocap.common import jobs, messages
from phocap.common.errors import DomainError
from phocap.common.locking import locked
from phocap.common.tasks import enqueue, enqueue_on_commit
from phocap.common.text import fold
from phocap.common.updates import require_editable

from .citizen_ids import require_valid_id
from .errors import Code
from .imports import ImportFileError, column_labels, normalise_rows, read_book
from .merge import merge_staged, resolve, staging_fingerprint, staging_record
from .models import (
    Category,
    Household,
    ImportJob,
    Person,
    priority_rank_for,
)
from .signals import send_households_changed

log = logging.getLogger(__name__)

ERRORS_KEPT_ON_JOB = 1000
# A running phase renews its lease (heartbeat_at) at least every few thousand rows.
JOB_LEASE = datetime.timedelta(minutes=10)
# A job not picked up this long after it was created or confirmed was never queued.
QUEUE_GRACE = datetime.timedelta(minutes=2)
MAX_ATTEMPTS = 2


# ---- jobs --------------------------------------------------------------------------


@contextmanager
def _gc_paused():
    """The pipeline builds ~10 objects per row; CPython's cyclic collector would rescan
    them all again and again (quadratic in practice: 53 s instead of 7 s for 100k rows).
    Nothing here makes reference cycles, so pause it for the duration."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _claim(job_id: int, from_status: str, to_status: str) -> bool:
    """Move the job forward only if nobody else did (phocap.common.jobs.claim: starts the
    phase's lease and counts an attempt)."""
    assert to_status in ImportJob.ALLOWED_TRANSITIONS[from_status]
    return jobs.claim(ImportJob, job_id, from_status, to_status)


def _staging_file(job_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / "staging" / f"job-{job_id}.pickle"


@transaction.atomic
def import_job_create(*, commune: AdminUnit, data: bytes, filename: str, by: User | None = None,
                      skip_invalid: bool = False, queue: bool = True) -> ImportJob:
    """Store an uploaded file as a new job and queue its validation."""
    if commune.level != AdminUnit.Level.COMMUNE:
        raise DomainError(_("Chỉ nhập danh sách hộ cho một xã/phường."), code=Code.IMPORT_NOT_A_COMMUNE)
    digest = hashlib.sha256(data).hexdigest()
    job = ImportJob(commune=commune, created_by=by, original_name=(filename or "danh-sach.xlsx")[:255],
                    file_hash=digest, skip_invalid=skip_invalid)
    safe_name = Path(filename or "file.xlsx").name[-80:]
    job.file.save(f"{digest[:16]}-{safe_name}", ContentFile(data), save=False)
    job.save()
    if queue:
        from .tasks import import_job_validate_task

        enqueue_on_commit(import_job_validate_task, job.pk)
    return job


def previous_merge_of_same_file(job: ImportJob) -> ImportJob | None:
    return (ImportJob.objects.filter(commune=job.commune_id, file_hash=job.file_hash,
                                     status=ImportJob.Status.MERGED)
            .exclude(pk=job.pk).order_by("-merged_at").first())


def import_job_validate(*, job_id: int, error_file: bool = True) -> ImportJob:
    """Read and check every row; write nothing to the registry. Safe to run twice.
    With errors, `error_file` queues the annotated copy of the upload (written by the worker)."""
    with _gc_paused():
        job = _validate(job_id)
    if error_file and job.status == ImportJob.Status.VALIDATED and job.error_total:
        from .tasks import import_job_error_file_task

        transaction.on_commit(lambda: import_job_error_file_task.delay(job.pk))
    return job


def _validate(job_id: int) -> ImportJob:
    if not _claim(job_id, ImportJob.Status.UPLOADED, ImportJob.Status.VALIDATING):
        return ImportJob.objects.get(pk=job_id)
    job = ImportJob.objects.select_related("commune").get(pk=job_id)
    try:
        with job.file.open("rb") as f:
            data = f.read()
        book = read_book(data, job.original_name)
        total = book.rows
        ImportJob.objects.filter(pk=job_id).update(total_rows=total)

        def progress(n: int) -> None:
            ImportJob.objects.filter(pk=job_id).update(done_rows=min(n, total), heartbeat_at=timezone.now())

        staged, errors = normalise_rows(book, progress=progress)
        labels = column_labels(book.tables[0])
        header_row = book.tables[0].header_row
        sheet_order = {t.sheet: i for i, t in enumerate(book.tables)}
        sheets, conversions = book.sheets, book.conversions
        del book, data  # the raw grids are the biggest thing in memory: free them before the lookups
        plan = resolve(commune=job.commune, staged=staged, labels=labels)
    except ImportFileError as e:
        ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.VALIDATING).update(
            status=ImportJob.Status.FAILED, message=messages.stored(e), validated_at=timezone.now())
        return ImportJob.objects.get(pk=job_id)
    errors = sorted(errors + plan.errors, key=lambda e: (sheet_order.get(e.get("sheet", ""), 0), e["row"],
                                                         e["column"]))
    invalid_rows = len({(e.get("sheet", ""), e["row"]) for e in errors})
    path = _staging_file(job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        pickle.dump(staging_record(plan, fingerprint=staging_fingerprint(job.commune_id), errors=errors), f,
                    protocol=pickle.HIGHEST_PROTOCOL)
    ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.VALIDATING).update(
        status=ImportJob.Status.VALIDATED, staging_path=str(path), done_rows=total,
        created_count=len(plan.new), updated_count=len(plan.updates), unchanged_count=plan.unchanged,
        invalid_count=invalid_rows, errors=errors[:ERRORS_KEPT_ON_JOB], error_total=len(errors),
        new_villages=plan.new_villages, header_row=header_row, sheets=sheets, conversions=conversions,
        validated_at=timezone.now(), attempts=0)  # the merge phase gets its own attempts
    return ImportJob.objects.get(pk=job_id)


def import_job_give_up(*, job_id: int) -> None:
    """A validation that ran out of time: the job fails with a message (nothing was written)."""
    ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.VALIDATING).update(
        status=ImportJob.Status.FAILED, validated_at=timezone.now(),
        message=messages.encode(Code.IMPORT_TOO_SLOW))


def import_job_write_error_file(*, job_id: int) -> ImportJob:
    """The upload annotated with every problem, for the official to fix and upload again,
    once per language (`error_file_name` finds the reader's). Runs in the worker (it reads
    the upload again, through the same checks); the web process only serves a stored copy."""
    job = ImportJob.objects.get(pk=job_id)
    if job.error_file or job.status == ImportJob.Status.FAILED or not job.error_total:
        return job
    from .workbooks import annotated_bytes

    with job.file.open("rb") as f:
        data = f.read()
    languages = [code for code, _name in settings.LANGUAGES]
    try:
        contents = annotated_bytes(data=data, filename=job.original_name, errors=staged_errors(job),
                                   header_rows={s["name"]: s.get("header_row") for s in job.sheets if s["read"]},
                                   languages=tuple(languages))
    except ImportFileError as e:
        log.warning("import job %s: no error file (%s)", job_id, e)
        return job
    stem = Path(job.original_name).stem[:60] or "danh-sach"
    storage = job.error_file.storage
    main = job.error_file.field.generate_filename(job, f"{job.file_hash[:16]}-{stem}-loi.xlsx")
    main = storage.save(main, ContentFile(contents[settings.LANGUAGE_CODE]))
    for language in languages:
        if language != settings.LANGUAGE_CODE:
            other = error_file_name(main, language)
            if storage.exists(other):
                storage.delete(other)
            storage.save(other, ContentFile(contents[language]))
    # Set last, so a reader never finds the file of one language without the other's.
    ImportJob.objects.filter(pk=job_id).update(error_file=main)
    job.error_file.name = main
    return job


def error_file_name(name: str, language: str) -> str:
    """The stored error file in `language`: the default language's is the job's
    `error_file`, another's sits next to it as "<name>.<language>.xlsx"."""
    if language == settings.LANGUAGE_CODE:
        return name
    stem, _dot, ext = name.rpartition(".")
    return f"{stem}.{language}.{ext}"


def staged_errors(job: ImportJob) -> list[dict]:
    """Every problem of the job (the job row keeps only the first ones)."""
    if job.staging_path and Path(job.staging_path).exists():
        with open(job.staging_path, "rb") as f:
            return pickle.load(f)["errors"]  # noqa: S301 - our own staging file
    return list(job.errors)


@transaction.atomic
def import_job_confirm(*, job: ImportJob, by: User | None = None, skip_invalid: bool = False, queue: bool = True) -> ImportJob:
    """The official confirms the reviewed file; the merge runs in a task."""
    job = locked(ImportJob).get(pk=job.pk)
    if job.status != ImportJob.Status.VALIDATED:
        raise DomainError(_("Lượt nhập này không ở trạng thái chờ xác nhận (%(s)s).") % {
            "s": job.get_status_display()}, code=Code.IMPORT_NOT_AWAITING_CONFIRMATION)
    if job.invalid_count and not skip_invalid:
        raise DomainError(ngettext("File còn %(n)d dòng lỗi. Hãy sửa file rồi tải lên lại, hoặc chọn "
                                   "“chỉ nhập các dòng hợp lệ”.",
                                   "File còn %(n)d dòng lỗi. Hãy sửa file rồi tải lên lại, hoặc chọn "
                                   "“chỉ nhập các dòng hợp lệ”.", job.invalid_count) % {"n": job.invalid_count}, code=Code.IMPORT_HAS_INVALID_ROWS)
    job.skip_invalid = skip_invalid
    job.confirmed_at = timezone.now()  # the recovery sweep queues the merge again if it was lost
    job.save(update_fields=["skip_invalid", "confirmed_at"])
    if queue:
        from .tasks import import_job_merge_task

        enqueue_on_commit(import_job_merge_task, job.pk)
    return job


def import_job_merge(*, job_id: int) -> ImportJob:
    """Write the staged rows. All or nothing; a second delivery does nothing."""
    if not _claim(job_id, ImportJob.Status.VALIDATED, ImportJob.Status.MERGING):
        return ImportJob.objects.get(pk=job_id)
    job = ImportJob.objects.select_related("commune").get(pk=job_id)
    try:
        with _gc_paused():
            with open(job.staging_path, "rb") as f:
                staged = pickle.load(f)  # noqa: S301 - our own staging file
            counts = merge_staged(job, staged)
    except (DomainError, IntegrityError, OSError) as e:
        message = messages.stored(e) if isinstance(e, DomainError) else messages.encode(
            Code.IMPORT_DATA_CHANGED, e=type(e).__name__)
        log.warning("import job %s failed to merge: %s", job_id, e)
        ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.MERGING).update(
            status=ImportJob.Status.FAILED, message=message)
        return ImportJob.objects.get(pk=job_id)
    ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.MERGING).update(
        status=ImportJob.Status.MERGED, merged_at=timezone.now(), done_rows=job.total_rows, **counts)
    return ImportJob.objects.get(pk=job_id)


# ---- jobs that were never queued, or whose worker died -------------------------------

def import_jobs_recover(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Beat's sweep. A job still waiting for its task QUEUE_GRACE after it was created or
    confirmed (the broker was down then) is queued again; a job whose worker stopped
    renewing its lease (killed, out of memory) is put back one phase and queued again, or
    marked failed with a message after MAX_ATTEMPTS. Tasks claim jobs with a conditional
    UPDATE, so queueing a job twice does nothing twice."""
    from .tasks import import_job_merge_task, import_job_validate_task

    now = now or timezone.now()
    S = ImportJob.Status
    counts = {"requeued": 0, "failed": 0}
    # A phase whose worker died goes back one step (a merge is one transaction).
    _back, counts["failed"] = jobs.take_back_stale(
        ImportJob, phases={S.VALIDATING: S.UPLOADED, S.MERGING: S.VALIDATED}, now=now, reset={"done_rows": 0},
        lease=JOB_LEASE, max_attempts=MAX_ATTEMPTS,
        failed={"status": S.FAILED, "message": messages.encode(Code.IMPORT_STOPPED, n=MAX_ATTEMPTS)})
    waiting = now - QUEUE_GRACE
    for job_id in ImportJob.objects.filter(status=S.UPLOADED, created_at__lt=waiting).values_list("pk", flat=True):
        counts["requeued"] += enqueue(import_job_validate_task, job_id)
    for job_id in ImportJob.objects.filter(status=S.VALIDATED, confirmed_at__lt=waiting).values_list("pk", flat=True):
        counts["requeued"] += enqueue(import_job_merge_task, job_id)
    return counts



# ---- edits by officials --------------------------------------------------------------

EDITABLE = ("village", "code", "head_name", "head_citizen_id", "head_birth_year", "head_sex",
            "head_ethnicity", "members", "adults", "adults_without_phone", "phone", "address",
            "status", "notes")


@transaction.atomic
def household_update(*, household: Household, by: User | None = None,
                     categories: list[tuple[str, int | None]] | None = None, **changes) -> Household:
    """An official corrects a household; its head person and categories follow."""
    require_editable(changes, EDITABLE, what="household_update")
    data = changes
    household = locked(Household).get(pk=household.pk)
    # A key left out keeps the ID; an empty value clears it (the household keeps its code).
    cid = data.get("head_citizen_id", household.head_citizen_id) or None
    if cid:
        kind = require_valid_id(cid, birth_year=data.get("head_birth_year"), sex=data.get("head_sex") or "")
        owner = (Person.objects.filter(citizen_id=cid, is_active=True).exclude(household=household)
                 .select_related("household__commune").first())
        if owner and owner.household.commune_id != household.commune_id:
            # The commune only, never the person's name (no lookup oracle over the registry).
            raise DomainError(_("Số %(cid)s đã có trong danh sách của %(commune)s.") % {
                "cid": cid, "commune": owner.household.commune.full_name}, code=Code.CITIZEN_ID_IN_OTHER_COMMUNE)
        if owner:
            raise DomainError(_("Số %(cid)s đã thuộc %(name)s, hộ %(head)s trong xã.") % {
                "cid": cid, "name": owner.full_name, "head": owner.household.head_name}, code=Code.CITIZEN_ID_TAKEN)
    else:
        kind = ""
    village = data.get("village", household.village)
    if village is not None and village.parent_id != household.commune_id:
        raise DomainError(_("Thôn/bản phải thuộc xã của hộ."), code=Code.VILLAGE_NOT_IN_COMMUNE)
    for name in EDITABLE:
        if name in data:
            setattr(household, name, data[name])
    household.head_citizen_id = cid
    household.head_name_ascii = fold(household.head_name)[:120]
    if not household.code and not cid:
        raise DomainError(_("Hộ cần có mã hộ hoặc số CCCD của chủ hộ."), code=Code.HOUSEHOLD_NEEDS_CODE_OR_ID)
    if household.adults > household.members or household.adults_without_phone > household.adults:
        raise DomainError(_("Số người trưởng thành không được lớn hơn số nhân khẩu, và số người chưa có "
                            "ĐTTM không lớn hơn số người trưởng thành."), code=Code.HOUSEHOLD_COUNTS_INCONSISTENT)
    if categories is not None:
        if not categories:
            raise DomainError(_("Hộ cần ít nhất một diện (phân loại hộ)."), code=Code.HOUSEHOLD_NEEDS_CATEGORY)
        if any(c not in Category.values for c, _y in categories):
            raise DomainError(_("Diện hộ không hợp lệ."), code=Code.CATEGORY_INVALID)
        household.categories = {c: y for c, y in categories}
        household.priority_rank = priority_rank_for(household.categories)
    if household.code and Household.objects.filter(commune=household.commune_id, code=household.code).exclude(
            pk=household.pk).exists():
        raise DomainError(_("Mã hộ %(code)s đã có trong xã.") % {"code": household.code}, code=Code.HOUSEHOLD_CODE_TAKEN)
    household._history_user = by
    household.save()
    head = household.people.filter(is_head=True, is_active=True).first() or Person(
        household=household, is_head=True)
    head.full_name = household.head_name
    head.citizen_id = cid
    head.id_kind = kind
    head.birth_year = household.head_birth_year
    head.sex = household.head_sex
    head.save()
    send_households_changed({household.commune_id})
    return household


@transaction.atomic
def household_phones_changed(*, changes: list[dict]) -> None:
    """The registry follows hand-outs (the `phones_changed` event, see signals.py).

    +1: the member now has a smartphone and the household has one adult fewer without one
    (unless the member already had one: they were not counted). -1 (a reversal): the member
    no longer has one, unless they still hold another hand-out, and the household one adult
    more without one (never more than its adults). Households are locked in pk order and
    saved through the model, so the change lands in the household's history.
    """
    ids = sorted({c["household_id"] for c in changes})
    households = {h.pk: h for h in locked(Household.objects.filter(pk__in=ids))}
    changed = set()
    # A sync of many hand-outs: the members who lacked a smartphone are read and flipped in two
    # statements (under their households' locks) instead of one UPDATE each.
    lacking = None
    if len(changes) > 1 and all(c["delta"] > 0 for c in changes):
        gaining = {c["person_id"] for c in changes if c.get("person_id") is not None}
        lacking = set(Person.objects.filter(pk__in=gaining, has_smartphone=False).values_list("pk", flat=True))
        if lacking:
            Person.objects.filter(pk__in=lacking).update(has_smartphone=True)
    for change in changes:
        household, person_id = households.get(change["household_id"]), change.get("person_id")
        if household is None:
            continue
        before = household.adults_without_phone
        if change["delta"] > 0:
            if lacking is not None:
                lacked = person_id is None or person_id in lacking
                lacking.discard(person_id)
            else:
                # One conditional UPDATE: did the member lack a smartphone until now?
                lacked = person_id is None or Person.objects.filter(pk=person_id, has_smartphone=False).update(
                    has_smartphone=True) == 1
            if lacked:
                household.adults_without_phone = max(0, before - 1)
        else:
            # Read through the reverse relation by name: beneficiaries never imports distribution.
            if person_id is not None:
                if Person.objects.filter(pk=person_id, handouts__status="active").exists():
                    continue  # still holds another hand-out
                Person.objects.filter(pk=person_id).update(has_smartphone=False)
            household.adults_without_phone = min(household.adults, before + 1)
        if household.adults_without_phone != before:
            changed.add(household.pk)
    reason = messages.encode(Code.REASON_PHONE_HANDED_OUT if changes[-1]["delta"] > 0 else Code.REASON_PHONE_TAKEN_BACK)
    if len(changed) > 1:
        # Many households (a sync): one UPDATE and one INSERT of their history rows.
        now, rows = timezone.now(), [households[pk] for pk in sorted(changed)]
        for household in rows:
            household.updated_at, household._change_reason = now, reason
        bulk_update_with_history(rows, Household, ["adults_without_phone", "updated_at"],
                                 default_change_reason=reason)
        return
    for pk in changed:
        households[pk]._change_reason = reason
        households[pk].save(update_fields=["adults_without_phone", "updated_at"])
    # Coverage hears about it from the sender's own event, sent after this one on commit.


__all__ = ["import_job_create", "import_job_validate", "import_job_confirm", "import_job_merge",
           "household_update", "household_phones_changed", "households_rehome", "resolve", "staged_errors",
           "error_file_name"]


# --- re-homing (a programme carried onto the 2025 units) ---------------------------------

def households_rehome(*, moves: dict[int, tuple[int, int | None]], by=None, reason: str = "") -> int:
    """Move households to other communes/villages: {household id: (commune id, village id)}.
    The caller holds the transaction (the carry-over runs in one); rows are locked in pk
    order, each change is a history row with the reason, and coverage hears about the
    communes left and reached."""
    from simple_history.utils import bulk_update_with_history

    if not moves:
        return 0
    households = list(locked(Household.objects.filter(pk__in=list(moves))))
    touched: set[int] = set()
    for h in households:
        touched.add(h.commune_id)
        h.commune_id, h.village_id = moves[h.pk]
        touched.add(h.commune_id)
    bulk_update_with_history(households, Household, ["commune", "village"], batch_size=2000, default_user=by,
                             default_change_reason=reason or None)
    send_households_changed(touched)
    return len(households)
