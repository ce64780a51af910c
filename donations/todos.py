"""What waits for province and district staff in the fund: overdue pledges."""

from django.urls import reverse
from django.utils.translation import ngettext

from phocap.accounts.models import Role
from phocap.notifications.agenda import Todo

from .models import Pledge


def todos(user) -> list[Todo]:
    rows = list(Pledge.objects.for_user(user, roles=[Role.PROVINCE_STAFF, Role.DISTRICT_OFFICER]).overdue()
                .values_list("programme_id", flat=True))
    if not rows:
        return []
    n = len(rows)
    return [Todo(ngettext("%(n)s cam kết quá hạn", "%(n)s cam kết quá hạn", n) % {"n": n}, n,
                 reverse("donations:pledge_overdue", args=[rows[0]]))]
