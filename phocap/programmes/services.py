import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from phocap.areas.models import AdminUnit
from phocap.common.errors import DomainError
from phocap.common.limits import MAX_PHONE_PRICE_VND, require_at_most

from .errors import Code
from .models import DEFAULT_PHONE_PRICE_VND, Programme, ProgrammeCommune, ProgrammePlan
from .signals import targets_changed


def _check_commune(programme: Programme, commune: AdminUnit) -> None:
    if commune.level != AdminUnit.Level.COMMUNE or not commune.is_within(programme.province):
        raise DomainError(_("%(c)s không phải là xã/phường của %(p)s.") % {"c": commune, "p": programme.province}, code=Code.COMMUNE_OUTSIDE_PROVINCE)


@transaction.atomic
def programme_create(*, name: str, province: AdminUnit, start_date: datetime.date,
                     end_date: datetime.date | None = None,
                     default_phone_price_vnd: int = DEFAULT_PHONE_PRICE_VND,
                     one_phone_per_adult: bool = False, description: str = "") -> Programme:
    if province.level != AdminUnit.Level.PROVINCE:
        raise DomainError(_("Chương trình phải gắn với một tỉnh/thành phố."), code=Code.PROVINCE_REQUIRED)
    if default_phone_price_vnd <= 0:
        raise DomainError(_("Đơn giá điện thoại phải lớn hơn 0."), code=Code.PRICE_NOT_POSITIVE)
    require_at_most(default_phone_price_vnd, MAX_PHONE_PRICE_VND, _("Đơn giá điện thoại"))
    if end_date and end_date < start_date:
        raise DomainError(_("Ngày kết thúc phải sau ngày bắt đầu."), code=Code.END_BEFORE_START)
    if Programme.objects.filter(province=province, name=name).exists():
        raise DomainError(_("Chương trình “%(n)s” đã có.") % {"n": name}, code=Code.PROGRAMME_NAME_TAKEN)
    return Programme.objects.create(
        name=name, province=province, scheme=province.scheme, start_date=start_date, end_date=end_date,
        default_phone_price_vnd=default_phone_price_vnd, one_phone_per_adult=one_phone_per_adult,
        description=description,
    )


@transaction.atomic
def programme_set_target(*, programme: Programme, commune: AdminUnit, baseline_adults: int,
                         target_adults: int | None = None) -> ProgrammeCommune:
    _check_commune(programme, commune)
    if baseline_adults < 0:
        raise DomainError(_("Số người lớn chưa có điện thoại không được âm."), code=Code.BASELINE_NEGATIVE)
    target, _created = ProgrammeCommune.objects.update_or_create(
        programme=programme, commune=commune,
        defaults={"baseline_adults": baseline_adults, "target_adults": target_adults},
    )
    transaction.on_commit(
        lambda: targets_changed.send(sender=ProgrammeCommune, commune_ids={commune.pk}))
    return target


@transaction.atomic
def programme_add_plan(*, programme: Programme, number: str, issued_on: datetime.date | None = None,
                       title: str = "") -> ProgrammePlan:
    plan, _created = ProgrammePlan.objects.update_or_create(
        programme=programme, number=number, defaults={"issued_on": issued_on, "title": title})
    return plan
