from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render

from phocap.accounts.decorators import login_and_membership_required
from phocap.accounts.scoping import can_access_unit

from .models import AdminUnit


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
    })
