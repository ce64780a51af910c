"""Notifications of the fund: a pledge fell overdue → the officers of the unit following
it up. Run by phocap.notifications' scan; idempotent by key."""

import datetime

from phocap.accounts.scoping import officers_of
from phocap.notifications.services import notify

from .models import Pledge


def scan(*, today: datetime.date) -> int:
    pledges = list(Pledge.objects.overdue(today).select_related("donor"))
    officers = officers_of({p.unit_id for p in pledges})
    sent = 0
    for p in pledges:
        due = f"{p.due_date:%d/%m/%Y}" if p.due_date else ""
        sent += notify(users=officers.get(p.unit_id, []), kind="pledge_overdue", key=f"pledge_overdue:{p.pk}:{due}",
                       params={"donor": p.donor.name, "due": due}, url=p.get_absolute_url())
    return sent
