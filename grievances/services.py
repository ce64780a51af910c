"""Writes of grievances: recorded by a commune official, sent by a citizen, handled."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phocap.accounts.models import Role
from phocap.accounts.scoping import can_write_unit, is_officer_of, officers_of
from phocap.common.errors import DomainError
from phocap.common.locking import locked
from phocap.notifications.kinds import choice
from phocap.notifications.services import notify

from .errors import Code
from .models import Grievance


def _check(*, programme, commune, kind: str, description: str) -> None:
    if commune.level != "commune" or not commune.is_within(programme.province):
        raise DomainError(_("Xã này không thuộc chương trình."), code=Code.COMMUNE_OUTSIDE_PROGRAMME)
    if kind not in Grievance.Kind.values:
        raise DomainError(_("Loại phản ánh không hợp lệ."), code=Code.KIND_INVALID)
    if not description.strip():
        raise DomainError(_("Cần ghi nội dung phản ánh."), code=Code.DESCRIPTION_REQUIRED)


def _create(**values) -> Grievance:
    today = timezone.localdate()
    grievance = Grievance.objects.create(
        received_on=today, deadline=today + datetime.timedelta(days=settings.PHOCAP_GRIEVANCE_DAYS), **values)
    # The commune's officials are told at once; the scan tells them again when it is overdue.
    officials = officers_of([grievance.commune_id], roles=[Role.COMMUNE_OFFICIAL]).get(grievance.commune_id, [])
    notify(users=officials, kind="grievance_assigned", key=f"grievance_assigned:{grievance.pk}",
           params=notice_params(grievance), url=grievance.get_absolute_url())
    return grievance


def notice_params(g: Grievance) -> dict:
    # The kind as its code: the notification is labelled in the reader's language.
    return {"commune": g.commune.full_name, "kind": choice(Grievance, "kind", g.kind), "due": f"{g.deadline:%d/%m/%Y}"}


@transaction.atomic
def grievance_record(*, programme, commune, kind: str, description: str, by, reporter_name: str = "",
                     reporter_phone: str = "", household=None) -> Grievance:
    """A commune official records a grievance received in person or by phone."""
    _check(programme=programme, commune=commune, kind=kind, description=description)
    if not is_officer_of(by, commune, roles=[Role.COMMUNE_OFFICIAL]):
        raise DomainError(_("Chỉ cán bộ xã %(unit)s được ghi nhận phản ánh của xã.") % {"unit": commune.name},
                          code=Code.NOT_COMMUNE_OFFICIAL)
    if household is not None and household.commune_id != commune.pk:
        raise DomainError(_("Hộ này không thuộc xã %(unit)s.") % {"unit": commune.name}, code=Code.NOT_IN_AREA)
    return _create(programme=programme, commune=commune, kind=kind, description=description.strip(),
                   source=Grievance.Source.OFFICIAL, reporter_name=reporter_name.strip(),
                   reporter_phone=reporter_phone.strip(), household=household, recorded_by=by)


@transaction.atomic
def grievance_submit_public(*, programme, commune, kind: str, description: str, reporter_name: str = "",
                            reporter_phone: str = "") -> Grievance:
    """A citizen's grievance from the public page (no account). Throttled by the view."""
    _check(programme=programme, commune=commune, kind=kind, description=description)
    return _create(programme=programme, commune=commune, kind=kind, description=description.strip(),
                   source=Grievance.Source.PUBLIC, reporter_name=reporter_name.strip(),
                   reporter_phone=reporter_phone.strip())


@transaction.atomic
def grievance_handle(*, grievance: Grievance, by, outcome: str) -> Grievance:
    """The commune (or an officer above it) records how the grievance was handled."""
    grievance = locked(Grievance.objects.select_related("commune")).get(pk=grievance.pk)
    if not can_write_unit(by, grievance.commune):
        raise DomainError(_("Bạn không phụ trách xã của phản ánh này."), code=Code.NOT_IN_AREA)
    if not grievance.can_transition_to(Grievance.Status.HANDLED):
        raise DomainError(_("Phản ánh này đã được xử lý."), code=Code.ALREADY_HANDLED)
    if not outcome.strip():
        raise DomainError(_("Cần ghi kết quả xử lý."), code=Code.OUTCOME_REQUIRED)
    grievance.status = Grievance.Status.HANDLED
    grievance.outcome = outcome.strip()
    grievance.handled_at = timezone.now()
    grievance.handled_by = by
    grievance._history_user = by
    grievance.save(update_fields=["status", "outcome", "handled_at", "handled_by"])
    return grievance
