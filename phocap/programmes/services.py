"""Every write of a programme: its settings, status, targets and plans. History rows
(django-simple-history) carry the acting user and, for an extension or a reopening, the
reason; coverage hears about changed targets on commit."""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from phocap.areas.models import AdminUnit
from phocap.common import jobs, messages
from phocap.common.errors import DomainError
from phocap.common.limits import MAX_PHONE_PRICE_VND, require_at_most
from phocap.common.locking import locked

from .errors import Code
from .models import (
    ADULT_AGE,
    ALL_CATEGORIES,
    DEFAULT_PHONE_PRICE_VND,
    Programme,
    ProgrammeCommune,
    ProgrammePlan,
    TargetImportJob,
)
from .signals import targets_changed

# Settings a province officer edits on the programme page (the service checks them all).
EDITABLE_FIELDS = ("name", "province", "scheme", "start_date", "end_date", "default_phone_price_vnd",
                   "one_phone_per_adult", "eligible_categories", "min_age", "description")


def _check_commune(programme: Programme, commune: AdminUnit) -> None:
    if commune.level != AdminUnit.Level.COMMUNE or not commune.is_within(programme.province):
        raise DomainError(_("%(c)s không phải là xã/phường của %(p)s.") % {"c": commune, "p": programme.province},
                          code=Code.COMMUNE_OUTSIDE_PROVINCE)


def programme_check_settings(values: dict, *, exclude_pk: int | None = None) -> None:
    """The rules a programme's settings obey, for create and update alike."""
    province: AdminUnit = values["province"]
    if province.level != AdminUnit.Level.PROVINCE:
        raise DomainError(_("Chương trình phải gắn với một tỉnh/thành phố."), code=Code.PROVINCE_REQUIRED)
    if province.scheme != values["scheme"]:
        raise DomainError(_("%(p)s không có trong hệ thống đơn vị “%(s)s”; hãy chọn tỉnh của hệ thống đó.")
                          % {"p": province, "s": AdminUnit.Scheme(values["scheme"]).label},
                          code=Code.PROVINCE_NOT_IN_SCHEME)
    if values["default_phone_price_vnd"] is None or values["default_phone_price_vnd"] <= 0:
        raise DomainError(_("Đơn giá điện thoại phải lớn hơn 0."), code=Code.PRICE_NOT_POSITIVE)
    require_at_most(values["default_phone_price_vnd"], MAX_PHONE_PRICE_VND, _("Đơn giá điện thoại"))
    if values["end_date"] and values["end_date"] < values["start_date"]:
        raise DomainError(_("Ngày kết thúc phải sau ngày bắt đầu."), code=Code.END_BEFORE_START)
    categories = values["eligible_categories"]
    if not categories or any(c not in ALL_CATEGORIES for c in categories):
        raise DomainError(_("Chọn ít nhất một diện hộ được nhận máy."), code=Code.NO_ELIGIBLE_CATEGORY)
    if values["min_age"] is None or values["min_age"] < ADULT_AGE:
        raise DomainError(_("Người nhận máy phải từ %(n)s tuổi trở lên.") % {"n": ADULT_AGE}, code=Code.MIN_AGE_TOO_LOW)
    name = (values["name"] or "").strip()
    if not name:
        raise DomainError(_("Cần ghi tên chương trình."), code=Code.NAME_REQUIRED)
    taken = Programme.objects.filter(province=province, name=name)
    if exclude_pk:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise DomainError(_("Chương trình “%(n)s” đã có.") % {"n": name}, code=Code.PROGRAMME_NAME_TAKEN)


def _save_with_history(programme: Programme, *, by, reason: str = "", update_fields=None) -> None:
    programme._history_user = by
    programme._change_reason = reason or None
    programme.save(update_fields=update_fields)


@transaction.atomic
def programme_create(*, name: str, province: AdminUnit, start_date: datetime.date,
                     end_date: datetime.date | None = None, scheme: str | None = None,
                     default_phone_price_vnd: int = DEFAULT_PHONE_PRICE_VND,
                     one_phone_per_adult: bool = False, eligible_categories: list[str] | None = None,
                     min_age: int = ADULT_AGE, description: str = "",
                     status: str = Programme.Status.ACTIVE, by=None) -> Programme:
    values = {"name": name, "province": province, "scheme": scheme or province.scheme, "start_date": start_date,
              "end_date": end_date, "default_phone_price_vnd": default_phone_price_vnd,
              "one_phone_per_adult": one_phone_per_adult,
              "eligible_categories": list(eligible_categories or ALL_CATEGORIES), "min_age": min_age,
              "description": description}
    programme_check_settings(values)
    if status not in (Programme.Status.DRAFT, Programme.Status.ACTIVE):
        raise DomainError(_("Chương trình mới phải ở trạng thái đang soạn hoặc đang triển khai."),
                          code=Code.BAD_STATUS)
    values["name"] = name.strip()
    programme = Programme(**values, status=status)
    _save_with_history(programme, by=by)
    return programme


@transaction.atomic
def programme_update(*, programme: Programme, by, reason: str = "", **changes) -> Programme:
    """Change settings. Province and scheme change only while the programme is a draft with no
    targets; moving the end date of a running or closed programme needs a reason (it is an
    extension or a shortening, and the history keeps why)."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    programme = locked(Programme).get(pk=programme.pk)
    values = {f: getattr(programme, f) for f in EDITABLE_FIELDS}
    values.update(changes)
    changed = [f for f in EDITABLE_FIELDS if values[f] != getattr(programme, f)]
    if not changed:
        return programme
    if {"province", "scheme"} & set(changed) and (
            programme.status != Programme.Status.DRAFT or programme.targets.exists()):
        raise DomainError(_("Chỉ đổi tỉnh hoặc hệ thống đơn vị khi chương trình đang soạn và chưa có xã mục tiêu."),
                          code=Code.PROVINCE_LOCKED)
    reason = (reason or "").strip()
    if "end_date" in changed and programme.status != Programme.Status.DRAFT and not reason:
        raise DomainError(_("Đổi ngày kết thúc của chương trình đã triển khai cần ghi lý do."),
                          code=Code.REASON_REQUIRED)
    programme_check_settings(values, exclude_pk=programme.pk)
    values["name"] = values["name"].strip()
    for f in changed:
        setattr(programme, f, values[f])
    _save_with_history(programme, by=by, reason=reason, update_fields=changed)
    return programme


@transaction.atomic
def programme_extend(*, programme: Programme, end_date: datetime.date | None, reason: str, by) -> Programme:
    """Extend the programme to `end_date` (None: no end), with the reason kept in its history.
    A closed programme is reopened by `programme_set_status`."""
    programme = locked(Programme).get(pk=programme.pk)
    if not (reason or "").strip():
        raise DomainError(_("Gia hạn chương trình cần ghi lý do."), code=Code.REASON_REQUIRED)
    if end_date is not None and programme.end_date is not None and end_date <= programme.end_date:
        raise DomainError(_("Ngày kết thúc mới phải sau %(d)s.") % {"d": programme.end_date.strftime("%d/%m/%Y")},
                          code=Code.NOT_AN_EXTENSION)
    return programme_update(programme=programme, by=by, reason=reason, end_date=end_date)


@transaction.atomic
def programme_set_status(*, programme: Programme, status: str, by, reason: str = "") -> Programme:
    programme = locked(Programme).get(pk=programme.pk)
    if not programme.can_transition_to(status):
        raise DomainError(_("Không chuyển được chương trình từ “%(a)s” sang “%(b)s”.")
                          % {"a": programme.get_status_display(), "b": Programme.Status(status).label},
                          code=Code.BAD_STATUS)
    reason = (reason or "").strip()
    if programme.status == Programme.Status.CLOSED and not reason:
        raise DomainError(_("Mở lại chương trình đã kết thúc cần ghi lý do."), code=Code.REASON_REQUIRED)
    if status == Programme.Status.ACTIVE and not programme.targets.exists():
        raise DomainError(_("Chương trình cần ít nhất một xã mục tiêu trước khi triển khai."),
                          code=Code.NO_TARGETS)
    programme.status = status
    _save_with_history(programme, by=by, reason=reason, update_fields=["status"])
    return programme


def programme_fresh(programmes) -> dict[int, Programme]:
    """The programmes' status and dates as the database has them now (one query)."""
    return Programme.objects.only("name", "status", "start_date", "end_date").in_bulk([p.pk for p in programmes])


def programme_check_open(*, programme: Programme, on: datetime.date, fresh: Programme | None = None) -> None:
    """New batches and hand-outs happen only in an active programme, between its dates.
    Read from the database: the caller's object may predate a closure or an extension
    (`fresh`: already read by `programme_fresh` in this transaction, for a batch of writes)."""
    programme = fresh or programme_fresh([programme])[programme.pk]
    if programme.status == Programme.Status.DRAFT:
        raise DomainError(_("Chương trình “%(p)s” đang soạn, chưa triển khai; chưa bàn giao hay cấp phát được.")
                          % {"p": programme.name}, code=Code.PROGRAMME_DRAFT)
    if programme.status == Programme.Status.CLOSED:
        raise DomainError(_("Chương trình “%(p)s” đã kết thúc; không tạo đợt bàn giao hay cấp phát mới.")
                          % {"p": programme.name}, code=Code.PROGRAMME_CLOSED)
    if on < programme.start_date:
        raise DomainError(_("Chương trình “%(p)s” bắt đầu từ ngày %(d)s.")
                          % {"p": programme.name, "d": programme.start_date.strftime("%d/%m/%Y")},
                          code=Code.PROGRAMME_NOT_STARTED)
    if programme.end_date is not None and on > programme.end_date:
        raise DomainError(_("Chương trình “%(p)s” đã kết thúc ngày %(d)s; muốn tiếp tục, tỉnh cần gia hạn "
                            "chương trình (ghi lý do).")
                          % {"p": programme.name, "d": programme.end_date.strftime("%d/%m/%Y")},
                          code=Code.PROGRAMME_ENDED)


@transaction.atomic
def programme_set_target(*, programme: Programme, commune: AdminUnit, baseline_adults: int,
                         target_adults: int | None = None, by=None) -> ProgrammeCommune:
    _check_commune(programme, commune)
    if baseline_adults is None or baseline_adults < 0:
        raise DomainError(_("Số người lớn chưa có điện thoại không được âm."), code=Code.BASELINE_NEGATIVE)
    if target_adults is not None and target_adults < 0:
        raise DomainError(_("Chỉ tiêu không được âm."), code=Code.TARGET_NEGATIVE)
    target = ProgrammeCommune.objects.filter(programme=programme, commune=commune).first()
    if target is None:
        target = ProgrammeCommune(programme=programme, commune=commune)
    elif target.baseline_adults == baseline_adults and target.target_adults == target_adults:
        return target  # no change, no history row
    target.baseline_adults, target.target_adults = baseline_adults, target_adults
    target._history_user = by
    target.save()
    transaction.on_commit(
        lambda: targets_changed.send(sender=ProgrammeCommune, commune_ids={commune.pk}))
    return target


@transaction.atomic
def programme_remove_target(*, programme: Programme, commune: AdminUnit, by=None) -> None:
    target = ProgrammeCommune.objects.filter(programme=programme, commune=commune).first()
    if target is None:
        return
    target._history_user = by
    target.delete()
    transaction.on_commit(
        lambda: targets_changed.send(sender=ProgrammeCommune, commune_ids={commune.pk}))


@transaction.atomic
def programme_set_targets(*, programme: Programme, rows: list[tuple[AdminUnit, int, int | None]],
                          by=None) -> int:
    """Several targets at once (the Excel import's confirmation): all or nothing."""
    for commune, baseline, target in rows:
        programme_set_target(programme=programme, commune=commune, baseline_adults=baseline,
                             target_adults=target, by=by)
    return len(rows)


@transaction.atomic
def programme_add_plan(*, programme: Programme, number: str, issued_on: datetime.date | None = None,
                       title: str = "") -> ProgrammePlan:
    number = (number or "").strip()
    if not number:
        raise DomainError(_("Cần ghi số hiệu văn bản."), code=Code.PLAN_NUMBER_REQUIRED)
    plan, _created = ProgrammePlan.objects.update_or_create(
        programme=programme, number=number, defaults={"issued_on": issued_on, "title": title})
    return plan


@transaction.atomic
def programme_remove_plan(*, plan: ProgrammePlan) -> None:
    plan.delete()


# --- target lists from Excel -----------------------------------------------------------

@transaction.atomic
def target_import_create(*, programme: Programme, by, upload) -> TargetImportJob:
    """Store the upload; a task reads it (never the web process)."""
    from django.conf import settings

    if upload.size > settings.PHOCAP_MAX_UPLOAD_BYTES:
        raise DomainError(_("File quá lớn; tối đa %(max)d MB.") % {"max": settings.PHOCAP_MAX_UPLOAD_BYTES // 1_000_000},
                          code=Code.FILE_TOO_LARGE)
    job = TargetImportJob.objects.create(programme=programme, created_by=by, file=upload,
                                         original_name=(upload.name or "")[:255])
    from .tasks import target_import_validate_task

    transaction.on_commit(lambda: target_import_validate_task.delay(job.pk))
    return job


def target_import_validate(*, job_id: int) -> None:
    """Read the file into rows and errors; nothing else is written."""
    from phocap.common.grids import SpreadsheetError

    from .imports import read_targets

    if not jobs.claim(TargetImportJob, job_id, TargetImportJob.Status.UPLOADED, TargetImportJob.Status.VALIDATING):
        return
    job = TargetImportJob.objects.select_related("programme__province").get(pk=job_id)
    try:
        with job.file.open("rb") as fh:
            data = fh.read()
        rows, errors = read_targets(data, job.original_name, province=job.programme.province)
    except SpreadsheetError as e:
        # The reason as a code: the page words it in its reader's language.
        TargetImportJob.objects.filter(pk=job_id).update(status=TargetImportJob.Status.FAILED, message=e.stored)
        return
    TargetImportJob.objects.filter(pk=job_id).update(status=TargetImportJob.Status.VALIDATED, rows=rows,
                                                     errors=errors)


def target_imports_recover(*, now=None) -> dict[str, int]:
    """Beat's sweep, as for the household import: a list still waiting for its task after
    the queue's grace (broker down) is queued again; a reading whose worker stopped (killed,
    out of memory) goes back to uploaded and is queued again, or fails with a message after
    jobs.MAX_ATTEMPTS."""
    from django.utils import timezone

    from phocap.common.tasks import enqueue

    from .tasks import target_import_validate_task

    now = now or timezone.now()
    S = TargetImportJob.Status
    _back, failed = jobs.take_back_stale(
        TargetImportJob, phases={S.VALIDATING: S.UPLOADED}, now=now,
        failed={"status": S.FAILED, "message": messages.encode(Code.TARGET_IMPORT_STOPPED, n=jobs.MAX_ATTEMPTS)})
    requeued = sum(enqueue(target_import_validate_task, pk) for pk in TargetImportJob.objects.filter(
        status=S.UPLOADED, created_at__lt=now - jobs.QUEUE_GRACE).values_list("pk", flat=True))
    return {"requeued": requeued, "failed": failed}


@transaction.atomic
def target_import_apply(*, job: TargetImportJob, by) -> int:
    """The officer confirmed: every row becomes a target (all or nothing)."""
    job = locked(TargetImportJob.objects.select_related("programme__province")).get(pk=job.pk)
    if not job.can_apply:
        raise DomainError(_("Danh sách này không cập nhật được (đã cập nhật, còn lỗi hoặc chưa kiểm tra xong)."),
                          code=Code.IMPORT_NOT_APPLICABLE)
    programme = job.programme
    communes = AdminUnit.objects.in_bulk([r["commune_id"] for r in job.rows])
    rows = [(communes[r["commune_id"]], r["baseline"], r["target"]) for r in job.rows if r["commune_id"] in communes]
    programme_set_targets(programme=programme, rows=rows, by=by)
    from django.utils import timezone

    job.status = TargetImportJob.Status.APPLIED
    job.applied_at = timezone.now()
    job.save(update_fields=["status", "applied_at"])
    return len(rows)


@transaction.atomic
def programme_rehome(*, programme: Programme, province: AdminUnit, targets: list[tuple[int, int, int | None]],
                     by, reason: str) -> Programme:
    """Move a programme onto another scheme's province (the carry-over and its undo): its
    targets are replaced by `targets` [(commune id, baseline, target)], each change a history
    row with the reason. The caller checks the mapping; this keeps the rows consistent.
    NO KEY UPDATE: hand-outs inserted meanwhile (KEY SHARE through their foreign key) do not wait."""
    programme = locked(Programme, no_key=True).get(pk=programme.pk)
    old_ids = set(programme.targets.values_list("commune_id", flat=True))
    for t in programme.targets.all():
        t._history_user = by
        t._change_reason = reason
        t.delete()
    programme.province, programme.scheme = province, province.scheme
    _save_with_history(programme, by=by, reason=reason, update_fields=["province", "scheme"])
    communes = AdminUnit.objects.in_bulk([c for c, _b, _t in targets])
    for commune_id, baseline, target in targets:
        commune = communes[commune_id]
        _check_commune(programme, commune)
        row = ProgrammeCommune(programme=programme, commune=commune, baseline_adults=baseline, target_adults=target)
        row._history_user = by
        row._change_reason = reason
        row.save()
    ids = old_ids | set(communes)
    transaction.on_commit(lambda: targets_changed.send(sender=ProgrammeCommune, commune_ids=ids))
    return programme
