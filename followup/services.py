"""Writes of follow-up visits. Every visit goes through `visit_record`."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phocap.accounts.models import Role
from phocap.accounts.scoping import can_access_unit
from phocap.common.errors import DomainError
from phocap.common.locking import locked

from .errors import Code
from .models import Visit
from .signals import visits_changed

# Who records visits: the community digital technology team, and the commune's officials.
VISIT_ROLES = (Role.DIGITAL_TEAM, Role.COMMUNE_OFFICIAL)


def can_visit(user, household) -> bool:
    """The user records visits where the household lives: its village (a village team) or
    its commune (a commune team, the commune's officials)."""
    return can_access_unit(user, household.village or household.commune, roles=VISIT_ROLES)


@transaction.atomic
def visit_record(*, handout, by, visited_on: datetime.date, vneid_level: int = 0,
                 online_service_used: bool = False, cashless_account_open: bool = False,
                 cashless_used: bool = False, phone_status: str = Visit.PhoneStatus.IN_USE,
                 note: str = "") -> Visit:
    """Record a visit to a recipient. The visit with the latest date (then the latest
    recorded) is the one coverage counts."""
    from distribution.models import Handout

    handout = locked(Handout.objects.select_related("household__village", "household__commune")).get(pk=handout.pk)
    if handout.status != Handout.Status.ACTIVE:
        raise DomainError(_("Máy này đã được thu hồi: không ghi lần thăm được."), code=Code.HANDOUT_NOT_ACTIVE)
    household = handout.household
    if not can_visit(by, household):
        raise DomainError(_("Bạn không phụ trách địa bàn của hộ này."), code=Code.OUT_OF_AREA)
    if visited_on > timezone.localdate():
        raise DomainError(_("Ngày thăm không được sau hôm nay."), code=Code.DATE_IN_FUTURE)
    if visited_on < handout.handed_out_on:
        raise DomainError(_("Ngày thăm không được trước ngày cấp máy (%(date)s).")
                          % {"date": f"{handout.handed_out_on:%d/%m/%Y}"}, code=Code.BEFORE_HANDOUT)
    if vneid_level not in Visit.Vneid.values:
        raise DomainError(_("Mức VNeID không hợp lệ."), code=Code.VNEID_INVALID)
    if phone_status not in Visit.PhoneStatus.values:
        raise DomainError(_("Tình trạng máy không hợp lệ."), code=Code.PHONE_STATUS_INVALID)
    if cashless_used and not cashless_account_open:
        raise DomainError(_("Đã dùng thanh toán không dùng tiền mặt thì phải có tài khoản."),
                          code=Code.CASHLESS_WITHOUT_ACCOUNT)
    latest = Visit.objects.filter(handout=handout, is_latest=True).first()
    newest = latest is None or visited_on >= latest.visited_on
    if newest and latest is not None:
        Visit.objects.filter(pk=latest.pk).update(is_latest=False)
    visit = Visit(programme_id=handout.programme_id, handout=handout, household=household,
                  commune_id=household.commune_id, village_id=household.village_id, visited_on=visited_on,
                  visited_by=by, vneid_level=vneid_level, online_service_used=online_service_used,
                  cashless_account_open=cashless_account_open, cashless_used=cashless_used,
                  phone_status=phone_status, note=note.strip(), is_latest=newest)
    visit._history_user = by
    visit.save()
    commune_id = household.commune_id
    transaction.on_commit(lambda: visits_changed.send(sender=Visit, commune_ids={commune_id}))
    return visit
