"""What waits for a commune official in the registry: checked imports to confirm."""

from django.utils.translation import ngettext

from phocap.accounts.models import Role
from phocap.notifications.agenda import Todo

from .models import ImportJob


def todos(user) -> list[Todo]:
    jobs = list(ImportJob.objects.writable_by(user, roles=[Role.COMMUNE_OFFICIAL])
                .filter(status=ImportJob.Status.VALIDATED).order_by("-pk").values_list("pk", flat=True)[:50])
    n = len(jobs)
    if not n:
        return []
    from django.urls import reverse

    return [Todo(ngettext("%(n)s lượt nhập danh sách hộ chờ xác nhận", "%(n)s lượt nhập danh sách hộ chờ xác nhận",
                          n) % {"n": n}, n, reverse("beneficiaries:import_review", args=[jobs[0]]))]
