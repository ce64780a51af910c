"""Export of the household registry as the registry page filters it; citizen IDs masked
as on the page for users who may not see them in full."""

from django.utils.translation import gettext_lazy as _

from phocap.accounts.scoping import scope_queryset
from phocap.areas.models import AdminUnit
from phocap.exports.registry import Column, Export
from phocap.programmes.selectors import pick_programme

from . import selectors
from .forms import FilterForm


def visible_communes(user):
    return scope_queryset(AdminUnit.objects.communes(), user, unit_field="").order_by("name")


def filtered_registry(user, params):
    """(form, queryset, programme) of the registry page for this query string."""
    communes = visible_communes(user)
    commune = None
    if params.get("commune", "").isdigit():
        commune = communes.filter(pk=params["commune"]).first()
    villages = selectors.villages_of(commune) if commune else AdminUnit.objects.none()
    form = FilterForm(params or None, communes=communes, villages=villages)
    data = form.cleaned_data if form.is_valid() else {}
    programme = pick_programme(user, pk=params.get("programme"), commune=commune)
    # One commune (picked, or the only one the user sees): its index gives the page in order
    # without sorting the commune's whole registry (126k households took 2.7 s under load).
    only = data.get("commune") or (communes[0] if len(communes) == 1 else None)
    qs = selectors.registry(user=user, commune=only, village=data.get("village"),
                            category=data.get("category", ""), status=data.get("status", ""),
                            received=data.get("received", ""), q=data.get("q", ""), programme=programme)
    order = selectors.REGISTRY_ORDER if only else ("commune__name", *selectors.REGISTRY_ORDER)
    return form, qs.order_by(*order), programme


EXPORTS = [
    Export("households", "ho-gia-dinh", _("Hộ gia đình"), (
        Column(_("Xã"), lambda h, m: h.commune.full_name),
        Column(_("Thôn/bản"), lambda h, m: h.village.name if h.village else ""),
        Column(_("Mã hộ"), lambda h, m: h.code),
        Column(_("Họ tên chủ hộ"), lambda h, m: h.head_name),
        Column(_("Số CCCD/CMND chủ hộ"), lambda h, m: m.show(h.head_citizen_id, h.commune, f"household:{h.pk}")),
        Column(_("Diện"), lambda h, m: h.priority_label),
        Column(_("Số nhân khẩu"), lambda h, m: h.members, "#,##0"),
        Column(_("Số người trưởng thành"), lambda h, m: h.adults, "#,##0"),
        Column(_("Số người lớn chưa có ĐTTM"), lambda h, m: h.adults_without_phone, "#,##0"),
        Column(_("Tình trạng"), lambda h, m: h.get_status_display()),
        Column(_("Đã nhận điện thoại"), lambda h, m: _("Có") if h.received else _("Chưa")),
    ), lambda user, params: filtered_registry(user, params)[1], context=selectors.IdMasker),
]
