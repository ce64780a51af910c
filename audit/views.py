"""The audit page of one object and the inspector's workbook of a programme."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from phocap.accounts.decorators import login_and_membership_required
from phocap.accounts.scoping import can_access_unit
from phocap.common.actions import attempt
from phocap.programmes.models import Programme

from . import selectors, services
from .models import InspectorJob
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


@require_POST
@login_and_membership_required
def inspector_export(request, programme_id: int):
    """Every record of the programme and its history, one workbook built in the background.
    Only for those who cover the whole province (province staff, the province's auditors)."""
    programme = get_object_or_404(Programme.objects.for_user(request.user).select_related("province"),
                                  pk=programme_id)
    if not can_access_unit(request.user, programme.province):
        raise PermissionDenied
    if not (job := attempt(request, services.inspector_job_create, programme=programme, by=request.user)):
        return redirect(programme)
    return redirect("audit:inspector_job", pk=job.value.pk)


def _own_job(request, pk: int) -> InspectorJob:
    # The requester's own job only: the workbook holds the whole province.
    return get_object_or_404(InspectorJob.objects.select_related("programme"), pk=pk, requested_by=request.user)


@login_and_membership_required
def inspector_job(request, pk: int):
    return render(request, "audit/inspector_job.html", {"job": _own_job(request, pk)})


@login_and_membership_required
def inspector_download(request, pk: int):
    job = _own_job(request, pk)
    if job.status != InspectorJob.Status.DONE or not job.file:
        messages.warning(request, _("Hồ sơ kiểm tra chưa tạo xong, vui lòng chờ."))
        return redirect("audit:inspector_job", pk=job.pk)
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.file.name.rsplit("/", 1)[-1])
