"""The pages of an administrative unit (its children, adding a village). They live with
the accounts because who may see a unit is a membership question: phocap.areas, the
ground floor, imports nothing from phocap.accounts."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from phocap.areas.forms import VillageForm
from phocap.areas.models import AdminUnit
from phocap.areas.services import village_get_or_create
from phocap.common.actions import attempt

from .decorators import login_and_membership_required, unit_role_required
from .models import Role
from .scoping import can_access_unit, can_write_unit


@login_and_membership_required
def unit_detail(request, scheme, level, code):
    """A unit and its children; only for users whose memberships cover it."""
    unit = get_object_or_404(AdminUnit.objects.select_related("parent"), scheme=scheme, level=level, code=code)
    if not can_access_unit(request.user, unit):
        raise PermissionDenied
    children = unit.children.order_by("name_ascii")
    return render(request, "areas/unit_detail.html", {
        "unit": unit,
        "ancestors": AdminUnit.objects.ancestors(unit),
        "children": children,
        "village_form": VillageForm() if _may_add_village(request.user, unit) else None,
    })


VILLAGE_ROLES = (Role.COMMUNE_OFFICIAL, Role.DISTRICT_OFFICER, Role.PROVINCE_STAFF)


def _may_add_village(user, unit: AdminUnit) -> bool:
    return unit.level == AdminUnit.Level.COMMUNE and can_write_unit(user, unit, roles=VILLAGE_ROLES)


@require_POST
@unit_role_required(*VILLAGE_ROLES)
def village_create(request, scheme, code):
    commune = get_object_or_404(AdminUnit, scheme=scheme, level=AdminUnit.Level.COMMUNE, code=code)
    if not _may_add_village(request.user, commune):
        raise PermissionDenied
    form = VillageForm(request.POST)
    if form.is_valid():
        if outcome := attempt(request, village_get_or_create, commune=commune, name=form.cleaned_data["name"]):
            village, created = outcome.value
            if created:
                messages.success(request, _("Đã thêm %(v)s.") % {"v": village.full_name})
            else:
                messages.info(request, _("%(v)s đã có trong danh sách.") % {"v": village.full_name})
    else:
        messages.error(request, _("Nhập tên thôn/bản."))
    return redirect(commune)
