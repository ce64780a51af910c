"""What waits for a user in distribution (home page)."""

from django.urls import reverse
from django.utils.translation import ngettext

from phocap.accounts.models import WRITE_ROLES
from phocap.accounts.scoping import memberships
from phocap.notifications.agenda import Todo

from .models import Batch


def todos(user) -> list[Todo]:
    units = [m.unit_id for m in memberships(user) if m.role in WRITE_ROLES]
    if not units:
        return []
    n = Batch.objects.filter(status=Batch.Status.DISPATCHED, to_unit_id__in=units).count()
    return [Todo(ngettext("%(n)s đợt chờ xác nhận", "%(n)s đợt chờ xác nhận", n) % {"n": n}, n,
                 reverse("distribution:batch_list"))]
