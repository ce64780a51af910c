"""The audit page of one object and the inspector's workbook of a programme."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from phocap.accounts.decorators import login_and_membership_required
from phocap.accounts.scoping import can_access_unit
from phocap.programmes.models import Programme

from . import exports, selectors
from .registry import AUDITED


@login_and_membership_required
def object_history(request, kind: str, pk: int):
    audited = AUDITED.get(kind)
    if audited is None:
        raise Http404
    obj = get_object_or_404(audited.for_user(request.user), pk=pk)
    return render(request, "audit/object.html", {
        "audited": audited, "object": obj, "entries": selectors.object_history(audited, obj),
    })


@login_and_membership_required
def inspector_export(request, programme_id: int):
    """Every record of the programme and its history, one workbook. Only for those who
    cover the whole province (province staff, the province's auditors)."""
    programme = get_object_or_404(Programme.objects.for_user(request.user).select_related("province"),
                                  pk=programme_id)
    if not can_access_unit(request.user, programme.province):
        raise PermissionDenied
    filename = f"kiem-tra-{programme.pk}-{timezone.localdate():%Y%m%d}.xlsx"
    return exports.inspector_response(programme=programme, filename=filename)
