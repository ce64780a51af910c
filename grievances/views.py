"""Grievance pages: the officials' list and detail (scoped, visible up the tree), the
official's form, and the public form (no login, throttled, no personal data shown back)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from phocap.accounts.decorators import login_and_membership_required, unit_role_required
from phocap.accounts.models import Role
from phocap.accounts.scoping import can_write_unit, user_units
from phocap.areas.models import AdminUnit
from phocap.common.actions import post_and_return, submit
from phocap.common.pagination import paginate
from phocap.common.throttle import over_limit
from phocap.exports.services import export_or_job, wants_export
from phocap.programmes.models import Programme

from . import exports, services
from .forms import GrievanceForm, HandleForm, PublicGrievanceForm
from .models import Grievance


@login_and_membership_required
def grievance_list(request):
    if wants_export(request):
        return export_or_job(request, "grievances")
    qs = exports.grievances(request.user, request.GET)
    overdue = request.GET.get("qua-han") == "1"
    status = request.GET.get("trang-thai")
    can_record = bool(user_units(request.user, roles=[Role.COMMUNE_OFFICIAL]))
    return render(request, "grievances/list.html", {
        "page_obj": paginate(request, qs), "overdue": overdue, "status": status, "can_record": can_record})


def _programme_of(user, commune: AdminUnit) -> Programme | None:
    province_path = commune.ancestor_paths()[0]
    return (Programme.objects.for_user(user).filter(is_active=True, province__path=province_path)
            .order_by("-start_date").first())


@unit_role_required(Role.COMMUNE_OFFICIAL)
def grievance_create(request):
    communes = AdminUnit.objects.filter(pk__in=[u.pk for u in user_units(request.user, roles=[Role.COMMUNE_OFFICIAL])])
    form = GrievanceForm(request.POST or None, communes=communes)

    def save(*, commune, **data):
        programme = _programme_of(request.user, commune)
        if programme is None:
            form.add_error("commune", _("Xã chưa thuộc chương trình phổ cập nào đang triển khai."))
            return None
        grievance = services.grievance_record(programme=programme, commune=commune, by=request.user, **data)
        messages.success(request, _("Đã ghi nhận phản ánh %(ref)s.") % {"ref": grievance.reference})
        return redirect(grievance)

    response = submit(request, form, save, resent_to=reverse("grievances:list"))
    return response or render(request, "grievances/form.html", {"form": form})


@login_and_membership_required
def grievance_detail(request, pk):
    grievance = get_object_or_404(Grievance.objects.for_user(request.user)
                                  .select_related("commune", "household", "recorded_by", "handled_by"), pk=pk)
    can_handle = grievance.status == Grievance.Status.RECEIVED and can_write_unit(request.user, grievance.commune)
    return render(request, "grievances/detail.html", {
        "grievance": grievance, "handle_form": HandleForm() if can_handle else None})


@require_POST
@unit_role_required(Role.COMMUNE_OFFICIAL, Role.DISTRICT_OFFICER, Role.PROVINCE_STAFF)
def grievance_handle(request, pk):
    grievance = get_object_or_404(Grievance.objects.for_user(request.user), pk=pk)
    return post_and_return(request, grievance, HandleForm(request.POST),
                           lambda **d: services.grievance_handle(grievance=grievance, by=request.user, **d),
                           done=_("Đã ghi kết quả xử lý."), invalid=_("Cần ghi kết quả xử lý."))


def _throttled(request) -> bool:
    """At most PHOCAP_GRIEVANCE_PUBLIC_PER_HOUR public submissions per address and hour."""
    return over_limit(request, scope="grievance-public", limit=settings.PHOCAP_GRIEVANCE_PUBLIC_PER_HOUR,
                      window_s=3600)


def public_submit(request, programme_id: int):
    """No login. The page shows back only the reference number: never the name, phone or
    text the citizen sent (only officials covering the commune read them)."""
    programme = get_object_or_404(Programme.objects.select_related("province"), pk=programme_id, is_active=True)
    communes = AdminUnit.objects.filter(pk__in=programme.targets.values("commune")).order_by("name_ascii")
    form = PublicGrievanceForm(request.POST or None, communes=communes)
    if request.method == "POST" and _throttled(request):
        return render(request, "grievances/public_throttled.html", {"programme": programme}, status=429)

    def save(**data):
        grievance = services.grievance_submit_public(programme=programme, **data)
        return redirect(reverse("grievances:public_done", args=[programme.pk]) + f"?ma={grievance.reference}")

    response = submit(request, form, save, resent_to=reverse("grievances:public_submit", args=[programme.pk]))
    return response or render(request, "grievances/public_form.html", {"form": form, "programme": programme})


def public_done(request, programme_id: int):
    programme = get_object_or_404(Programme, pk=programme_id)
    reference = request.GET.get("ma", "")
    if not (reference.startswith("PA-") and reference[3:].isdigit()):
        reference = ""
    return render(request, "grievances/public_done.html", {"programme": programme, "reference": reference})
