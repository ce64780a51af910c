"""Notifications of coverage: a report the user asked for is ready (or failed)."""

import datetime

from django.urls import reverse
from django.utils import timezone

from phocap.notifications.services import notify

from .models import ReportJob

RECENT_DAYS = 7


def scan(*, today: datetime.date) -> int:
    since = timezone.now() - datetime.timedelta(days=RECENT_DAYS)
    sent = 0
    for job in (ReportJob.objects.filter(status__in=[ReportJob.Status.DONE, ReportJob.Status.FAILED],
                                         finished_at__gte=since, requested_by__isnull=False)
                .select_related("unit", "requested_by")):
        sent += notify(users=[job.requested_by], kind=f"report_{job.status}", key=f"report_{job.status}:{job.pk}",
                       params={"unit": job.unit.full_name},
                       url=reverse("coverage:report_detail", args=[job.pk]))
    return sent
