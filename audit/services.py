"""Writes of the audit app: the inspector's workbook as a background job."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phocap.accounts.scoping import can_access_unit
from phocap.common import jobs
from phocap.common.errors import DomainError
from phocap.common.tasks import enqueue_on_commit

from .errors import Code
from .models import InspectorJob


@transaction.atomic
def inspector_job_create(*, programme, by) -> InspectorJob:
    """Queue the programme's workbook. Only for those who cover the whole province (province
    staff, the province's auditors: reading is what inspectors do)."""
    if not can_access_unit(by, programme.province):
        raise DomainError(_("Chỉ người phụ trách cả tỉnh %(unit)s được tải hồ sơ kiểm tra.")
                          % {"unit": programme.province.name}, code=Code.INSPECTION_NOT_ALLOWED)
    job = InspectorJob.objects.create(programme=programme, requested_by=by, language=jobs.requester_language())
    from .tasks import inspector_job_build_task

    enqueue_on_commit(inspector_job_build_task, job.pk)
    return job


def inspector_job_build(*, job_id: int) -> InspectorJob | None:
    """Build the workbook (phocap.common.jobs.run_job: a second delivery does nothing)."""
    from . import exports

    def build(job, progress):
        job = InspectorJob.objects.select_related("programme__province").get(pk=job.pk)
        data = exports.inspector_workbook_bytes(programme=job.programme, progress=progress)
        return f"kiem-tra-{job.programme_id}-{timezone.localdate():%Y%m%d}.xlsx", data

    return jobs.run_job(InspectorJob, job_id, build)
