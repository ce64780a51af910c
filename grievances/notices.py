"""Notifications of grievances: overdue ones reach the commune's officials and the
district's officers (the assignment itself is notified when the grievance is created)."""

import datetime

from phocap.accounts.models import Role
from phocap.accounts.scoping import officers_of
from phocap.notifications.services import notify

from .models import Grievance
from .services import notice_params


def scan(*, today: datetime.date) -> int:
    late = list(Grievance.objects.overdue(today).select_related("commune"))
    units = {g.commune_id for g in late} | {g.commune.parent_id for g in late}
    officers = officers_of(units, roles=[Role.COMMUNE_OFFICIAL, Role.DISTRICT_OFFICER])
    sent = 0
    for g in late:
        users = officers.get(g.commune_id, []) + officers.get(g.commune.parent_id, [])
        sent += notify(users=users, kind="grievance_overdue", key=f"grievance_overdue:{g.pk}",
                       params=notice_params(g), url=g.get_absolute_url())
    return sent
