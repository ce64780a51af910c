"""Phone-first pages of the community digital technology team: the recipients of their
village or commune (not yet visited first) and the visit form."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from phocap.accounts.decorators import unit_role_required
from phocap.common.actions import submit
from phocap.common.pagination import paginate
from phocap.exports.services import export_or_job, wants_export

from . import selectors, services
from .forms import VisitForm
from .models import Visit


@unit_role_required(*services.VISIT_ROLES)
def recipient_list(request):
    if wants_export(request):
        return export_or_job(request, "outcomes")
    not_visited = request.GET.get("chua-tham") == "1"
    q = request.GET.get("q", "").strip()
    qs = selectors.recipients(user=request.user, not_visited=not_visited, q=q)
    page = paginate(request, qs, 30)
    latest = selectors.latest_visits(h.pk for h in page.object_list)
    rows = [(h, latest.get(h.pk)) for h in page.object_list]
    return render(request, "followup/recipient_list.html", {
        "page_obj": page, "rows": rows, "not_visited": not_visited, "q": q})


@unit_role_required(*services.VISIT_ROLES)
def visit_create(request, handout_pk):
    handout = get_object_or_404(selectors.recipients(user=request.user).select_related("programme"),
                                pk=handout_pk)
    form = VisitForm(request.POST or None)

    def save(**data):
        services.visit_record(handout=handout, by=request.user, **data)
        messages.success(request, _("Đã ghi lần thăm %(name)s.") % {"name": handout.recipient_name})
        return redirect("followup:recipient_list")

    response = submit(request, form, save, resent_to=reverse("followup:recipient_list"))
    if response:
        return response
    visits = Visit.objects.filter(handout=handout).select_related("visited_by")
    return render(request, "followup/visit_form.html", {"form": form, "handout": handout, "visits": visits})
