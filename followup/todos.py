"""What waits for a digital technology team: recipients not yet visited."""

from django.urls import reverse
from django.utils.translation import ngettext

from phocap.accounts.models import Role
from phocap.accounts.scoping import user_roles
from phocap.notifications.agenda import Todo

from . import selectors


def todos(user) -> list[Todo]:
    if Role.DIGITAL_TEAM not in user_roles(user):
        return []
    n = selectors.recipients(user=user, not_visited=True).count()
    return [Todo(ngettext("%(n)s người nhận máy chưa được thăm lại", "%(n)s người nhận máy chưa được thăm lại",
                          n) % {"n": n}, n, reverse("followup:recipient_list") + "?chua-tham=1")]
