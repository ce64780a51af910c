"""What waits in grievances: open ones of the user's area, overdue ones counted apart."""

from django.urls import reverse
from django.utils.translation import ngettext

from phocap.accounts.models import WRITE_ROLES
from phocap.notifications.agenda import Todo

from .models import Grievance


def todos(user) -> list[Todo]:
    qs = Grievance.objects.for_user(user, roles=WRITE_ROLES)
    open_n = qs.open().count()
    if not open_n:
        return []
    late = qs.overdue().count()
    url = reverse("grievances:list")
    items = [Todo(ngettext("%(n)s phản ánh chờ xử lý", "%(n)s phản ánh chờ xử lý", open_n) % {"n": open_n},
                  open_n, url)]
    if late:
        items.append(Todo(ngettext("%(n)s phản ánh quá hạn", "%(n)s phản ánh quá hạn", late) % {"n": late}, late,
                          url + "?qua-han=1"))
    return items
