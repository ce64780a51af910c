"""The models whose changes the audit pages show, each with how it is scoped and how it
belongs to a programme (for the inspector's export).

The audit app sits at the left of the arrows (like coverage): it reads every app's
history tables and imports nothing back into them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from phocap.accounts.scoping import scope_queryset


@dataclass(frozen=True)
class Audited:
    key: str                       # in URLs: /nhat-ky/<key>/<pk>/
    model_path: str                # "app_label.Model"
    label: object                  # sheet and page title
    programme_q: Callable[[object], Q]  # rows of a programme (its province for the registry)

    @property
    def model(self) -> type[models.Model]:
        from django.apps import apps

        return apps.get_model(self.model_path)

    def for_user(self, user) -> models.QuerySet:
        if self.key == "membership":
            return scope_queryset(self.model.objects.all(), user, "unit")
        return self.model.objects.for_user(user)


def _programme(p) -> Q:
    return Q(programme=p)


AUDITED = {a.key: a for a in (
    Audited("household", "beneficiaries.Household", _("Hộ gia đình"),
            lambda p: Q(commune__path__startswith=p.province.path)),
    Audited("person", "beneficiaries.Person", _("Thành viên hộ"),
            lambda p: Q(household__commune__path__startswith=p.province.path)),
    Audited("donor", "donations.Donor", _("Nhà tài trợ"), lambda p: Q(unit__path__startswith=p.province.path)),
    Audited("pledge", "donations.Pledge", _("Cam kết"), _programme),
    Audited("donation", "donations.Donation", _("Tiền, máy nhận"), _programme),
    Audited("procurement", "donations.Procurement", _("Mua sắm"), _programme),
    Audited("batch", "distribution.Batch", _("Đợt bàn giao"), _programme),
    Audited("handout", "distribution.Handout", _("Cấp phát"), _programme),
    Audited("visit", "followup.Visit", _("Lần thăm lại"), _programme),
    Audited("grievance", "grievances.Grievance", _("Phản ánh"), _programme),
    Audited("membership", "accounts.Membership", _("Phân quyền"),
            lambda p: Q(unit__path__startswith=p.province.path)),
)}
