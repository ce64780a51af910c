"""Notifications of the registry: an import the user started has finished (checked,
merged or failed). Run by phocap.notifications' scan; idempotent by key."""

import datetime

from django.urls import reverse
from django.utils import timezone

from phocap.notifications.services import notify

from .models import ImportJob

RECENT_DAYS = 7
_FINISHED = (ImportJob.Status.VALIDATED, ImportJob.Status.MERGED, ImportJob.Status.FAILED)


def scan(*, today: datetime.date) -> int:
    since = timezone.now() - datetime.timedelta(days=RECENT_DAYS)
    sent = 0
    for job in (ImportJob.objects.filter(status__in=_FINISHED, created_at__gte=since, created_by__isnull=False)
                .select_related("commune", "created_by")):
        # A job is announced when checked and again when merged (or failed).
        sent += notify(users=[job.created_by], kind=f"import_{job.status}", key=f"import_{job.status}:{job.pk}",
                       params={"file": job.original_name, "commune": job.commune.full_name}, url=reverse("beneficiaries:import_review", args=[job.pk]))
    return sent
