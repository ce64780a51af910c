"""Notifications of distribution (run by phocap.notifications' scan; idempotent by key)."""

import datetime

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from phocap.accounts.scoping import officers_of
from phocap.notifications.services import notify

from .models import Batch

# Dispatches older than this when the scan first sees them are not announced (a new
# installation does not flood officers with old batches).
RECENT_DAYS = 30


def scan(*, today: datetime.date) -> int:
    now = timezone.now()
    open_batches = list(Batch.objects.filter(status=Batch.Status.DISPATCHED,
                                             dispatched_at__gte=now - datetime.timedelta(days=RECENT_DAYS))
                        .select_related("from_unit", "to_unit").annotate(n_lines=Count("lines")))
    late = now - datetime.timedelta(days=settings.PHOCAP_BATCH_CONFIRM_DAYS)
    officers = officers_of({b.to_unit_id for b in open_batches} | {b.from_unit_id for b in open_batches})
    sent = 0
    for b in open_batches:
        params = {"number": b.number, "from_unit": b.from_unit.full_name, "to_unit": b.to_unit.full_name,
                  "devices": b.n_lines, "dispatched": f"{timezone.localtime(b.dispatched_at):%d/%m/%Y}"}
        url = b.get_absolute_url()
        sent += notify(users=officers.get(b.to_unit_id, []), kind="batch_dispatched", key=f"batch_dispatched:{b.pk}",
                       params=params, url=url)
        if b.dispatched_at <= late:
            sent += notify(users=officers.get(b.to_unit_id, []) + officers.get(b.from_unit_id, []),
                           kind="batch_unconfirmed", key=f"batch_unconfirmed:{b.pk}", params=params, url=url)
    return sent
